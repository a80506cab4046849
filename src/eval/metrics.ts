/**
 * Metrics of one grid point. Labels are indices 0..K-1 for the enrolled classes and K for Unknown,
 * which is a class like any other (the paper's TP/FP/TN/FN are one-vs-rest counts summed over classes).
 */
export interface PointMetrics {
  /** Micro precision: tp / (tp + fp). */
  precision: number;
  /** Micro recall: tp / (tp + fn); equal to precision whenever every probe gets exactly one label. */
  recall: number;
  f1: number;
  /** Mean per-class F1 over the labels that occur as truth or prediction (scikit-learn's default set). */
  macroF1: number;
  tp: number;
  fp: number;
  tn: number;
  fn: number;
  /** Known probes named correctly, over all known probes (a failed detection counts as wrong). */
  knownAccuracy: number;
  /** Unknown probes answered Unknown, over all unknown probes; null when there are none. */
  unknownRejection: number | null;
  /** Of the probes given a name (MATCH), the share named correctly; 1 when nobody was named. */
  matchPrecision: number;
}

export interface ClassScore {
  precision: number;
  recall: number;
  f1: number;
  support: number;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
}

const ratio = (a: number, b: number): number => (b === 0 ? 0 : a / b);
const harmonic = (p: number, r: number): number => (p + r === 0 ? 0 : (2 * p * r) / (p + r));

interface OneVsRest {
  tp: Float64Array;
  fp: Float64Array;
  fn: Float64Array;
}

/** A right answer is a TP of its label; a wrong one is an FP of the answer and an FN of the truth. */
function countOneVsRest(truth: ArrayLike<number>, pred: ArrayLike<number>, numLabels: number): OneVsRest {
  const tp = new Float64Array(numLabels);
  const fp = new Float64Array(numLabels);
  const fn = new Float64Array(numLabels);
  for (let i = 0; i < truth.length; i++) {
    const t = truth[i]!;
    const p = pred[i]!;
    if (t === p) tp[t]! += 1;
    else {
      fp[p]! += 1;
      fn[t]! += 1;
    }
  }
  return { tp, fp, fn };
}

/** One-vs-rest counts and scores per label (index K is Unknown). */
export function perClassScores(truth: ArrayLike<number>, pred: ArrayLike<number>, numLabels: number): ClassScore[] {
  const { tp, fp, fn } = countOneVsRest(truth, pred, numLabels);
  const n = truth.length;
  const scores: ClassScore[] = [];
  for (let c = 0; c < numLabels; c++) {
    const precision = ratio(tp[c]!, tp[c]! + fp[c]!);
    const recall = ratio(tp[c]!, tp[c]! + fn[c]!);
    scores.push({
      precision,
      recall,
      f1: harmonic(precision, recall),
      support: tp[c]! + fn[c]!,
      tp: tp[c]!,
      fp: fp[c]!,
      fn: fn[c]!,
      tn: n - tp[c]! - fp[c]! - fn[c]!,
    });
  }
  return scores;
}

/**
 * `unknownLabel` (= K) is the label of both unknown truths and UNKNOWN decisions. Runs once per grid
 * point (thousands of times), so it counts into flat arrays instead of building per-class objects.
 */
export function scorePredictions(truth: ArrayLike<number>, pred: ArrayLike<number>, unknownLabel: number): PointMetrics {
  const numLabels = unknownLabel + 1;
  const { tp: classTp, fp: classFp, fn: classFn } = countOneVsRest(truth, pred, numLabels);
  const n = truth.length;
  let known = 0;
  let knownRight = 0;
  let unknown = 0;
  let rejected = 0;
  let named = 0;
  let namedRight = 0;
  for (let i = 0; i < n; i++) {
    const t = truth[i]!;
    const p = pred[i]!;
    if (t === unknownLabel) {
      unknown += 1;
      if (p === unknownLabel) rejected += 1;
    } else {
      known += 1;
      if (p === t) knownRight += 1;
    }
    if (p !== unknownLabel) {
      named += 1;
      if (p === t) namedRight += 1;
    }
  }
  let tp = 0;
  let fp = 0;
  let fn = 0;
  let macroSum = 0;
  let macroCount = 0;
  for (let c = 0; c < numLabels; c++) {
    tp += classTp[c]!;
    fp += classFp[c]!;
    fn += classFn[c]!;
    // Labels that are neither asked nor answered have no F1 to average (scikit-learn's label set).
    if (classTp[c]! + classFn[c]! > 0 || classFp[c]! > 0) {
      macroSum += harmonic(ratio(classTp[c]!, classTp[c]! + classFp[c]!), ratio(classTp[c]!, classTp[c]! + classFn[c]!));
      macroCount += 1;
    }
  }
  const precision = ratio(tp, tp + fp);
  const recall = ratio(tp, tp + fn);
  return {
    precision,
    recall,
    f1: harmonic(precision, recall),
    macroF1: ratio(macroSum, macroCount),
    tp,
    fp,
    // Each probe is exactly one of TP/FP/FN/TN for every label, so the per-label TNs sum to this.
    tn: n * numLabels - tp - fp - fn,
    fn,
    knownAccuracy: ratio(knownRight, known),
    unknownRejection: unknown === 0 ? null : rejected / unknown,
    matchPrecision: named === 0 ? 1 : namedRight / named,
  };
}

/** counts[truth][pred]. */
export function confusionMatrix(truth: ArrayLike<number>, pred: ArrayLike<number>, numLabels: number): number[][] {
  const m = Array.from({ length: numLabels }, () => new Array<number>(numLabels).fill(0));
  for (let i = 0; i < truth.length; i++) m[truth[i]!]![pred[i]!]! += 1;
  return m;
}
