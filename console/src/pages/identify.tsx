// Try identify: upload a photo, see every face boxed with its name or Unknown, the distance, and
// the nearest candidates. Boxes come in the photo's own pixels, so the overlay's viewBox is the
// photo's natural size and the browser scales both together.
import { useState } from 'preact/hooks';
import { gqlWithFiles } from '../api';
import { ErrorNote, Table, Section, formatNumber, useAction } from '../ui';

interface Box {
  x: number;
  y: number;
  width: number;
  height: number;
}
interface Face {
  box: Box;
  decision: 'MATCH' | 'UNKNOWN' | 'NO_FACE';
  distance: number | null;
  votes: number;
  person: { id: string; displayName: string } | null;
  candidates: { distance: number; person: { id: string; displayName: string } | null }[];
}
interface Result {
  faces: Face[];
  timingsMs: { total: number };
}

const IDENTIFY = `mutation($input: IdentifyInput!) {
  identify(input: $input) { faces { box { x y width height } decision distance votes person { id displayName } candidates { distance person { id displayName } } } timingsMs { total } }
}`;

const label = (f: Face) => (f.person ? f.person.displayName : 'Unknown');

function Overlay({ faces, size }: { faces: Face[]; size: { w: number; h: number } }) {
  const stroke = Math.max(2, size.w / 300);
  const font = Math.max(16, size.w / 25);
  return (
    <svg class="overlay" viewBox={`0 0 ${size.w} ${size.h}`} preserveAspectRatio="none" aria-hidden="true">
      {faces.map((f, i) => (
        <g key={i} class={f.decision === 'MATCH' ? 'match' : 'unknown'}>
          <rect x={f.box.x} y={f.box.y} width={f.box.width} height={f.box.height} fill="none" stroke-width={stroke} />
          <text x={f.box.x} y={Math.max(font, f.box.y - stroke * 2)} font-size={font} stroke-width={font / 8} paint-order="stroke">
            {`${i + 1}. ${label(f)}${f.distance !== null ? ` (${f.distance.toFixed(3)})` : ''}`}
          </text>
        </g>
      ))}
    </svg>
  );
}

export function IdentifyPage() {
  const [photo, setPhoto] = useState<{ url: string; name: string } | null>(null);
  const [size, setSize] = useState<{ w: number; h: number } | null>(null);
  const [result, setResult] = useState<Result | null>(null);
  const [source, setSource] = useState('console');
  const action = useAction(async (file: File) => {
    setResult(null);
    setSize(null);
    if (photo) URL.revokeObjectURL(photo.url);
    setPhoto({ url: URL.createObjectURL(file), name: file.name });
    const { identify } = await gqlWithFiles<{ identify: Result }>(IDENTIFY, { input: { image: { file: null, filename: file.name }, source: source.trim() || null } }, [
      { path: 'variables.input.image.file', file },
    ]);
    setResult(identify);
  });
  return (
    <>
      <Section title="Try identify">
        <div class="row">
          <label>
            Source (stored with the events)
            <input value={source} onInput={(e) => setSource(e.currentTarget.value)} />
          </label>
          <label class="button">
            Choose a photo…
            <input
              class="visually-hidden"
              type="file"
              name="identify"
              accept="image/jpeg,image/png,image/webp"
              disabled={action.busy}
              onChange={(e) => {
                const file = e.currentTarget.files?.[0];
                if (file) void action.run(file);
                e.currentTarget.value = '';
              }}
            />
          </label>
          {action.busy ? <span role="status">Identifying…</span> : null}
        </div>
        <ErrorNote error={action.error} />
        {photo ? (
          <figure class="identify-figure">
            <div class="photo">
              <img src={photo.url} alt={`Uploaded photo ${photo.name}`} onLoad={(e) => setSize({ w: e.currentTarget.naturalWidth, h: e.currentTarget.naturalHeight })} />
              {result && size ? <Overlay faces={result.faces} size={size} /> : null}
            </div>
            <figcaption>
              {result ? `${result.faces.length} face${result.faces.length === 1 ? '' : 's'} · ${result.timingsMs.total.toFixed(0)} ms` : photo.name}
            </figcaption>
          </figure>
        ) : (
          <p class="hint">Choose a photo: every face in it is boxed with its name or Unknown.</p>
        )}
      </Section>
      {result ? (
        <Section title="Faces">
          {result.faces.length === 0 ? <p>No face was found in this photo (a NO_FACE event was recorded).</p> : null}
          <Table head={['#', 'Name', 'Decision', 'Distance', 'Votes', 'Candidates (distance)']} testId="identify-faces">
                {result.faces.map((f, i) => (
                  <tr key={i}>
                    <td>{i + 1}</td>
                    <td>{label(f)}</td>
                    <td>
                      <span class={`badge ${f.decision.toLowerCase()}`}>{f.decision}</span>
                    </td>
                    <td>{formatNumber(f.distance)}</td>
                    <td>{f.votes}</td>
                    <td>{f.candidates.map((c) => `${c.person?.displayName ?? 'deleted'} (${c.distance.toFixed(3)})`).join(', ') || '—'}</td>
                  </tr>
                ))}
              </Table>
        </Section>
      ) : null}
    </>
  );
}
