// Vega-Lite charts, drawn as SVG. Only the Vega transforms that Vega-Lite's bar, rule and text
// marks need are registered (the `vega` package registers every one, geo, force and word clouds
// included, which would put the bundle over its 300 KB budget). Expressions run through
// vega-interpreter instead of Vega's code generation (new Function), so the page works under a
// Content-Security-Policy without 'unsafe-eval'.
import { transforms } from 'vega-dataflow';
import * as encode from 'vega-encode';
import { expressionInterpreter } from 'vega-interpreter';
import { compile, type TopLevelSpec } from 'vega-lite';
import { parse } from 'vega-parser';
import * as tx from 'vega-transforms';
import { extend } from 'vega-util';
import { View } from 'vega-view';
import * as vtx from 'vega-view-transforms';

extend(transforms, tx, vtx, encode);

export async function renderChart(container: HTMLElement, spec: TopLevelSpec): Promise<() => void> {
  const runtime = parse(compile(spec).spec, undefined, { ast: true });
  const view = new View(runtime, { renderer: 'svg', container, hover: true, expr: expressionInterpreter });
  await view.runAsync();
  return () => view.finalize();
}
