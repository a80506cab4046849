import type { Range } from './activation-ranges.js';
import { PRELU_REWRITE_PREFIX } from './prelu-rewrite.js';
import { DataType, dimsOf, floatValues, intAttribute, node, tensor, type ModelProto, type NodeProto, type TensorProto } from './onnx-tensors.js';

/** Operators whose activations get quantize/dequantize pairs, so ORT can fuse them into QLinear* kernels. */
const QUANTIZED_OPS = new Set(['Conv', 'Add']);

export interface QdqPlan {
  /** Conv nodes (by index among the graph's Convs) kept in fp32; negative counts from the end. */
  fp32Convs: readonly number[];
}

/** The activation tensors a plan quantizes: inputs and outputs of every quantized node. */
export function tensorsToQuantize(model: ModelProto, plan: QdqPlan): string[] {
  const initializers = new Set((model.graph?.initializer ?? []).map((t) => t.name));
  const names = new Set<string>();
  for (const n of quantizedNodes(model, plan)) {
    const activations = n.opType === 'Conv' ? [n.input![0]!] : n.input!;
    for (const name of [...activations, ...n.output!]) if (!initializers.has(name)) names.add(name);
  }
  return [...names];
}

/**
 * Rewrites an opset-13 fp32 graph into the QDQ form onnxruntime's own quantiser writes:
 *   activations: uint8, asymmetric, one scale per tensor from the calibration ranges;
 *   Conv weights: int8, symmetric, one scale per output channel (DequantizeLinear axis 0);
 *   Conv biases: int32 with scale input_scale × weight_scale, as QLinearConv expects.
 * Every quantized tensor T gets T → QuantizeLinear → DequantizeLinear → T_dq once, and all of its
 * consumers read T_dq, so each Conv's only consumer is its output's QuantizeLinear: the pattern
 * ORT's QDQ transformer turns into QLinearConv / QLinearAdd (a PRelu left in would stay fp32).
 */
export function toQdq(model: ModelProto, ranges: ReadonlyMap<string, Range>, plan: QdqPlan): void {
  const graph = model.graph!;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const quantized = quantizedNodes(model, plan);
  const activationNames = tensorsToQuantize(model, plan);
  const added: TensorProto[] = [];
  const scaleOf = new Map<string, number>();

  const qdqOf = new Map<string, NodeProto[]>();
  for (const name of activationNames) {
    const range = ranges.get(name);
    if (!range) throw new Error(`no calibration range for tensor ${name}`);
    const { scale, zeroPoint } = uint8Params(range);
    scaleOf.set(name, scale);
    added.push(tensor(`${name}_scale`, DataType.FLOAT, [], Float32Array.of(scale)), tensor(`${name}_zp`, DataType.UINT8, [], Uint8Array.of(zeroPoint)));
    qdqOf.set(name, [
      node('QuantizeLinear', [name, `${name}_scale`, `${name}_zp`], [`${name}_q`], `${name}_QuantizeLinear`),
      node('DequantizeLinear', [`${name}_q`, `${name}_scale`, `${name}_zp`], [`${name}_dq`], `${name}_DequantizeLinear`),
    ]);
  }

  const weightNodes: NodeProto[] = [];
  for (const conv of quantized.filter((n) => n.opType === 'Conv')) {
    const inputs = conv.input!;
    const weight = initializers.get(inputs[1]!);
    if (!weight) throw new Error(`Conv ${conv.name} has a weight that is not an initializer`);
    const { q, scales } = int8PerChannel(weight);
    const channels = scales.length;
    const w = inputs[1]!;
    added.push(
      tensor(`${w}_q`, DataType.INT8, dimsOf(weight), q),
      tensor(`${w}_scale`, DataType.FLOAT, [channels], scales),
      tensor(`${w}_zp`, DataType.INT8, [channels], new Int8Array(channels)),
    );
    weightNodes.push(node('DequantizeLinear', [`${w}_q`, `${w}_scale`, `${w}_zp`], [`${w}_dq`], `${w}_DequantizeLinear`, [intAttribute('axis', 0)]));
    inputs[1] = `${w}_dq`;
    const biasName = inputs[2];
    const bias = biasName ? initializers.get(biasName) : undefined;
    if (biasName && bias) {
      const inputScale = scaleOf.get(inputs[0]!)!;
      const biasScales = scales.map((s) => s * inputScale);
      const values = floatValues(bias);
      const qb = Int32Array.from(values, (v, i) => Math.round(v / biasScales[i]!));
      added.push(
        tensor(`${biasName}_q`, DataType.INT32, [channels], qb),
        tensor(`${biasName}_scale`, DataType.FLOAT, [channels], biasScales),
        tensor(`${biasName}_zp`, DataType.INT32, [channels], new Int32Array(channels)),
      );
      weightNodes.push(node('DequantizeLinear', [`${biasName}_q`, `${biasName}_scale`, `${biasName}_zp`], [`${biasName}_dq`], `${biasName}_DequantizeLinear`, [intAttribute('axis', 0)]));
      inputs[2] = `${biasName}_dq`;
    }
  }

  // Consumers read the dequantized copy; the QuantizeLinear itself still reads the original.
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name));
  for (const n of graph.node ?? []) {
    n.input = n.input!.map((name) => (qdqOf.has(name) ? `${name}_dq` : name));
  }
  const nodes: NodeProto[] = [...weightNodes];
  for (const name of activationNames) if (!producedByNode(graph.node ?? [], name)) nodes.push(...qdqOf.get(name)!);
  for (const n of graph.node ?? []) {
    nodes.push(n);
    for (const out of n.output ?? []) if (qdqOf.has(out)) nodes.push(...qdqOf.get(out)!);
  }
  for (const name of activationNames) {
    if (graphOutputs.has(name)) throw new Error(`graph output ${name} cannot be quantized; keep the last layer in fp32`);
  }
  graph.node = nodes;

  const replaced = new Set(quantized.filter((n) => n.opType === 'Conv').flatMap((n) => [n.input![1]!.replace(/_dq$/, ''), ...(n.input![2] ? [n.input![2].replace(/_dq$/, '')] : [])]));
  graph.initializer = [...(graph.initializer ?? []).filter((t) => !replaced.has(t.name!)), ...added];
  graph.input = (graph.input ?? []).filter((v) => !replaced.has(v.name!));
  // Intermediate shape hints of the fp32 graph name tensors whose producers changed.
  graph.valueInfo = [];
}

