import type { Box, Point } from './image.js';

/**
 * Plausibility check for 5 points found on a pre-cropped image (no detector to vouch for a face):
 * eyes side by side at a believable distance, then nose, then mouth going down, all inside the
 * crop. Loose on purpose: it only has to catch landmarks that landed on background or hair.
 */
export function landmarksLookSane(points: readonly Point[], box: Box): boolean {
  const [leftEye, rightEye, nose, leftMouth, rightMouth] = points;
  if (!leftEye || !rightEye || !nose || !leftMouth || !rightMouth) return false;
  const eyeDistance = rightEye[0] - leftEye[0];
  if (eyeDistance < 0.2 * box.width || eyeDistance > 0.8 * box.width) return false;
  const eyeY = (leftEye[1] + rightEye[1]) / 2;
  const mouthY = (leftMouth[1] + rightMouth[1]) / 2;
  if (!(eyeY < nose[1] && nose[1] < mouthY)) return false;
  if (nose[0] < leftEye[0] - 0.25 * eyeDistance || nose[0] > rightEye[0] + 0.25 * eyeDistance) return false;
  if (leftMouth[0] >= rightMouth[0]) return false;
  const slackX = 0.1 * box.width;
  const slackY = 0.1 * box.height;
  return points.every(
    ([x, y]) => x >= box.x - slackX && x <= box.x + box.width + slackX && y >= box.y - slackY && y <= box.y + box.height + slackY,
  );
}
