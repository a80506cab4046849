import { DataType, dimsOf, floatValues, intAttribute, node, tensor, type ModelProto, type NodeProto } from './onnx-tensors.js';

/** Names of the nodes this rewrite adds start with this, so plans can still count the source's Convs. */
export const PRELU_REWRITE_PREFIX = 'prelu_as_relu/';

/**
 * Rewrites every PRelu with a per-channel slope a into Conv, Relu and Add, exactly (in fp32 up to
 * rounding):
 *   every a ≤ 1:  PRelu(x) = x + Relu((a−1)·x)
 *   otherwise:    PRelu(x) = x + (1−a)·Relu(−x)
 * where c·x is a 1×1 depthwise Conv with weight c per channel. Why: onnxruntime has no int8 PRelu,
 * so in a QDQ graph each PRelu ran in fp32 between a dequantize and a quantize (over half the int8
 * model's time). A depthwise Conv and an Add have int8 kernels, and a Relu right after a quantized
 * Conv costs nothing (QLinearConv saturates at a zero point of 0). The Convs around the PRelu stay
 * as they are, so no multiply-add is added to them.
 * Returns how many PRelus were rewritten; those whose slope is not an initializer of one value per
 * channel ([C,1,1] or [1,C,1,1], as exporters write it) stay.
 */
export function rewritePReluAsRelu(model: ModelProto): number {
  const graph = model.graph!;
  const initializers = new Map((graph.initializer ?? []).map((t) => [t.name!, t]));
  const nodes: NodeProto[] = [];
  let rewritten = 0;
  for (const p of graph.node ?? []) {
    const slopeTensor = p.opType === 'PRelu' ? initializers.get(p.input![1]!) : undefined;
    if (!slopeTensor) {
      nodes.push(p);
      continue;
    }
    const channels = channelCount(dimsOf(slopeTensor));
    if (channels === undefined) {
      nodes.push(p);
      continue;
    }
    const slope = floatValues(slopeTensor);
    const [x, y] = [p.input![0]!, p.output![0]!];
    const at = `${PRELU_REWRITE_PREFIX}${rewritten}`;
    const scaleBy = (name: string, input: string, output: string, weight: (c: number) => number) => {
      graph.initializer!.push(tensor(`${name}_w`, DataType.FLOAT, [channels, 1, 1, 1], Float32Array.from({ length: channels }, (_, c) => weight(c))));
      return node('Conv', [input, `${name}_w`], [output], name, [intAttribute('group', channels)]);
    };
    if (slope.every((v) => v <= 1)) {
      nodes.push(scaleBy(`${at}/scale`, x, `${at}/scaled`, (c) => slope[c]! - 1), node('Relu', [`${at}/scaled`], [`${at}/relu`], `${at}/relu`));
    } else {
      nodes.push(
        scaleBy(`${at}/neg`, x, `${at}/neg`, () => -1),
        node('Relu', [`${at}/neg`], [`${at}/negrelu`], `${at}/negrelu`),
        scaleBy(`${at}/scale`, `${at}/negrelu`, `${at}/relu`, (c) => 1 - slope[c]!),
      );
    }
    nodes.push(node('Add', [x, `${at}/relu`], [y], `${at}/add`));
    rewritten++;
  }
  graph.node = nodes;
  return rewritten;
}

/** C for a slope shaped [C,1,1] or [1,C,1,1]; undefined for any other shape. */
function channelCount(dims: number[]): number | undefined {
  if (dims.length === 3 && dims[1] === 1 && dims[2] === 1) return dims[0];
  if (dims.length === 4 && dims[0] === 1 && dims[2] === 1 && dims[3] === 1) return dims[1];
  return undefined;
}
