// A chart container: loads the chart code on first use (Vega is most of the bundle, and only the
// reports page needs it) and marks itself rendered so people and tests can tell.
import type { TopLevelSpec } from 'vega-lite';
import { useEffect, useRef, useState } from 'preact/hooks';
import { ErrorNote } from '../ui';

export function Chart({ spec, label, testId }: { spec: TopLevelSpec; label: string; testId: string }) {
  const ref = useRef<HTMLDivElement>(null);
  const [state, setState] = useState<{ rendered: boolean; error: unknown }>({ rendered: false, error: null });
  useEffect(() => {
    let cleanup: (() => void) | undefined;
    let cancelled = false;
    setState({ rendered: false, error: null });
    import('../charts')
      .then(({ renderChart }) => (ref.current ? renderChart(ref.current, spec) : undefined))
      .then((finalize) => {
        cleanup = finalize;
        if (cancelled) finalize?.();
        else setState({ rendered: true, error: null });
      })
      .catch((error: unknown) => !cancelled && setState({ rendered: false, error }));
    return () => {
      cancelled = true;
      cleanup?.();
    };
  }, [JSON.stringify(spec)]);
  return (
    <figure class="chart" aria-label={label}>
      <div ref={ref} data-testid={testId} data-rendered={state.rendered ? 'true' : 'false'} />
      <ErrorNote error={state.error} />
    </figure>
  );
}
