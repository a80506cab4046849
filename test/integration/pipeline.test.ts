import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { before, describe, it } from 'node:test';
import { createModelRegistry, type EmbeddingModel } from '../../src/embedding/index.js';
import { AppError } from '../../src/errors.js';
import { analyzeDecoded, analyzeImage, createVision, decodeImage, type AnalyzeOptions } from '../../src/vision/index.js';
import { fixture, MODELS_DIR } from '../helpers/models-dir.js';

const vision = createVision({ modelsDir: MODELS_DIR });
let model: EmbeddingModel;
let base: AnalyzeOptions;

before(async () => {
  model = await createModelRegistry({ modelsDir: MODELS_DIR }).get('face-arcface-512');
  base = { model, vision };
});

const analyze = (path: string, extra: Partial<AnalyzeOptions> = {}) => analyzeImage(readFileSync(fixture(path)), { ...base, ...extra });

const distance = (a: Float32Array, b: Float32Array) => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]!) ** 2, 0));

describe('face detection on real photos', () => {
  for (const file of readdirSync(fixture('scenes'))) {
    const expected = Number(/_(\d+)faces/.exec(file)![1]);
    it(`finds exactly ${expected} faces in ${file}`, async () => {
      const result = await analyze(`scenes/${file}`);
      assert.equal(result.faces.length, expected);
      assert.equal(result.mode, 'detected');
    });
  }

  for (const file of readdirSync(fixture('no_face'))) {
    it(`finds no face in ${file}`, async () => {
      assert.equal((await analyze(`no_face/${file}`)).faces.length, 0);
    });
  }

  it('returns faces by detection score, with boxes inside the image and 5 landmarks inside each box', async () => {
    const result = await analyze('scenes/compreface_016_8_8faces.jpg');
    const scores = result.faces.map((f) => f.detectionScore);
    assert.deepEqual(scores, [...scores].sort((a, b) => b - a));
    for (const face of result.faces) {
      const { x, y, width, height } = face.box;
      assert.ok(x >= 0 && y >= 0 && x + width <= result.width && y + height <= result.height);
      assert.equal(face.landmarks.length, 5);
      for (const [px, py] of face.landmarks) assert.ok(px > x - 5 && px < x + width + 5 && py > y - 5 && py < y + height + 5);
      const [leftEye, rightEye, nose, leftMouth] = face.landmarks as [[number, number], [number, number], [number, number], [number, number]];
      assert.ok(leftEye[0] < rightEye[0] && leftEye[1] < nose[1] && nose[1] < leftMouth[1], 'eyes, then nose, then mouth');
    }
  });

  it('reports quality and timings per face', async () => {
    const result = await analyze('scenes/compreface_011_3_3faces.jpg', { pose: true });
    for (const face of result.faces) {
      assert.equal(face.quality.detectionScore, face.detectionScore);
      assert.equal(face.quality.faceSizePx, Math.min(face.box.width, face.box.height));
      assert.ok(face.quality.sharpness > 0);
      for (const angle of [face.quality.yaw, face.quality.pitch, face.quality.roll]) assert.ok(angle !== undefined && Math.abs(angle) <= 99);
    }
    for (const t of Object.values(result.timingsMs)) assert.ok(t >= 0);
  });

  it('drops faces below the minimum size and keeps only maxFaces', async () => {
    const all = await analyze('scenes/compreface_000_5_5faces.jpg');
    const smallest = Math.min(...all.faces.map((f) => f.quality.faceSizePx));
    const bigOnly = await analyze('scenes/compreface_000_5_5faces.jpg', { minFaceSize: smallest + 0.01 });
    assert.equal(bigOnly.faces.length, all.faces.length - 1);
    const top2 = await analyze('scenes/compreface_000_5_5faces.jpg', { maxFaces: 2 });
    assert.deepEqual(top2.faces.map((f) => f.box), all.faces.slice(0, 2).map((f) => f.box));
  });

  it('gives the same faces for already-decoded pixels (video frames) as for the encoded photo', async () => {
    const bytes = readFileSync(fixture('scenes/compreface_013_4_4faces.jpg'));
    const fromBytes = await analyzeImage(bytes, base);
    const fromPixels = await analyzeDecoded(await decodeImage(bytes), base);
    assert.equal(fromPixels.timingsMs.decode, 0);
    assert.deepEqual(fromPixels.faces.map((f) => f.box), fromBytes.faces.map((f) => f.box));
    assert.ok(distance(fromPixels.faces[0]!.embedding, fromBytes.faces[0]!.embedding) < 1e-6);
  });

  it('refuses bytes that are not an image with INVALID_IMAGE', async () => {
    await assert.rejects(analyzeImage(Buffer.from('nope'), base), (e: unknown) => e instanceof AppError && e.code === 'INVALID_IMAGE');
  });
});

