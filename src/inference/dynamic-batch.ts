import onnxProto from 'onnx-proto';

const { onnx } = onnxProto;

/**
 * Rewrites an ONNX model whose batch dimension was exported as a fixed 1 so it accepts any batch.
 *
 * Several faces of one image are embedded in one run (measured on fr_feature: 2–4 faces per run
 * cost about half the per-face time of one-by-one runs), but exporters often freeze N=1. This
 * marks dim 0 of every graph input and output symbolic, drops stale intermediate shape hints, and
 * turns a Reshape target that starts with a literal 1 into 0 ("copy the input's dim"), which is
 * how the faceplugin feature model flattens its output. Models whose batch is already symbolic
 * are returned untouched.
 */
export function withDynamicBatch(bytes: Uint8Array): Uint8Array {
  const model = onnx.ModelProto.decode(bytes);
  const graph = model.graph;
  if (!graph) return bytes;
  const initializerNames = new Set((graph.initializer ?? []).map((t) => t.name));
  const realInputs = (graph.input ?? []).filter((v) => !initializerNames.has(v.name));
  const batch = realInputs[0]?.type?.tensorType?.shape?.dim?.[0];
  if (!batch || batch.dimParam || Number(batch.dimValue) !== 1) return bytes;
  for (const value of [...realInputs, ...(graph.output ?? [])]) {
    const dim = value.type?.tensorType?.shape?.dim?.[0];
    if (dim) {
      dim.dimValue = null;
      dim.dimParam = 'batch';
    }
  }
  graph.valueInfo = [];
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name, t]));
  for (const node of graph.node ?? []) {
    if (node.opType !== 'Reshape') continue;
    const shape = initializers.get(node.input?.[1] ?? '');
    if (!shape) continue;
    rewriteLeadingOne(shape);
  }
  return onnx.ModelProto.encode(model).finish();
}

function rewriteLeadingOne(shape: onnxProto.onnx.ITensorProto): void {
  const raw = shape.rawData;
  if (raw && raw.length >= 8) {
    const view = new DataView(raw.buffer, raw.byteOffset, raw.byteLength);
    if (view.getBigInt64(0, true) === 1n) {
      const copy = new Uint8Array(raw);
      new DataView(copy.buffer).setBigInt64(0, 0n, true);
      shape.rawData = copy;
    }
    return;
  }
  const ints = shape.int64Data;
  if (ints && ints.length > 0 && Number(ints[0]) === 1) ints[0] = 0;
}
