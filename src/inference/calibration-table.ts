import { describeTuning, type Calibration } from './calibration.js';

/** The human-readable calibration report of `models:check`: every candidate, fastest first. */
export function calibrationTable(all: readonly Calibration[]): string {
  const lines = ['ONNX Runtime settings per model (median ms per run on a warm-up input):'];
  for (const c of all) {
    switch (c.source) {
      case 'pinned':
        lines.push(`  ${c.model.padEnd(20)} ${describeTuning(c.tuning)} pinned by config (no timing)`);
        break;
      case 'measured':
      case 'cached': {
        const how = c.source === 'measured' ? `measured now in ${c.spentMs} ms` : 'from the calibration cache';
        lines.push(`  ${c.model.padEnd(20)} ${describeTuning(c.tuning)} chosen, ${how}`);
        for (const row of c.table) lines.push(`    ${describeTuning(row).padEnd(14)} ${row.medianMs.toFixed(2).padStart(8)} ms  (${row.runs} runs)`);
        break;
      }
      default: {
        const unknown: never = c;
        lines.push(String(unknown));
      }
    }
  }
  return lines.join('\n');
}