describe('embeddings of the default model', () => {
  it('are unit-length 512-d vectors tagged with the model id', async () => {
    const result = await analyze('scenes/compreface_012_4_4faces.jpg');
    for (const face of result.faces) {
      assert.equal(face.embedding.length, 512);
      assert.equal(face.modelId, 'face-arcface-512');
      assert.ok(Math.abs(Math.hypot(...face.embedding) - 1) < 1e-4);
    }
  });

  it('are the same whether faces are embedded in one batch or one by one', async () => {
    const result = await analyze('scenes/compreface_015_6_6faces.jpg');
    for (let i = 0; i < result.faces.length; i++) {
      const alone = await analyze('scenes/compreface_015_6_6faces.jpg', { maxFaces: i + 1 });
      assert.ok(distance(alone.faces[i]!.embedding, result.faces[i]!.embedding) < 1e-4);
    }
  });

  it('put two photos of the same person closer than photos of different people', async () => {
    const people = readdirSync(fixture('pairs'));
    const photos: Array<{ person: string; embedding: Float32Array }> = [];
    for (const person of people) {
      for (const file of readdirSync(fixture(`pairs/${person}`))) {
        const result = await analyze(`pairs/${person}/${file}`);
        assert.ok(result.faces.length >= 1, `a face in ${person}/${file}`);
        const largest = result.faces.reduce((a, b) => (a.quality.faceSizePx >= b.quality.faceSizePx ? a : b));
        photos.push({ person, embedding: largest.embedding });
      }
    }
    let sameCount = 0;
    for (const a of photos) {
      const mate = photos.find((b) => b !== a && b.person === a.person)!;
      const same = distance(a.embedding, mate.embedding);
      sameCount++;
      for (const other of photos.filter((b) => b.person !== a.person)) {
        assert.ok(same < distance(a.embedding, other.embedding), `${a.person}: same-person ${same.toFixed(3)} vs ${other.person}`);
      }
    }
    assert.ok(sameCount >= 12, 'a dozen or more same-person pairs checked');
  });

  it('embeds the mirrored face too when flip-averaging is on, changing the vector slightly', async () => {
    const flipped = await createModelRegistry({ modelsDir: MODELS_DIR, flip: { 'face-arcface-512': true } }).get();
    assert.equal(flipped.flip, true);
    const plain = await analyze('pairs/John_Simm/dlib_000288_00470387.jpg');
    const averaged = await analyze('pairs/John_Simm/dlib_000288_00470387.jpg', { model: flipped });
    const d = distance(plain.faces[0]!.embedding, averaged.faces[0]!.embedding);
    assert.ok(d > 1e-3 && d < 0.6, `flip-averaged embedding moved by ${d}`);
  });
});

describe('pre-cropped faces (ORL)', () => {
  it('treats the whole image as one face, aligned on its landmarks', async () => {
    const result = await analyze('orl/s1/train1.png', { cropped: true });
    assert.equal(result.mode, 'cropped');
    assert.equal(result.faces.length, 1);
    assert.deepEqual(result.faces[0]!.box, { x: 0, y: 0, width: 92, height: 112 });
    assert.equal(result.faces[0]!.alignment, 'landmarks');
  });

  it('resizes instead of aligning when told to', async () => {
    const result = await analyze('orl/s1/train1.png', { cropped: true, croppedAlignment: 'resize' });
    assert.equal(result.faces[0]!.alignment, 'resize');
  });

  it('matches each validation photo to its own subject', async () => {
    const subjects = readdirSync(fixture('orl'));
    const embed = async (s: string, f: string) => (await analyze(`orl/${s}/${f}`, { cropped: true })).faces[0]!.embedding;
    const train = await Promise.all(subjects.map(async (s) => ({ s, e: await embed(s, 'train1.png') })));
    for (const s of subjects) {
      const probe = await embed(s, 'val1.png');
      const nearest = train.reduce((a, b) => (distance(probe, a.e) <= distance(probe, b.e) ? a : b));
      assert.equal(nearest.s, s);
    }
  });

  it('falls back to the whole image only when allowed, and says so', async () => {
    const landscape = await analyze('no_face/opencv_HappyFish.jpg', { croppedFallbackMaxSide: 300 });
    assert.equal(landscape.mode, 'cropped-fallback');
    assert.equal(landscape.faces.length, 1);
    const off = await analyze('no_face/opencv_HappyFish.jpg');
    assert.equal(off.mode, 'detected');
    assert.equal(off.faces.length, 0);
  });
});
