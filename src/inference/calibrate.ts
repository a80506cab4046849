import ort from 'onnxruntime-node';
import type { CalibrationRow, SessionTuning } from './calibration.js';

/** Rounds below this are too few for a median; above the cap the answer no longer changes. */
const MIN_ROUNDS = 3;
const MAX_ROUNDS = 30;

/**
 * Times every candidate session configuration on one synthetic input and returns the rows,
 * fastest first. The machine may be shared, so candidates are interleaved round by round (a
 * burst of load hits all of them alike) and compared by their median.
 */
export async function measureTunings(
  model: Uint8Array,
  candidates: readonly SessionTuning[],
  budgetMs: number,
  optionsFor: (t: SessionTuning) => ort.InferenceSession.SessionOptions,
): Promise<CalibrationRow[]> {
  const started = performance.now();
  const sessions: ort.InferenceSession[] = [];
  try {
    for (const tuning of candidates) sessions.push(await ort.InferenceSession.create(model, optionsFor(tuning)));
    const feeds = warmUpFeeds(sessions[0]!);
    for (const s of sessions) await s.run(feeds);
    const times: number[][] = candidates.map(() => []);
    for (let round = 0; round < MAX_ROUNDS; round++) {
      if (round >= MIN_ROUNDS && performance.now() - started > budgetMs) break;
      for (let k = 0; k < sessions.length; k++) {
        // Rotate the order so no candidate always runs right after the same neighbour.
        const i = (k + round) % sessions.length;
        const t0 = performance.now();
        await sessions[i]!.run(feeds);
        times[i]!.push(performance.now() - t0);
      }
    }
    return candidates
      .map((t, i) => ({ ...t, medianMs: round2(median(times[i]!)), runs: times[i]!.length }))
      .sort((a, b) => a.medianMs - b.medianMs);
  } finally {
    await Promise.all(sessions.map((s) => s.release()));
  }
}

/** Deterministic values in −1..1 for every float input, symbolic dimensions taken as 1. */
function warmUpFeeds(session: ort.InferenceSession): Record<string, ort.Tensor> {
  const feeds: Record<string, ort.Tensor> = {};
  for (const meta of session.inputMetadata) {
    if (!meta.isTensor || meta.type !== 'float32') throw new Error(`input ${meta.name} is not a float32 tensor`);
    const dims = meta.shape.map((d) => (typeof d === 'number' && d > 0 ? d : 1));
    const data = new Float32Array(dims.reduce((a, b) => a * b, 1));
    for (let i = 0; i < data.length; i++) data[i] = Math.sin(i * 12.9898);
    feeds[meta.name] = new ort.Tensor('float32', data, dims);
  }
  return feeds;
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

const round2 = (x: number) => Math.round(x * 100) / 100;
