import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import ort from 'onnxruntime-node';
import onnxProto from 'onnx-proto';
import { createModelRegistry, FACE_ARCFACE_INT8_FILE, FACE_ARCFACE_INT8_ID, l2Distance } from '../../src/embedding/index.js';
import { FACE_ARCFACE_SPEC } from '../../src/embedding/face-arcface.js';
import { calibrationFaces } from '../../src/vision/calibration-faces.js';
import { decodeModel, encodeModel } from '../../src/embedding/quantize/onnx-tensors.js';
import { quantizeModel } from '../../src/embedding/quantize/quantize-model.js';
import { rewritePReluAsRelu } from '../../src/embedding/quantize/prelu-rewrite.js';
import { upgradeToOpset13 } from '../../src/embedding/quantize/upgrade-opset.js';
import { analyzeImage, createVision } from '../../src/vision/index.js';
import { fixture, MODELS_DIR } from '../helpers/models-dir.js';

// A models folder of its own: the real fp32 and vision models, plus the int8 model this test writes.
const dir = mkdtempSync(join(tmpdir(), 'visage-quantize-'));
after(() => rmSync(dir, { recursive: true, force: true }));
const vision = createVision({ modelsDir: MODELS_DIR });
let int8: Uint8Array;
let faces: Float32Array[];

before(async () => {
  // Calibrated on the multi-face scene fixtures; checked below on the pair fixtures (other photos).
  faces = await calibrationFaces(fixture('scenes'), FACE_ARCFACE_SPEC, vision, 40);
  assert.ok(faces.length >= 20, `calibration faces found: ${faces.length}`);
  int8 = await quantizeModel(readFileSync(join(MODELS_DIR, 'fr_feature.onnx')), faces, [1, 3, 112, 112], { method: 'minmax', fp32Convs: [] });
  for (const f of ['fr_feature.onnx', 'fr_detect.onnx', 'fr_landmark.onnx']) writeFileSync(join(dir, f), readFileSync(join(MODELS_DIR, f)));
  writeFileSync(join(dir, FACE_ARCFACE_INT8_FILE), int8);
});