/**
 * Drops each Relu whose input is the only output use of a quantized Conv; the Conv writes the
 * Relu's tensor instead. Its range (measured on the fp32 graph, never below 0) gets zero point 0,
 * so QLinearConv's saturation at 0 is the Relu: exact, and no fp32 island between two int8 Convs.
 * Call before tensorsToQuantize; the calibration still runs on the graph with the Relus.
 */
export function foldRelusIntoConvs(model: ModelProto, plan: QdqPlan): number {
  const graph = model.graph!;
  const nodes = graph.node ?? [];
  const convs = new Set(quantizedNodes(model, plan).filter((n) => n.opType === 'Conv'));
  const graphOutputs = new Set((graph.output ?? []).map((o) => o.name));
  const byOutput = new Map<string, NodeProto>();
  for (const n of convs) byOutput.set(n.output![0]!, n);
  const uses = new Map<string, number>();
  for (const n of nodes) for (const name of n.input ?? []) uses.set(name, (uses.get(name) ?? 0) + 1);
  const dropped = new Set<NodeProto>();
  for (const relu of nodes) {
    const conv = relu.opType === 'Relu' ? byOutput.get(relu.input![0]!) : undefined;
    if (!conv || uses.get(relu.input![0]!) !== 1 || graphOutputs.has(relu.input![0]!)) continue;
    conv.output = [relu.output![0]!];
    dropped.add(relu);
  }
  graph.node = nodes.filter((n) => !dropped.has(n));
  return dropped.size;
}

function quantizedNodes(model: ModelProto, plan: QdqPlan): NodeProto[] {
  const nodes = model.graph?.node ?? [];
  // Indexes count the source model's Convs, not the ones the PRelu rewrite added.
  const convs = nodes.filter((n) => n.opType === 'Conv' && !(n.name ?? '').startsWith(PRELU_REWRITE_PREFIX));
  const keep = new Set(plan.fp32Convs.map((i) => convs[i < 0 ? convs.length + i : i]));
  return nodes.filter((n) => QUANTIZED_OPS.has(n.opType ?? '') && !keep.has(n));
}

function producedByNode(nodes: readonly NodeProto[], name: string): boolean {
  return nodes.some((n) => (n.output ?? []).includes(name));
}

/** Asymmetric uint8: the range always includes 0 so that zero padding stays exact. */
function uint8Params(range: Range): { scale: number; zeroPoint: number } {
  const lo = Math.min(0, range.min);
  const hi = Math.max(0, range.max);
  const scale = hi > lo ? (hi - lo) / 255 : 1;
  return { scale, zeroPoint: Math.min(255, Math.max(0, Math.round(-lo / scale))) };
}

/** Symmetric int8 in −127..127 with one scale per output channel (dim 0). */
function int8PerChannel(weight: TensorProto): { q: Int8Array; scales: Float32Array } {
  const values = floatValues(weight);
  const channels = dimsOf(weight)[0]!;
  const per = values.length / channels;
  const q = new Int8Array(values.length);
  const scales = new Float32Array(channels);
  for (let c = 0; c < channels; c++) {
    let peak = 0;
    for (let i = c * per; i < (c + 1) * per; i++) peak = Math.max(peak, Math.abs(values[i]!));
    const scale = peak > 0 ? peak / 127 : 1;
    scales[c] = scale;
    for (let i = c * per; i < (c + 1) * per; i++) q[i] = Math.max(-127, Math.min(127, Math.round(values[i]! / scale)));
  }
  return { q, scales };
}
