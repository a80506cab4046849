import type { ImportSummary } from './run-import.js';

const HINTS: Record<string, string> = {
  DUPLICATE: 'already enrolled, or a near-identical video frame',
  MULTIPLE_FACES: 'add --largest-face to enroll the largest face of each',
};

/** The end-of-run report a person reads: counts, then rejections by reason, then problems. */
export function formatSummary(s: ImportSummary): string {
  const lines = [
    `people: ${s.people} (${s.peopleCreated} created, ${s.people - s.peopleCreated} already there), ${s.layout} layout`,
    `photos: ${s.images} sent; videos: ${s.videos} sent, ${s.videoFramesRead} frames read`,
    `faces added: ${s.facesAdded}`,
  ];
  const reasons = Object.entries(s.rejected).sort((a, b) => b[1] - a[1]);
  if (reasons.length === 0) lines.push('rejected: none');
  else {
    lines.push(`rejected (photos and video frames): ${reasons.reduce((n, [, c]) => n + c, 0)}`);
    for (const [reason, count] of reasons) lines.push(`  ${reason.padEnd(16)} ${count}${HINTS[reason] ? `  (${HINTS[reason]})` : ''}`);
  }
  if (s.skippedFiles.length > 0) lines.push(`skipped (not a photo or video): ${s.skippedFiles.length}, e.g. ${s.skippedFiles[0]}`);
  for (const e of s.errors) lines.push(`error: ${e.person}${e.file ? ` ${e.file}` : ''}: ${e.code}: ${e.message}`);
  return lines.join('\n');
}