describe('int8 embedding model (models:quantize)', () => {
  it('rewrites the PRelus as Conv, Relu and Add without changing what the fp32 model computes', async () => {
    const original = readFileSync(join(MODELS_DIR, 'fr_feature.onnx'));
    const model = decodeModel(original);
    upgradeToOpset13(model);
    assert.equal(rewritePReluAsRelu(model), 33);
    assert.equal((model.graph?.node ?? []).filter((n) => n.opType === 'PRelu').length, 0);
    const options = { graphOptimizationLevel: 'extended', logSeverityLevel: 3 } as const;
    const [before, after] = await Promise.all([ort.InferenceSession.create(original, options), ort.InferenceSession.create(encodeModel(model), options)]);
    let worst = 0;
    for (const face of faces.slice(0, 8)) {
      const input = new ort.Tensor('float32', face, [1, 3, 112, 112]);
      const a = (await before.run({ [before.inputNames[0]!]: input }))[before.outputNames[0]!]!.data as Float32Array;
      const b = (await after.run({ [after.inputNames[0]!]: input }))[after.outputNames[0]!]!.data as Float32Array;
      for (let i = 0; i < a.length; i++) worst = Math.max(worst, Math.abs(a[i]! - b[i]!));
    }
    // Raw outputs have a norm of about 2–5; float rounding alone moves them by ~1e-6.
    assert.ok(worst < 1e-4, `largest output difference: ${worst}`);
  });

  it('is an opset-13 QDQ graph with per-channel int8 weights that ORT runs entirely in int8', async () => {
    const model = decodeModel(int8);
    assert.equal(Number(model.opsetImport[0]!.version), 13);
    const nodes = model.graph?.node ?? [];
    const dq = nodes.filter((n) => n.opType === 'DequantizeLinear' && (n.attribute ?? []).some((a) => a.name === 'axis'));
    assert.ok(dq.length >= 50, `per-channel DequantizeLinear nodes: ${dq.length}`);
    const weights = (model.graph?.initializer ?? []).filter((t) => t.dataType === onnxProto.onnx.TensorProto.DataType.INT8 && t.dims?.length === 4);
    const convs = nodes.filter((n) => n.opType === 'Conv').length;
    assert.equal(weights.length, convs, 'every Conv weight stored as int8');
    assert.ok(int8.length < readFileSync(join(MODELS_DIR, 'fr_feature.onnx')).length / 2);

    const optimized = join(dir, 'optimized.onnx');
    await ort.InferenceSession.create(int8, { graphOptimizationLevel: 'extended', optimizedModelFilePath: optimized, logSeverityLevel: 3 });
    const ops = (decodeModel(readFileSync(optimized)).graph?.node ?? []).map((n) => n.opType);
    const count = (op: string) => ops.filter((o) => o === op).length;
    // The 50 Convs of the source, plus one or two 1×1 depthwise Convs per PRelu.
    assert.ok(count('QLinearConv') >= 50 + 33, `QLinearConv: ${count('QLinearConv')}`);
    assert.equal(count('QLinearAdd'), 12 + 33);
    for (const fp32 of ['Conv', 'PRelu', 'Relu', 'Add']) assert.equal(count(fp32), 0, `fp32 ${fp32} left`);
    // Only the model's input is quantized and its output dequantized: no fp32 island in between.
    assert.equal(count('QuantizeLinear'), 1);
    assert.equal(count('DequantizeLinear'), 1);
  });

  it('keeps the PRelus in fp32 when asked (--keep-prelu)', async () => {
    const kept = await quantizeModel(readFileSync(join(MODELS_DIR, 'fr_feature.onnx')), faces.slice(0, 4), [1, 3, 112, 112], { method: 'minmax', fp32Convs: [], keepPRelu: true });
    const nodes = decodeModel(kept).graph?.node ?? [];
    assert.equal(nodes.filter((n) => n.opType === 'PRelu').length, 33);
    assert.equal(nodes.filter((n) => n.opType === 'Conv').length, 50);
  });

  it('is served under its own model id and still puts the same person nearest', async () => {
    const model = await createModelRegistry({ modelsDir: dir }).get(FACE_ARCFACE_INT8_ID);
    assert.equal(model.id, FACE_ARCFACE_INT8_ID);
    const photos: Array<{ person: string; embedding: Float32Array }> = [];
    for (const person of readdirSync(fixture('pairs'))) {
      for (const file of readdirSync(fixture(`pairs/${person}`))) {
        const result = await analyzeImage(readFileSync(fixture(`pairs/${person}/${file}`)), { model, vision });
        const largest = result.faces.reduce((a, b) => (a.quality.faceSizePx >= b.quality.faceSizePx ? a : b));
        assert.equal(largest.modelId, FACE_ARCFACE_INT8_ID);
        photos.push({ person, embedding: largest.embedding });
      }
    }
    for (const a of photos) {
      const nearest = photos.filter((b) => b !== a).reduce((x, y) => (l2Distance(a.embedding, x.embedding) <= l2Distance(a.embedding, y.embedding) ? x : y));
      assert.equal(nearest.person, a.person, `nearest to a photo of ${a.person}`);
    }
  });

  it('refuses a graph it cannot move to opset 13, naming the operators', () => {
    const model = decodeModel(readFileSync(join(MODELS_DIR, 'fr_feature.onnx')));
    const second = model.graph?.node?.[1];
    assert.ok(second);
    second.opType = 'Upsample';
    assert.throws(() => upgradeToOpset13(decodeModel(encodeModel(model))), /cannot move opset 9 to 13: unsupported operators Upsample/);
  });

  it('refuses to quantize without calibration faces', async () => {
    await assert.rejects(quantizeModel(readFileSync(join(MODELS_DIR, 'fr_feature.onnx')), [], [1, 3, 112, 112], { method: 'minmax', fp32Convs: [] }), /no calibration faces/);
  });
});
