/**
 * Variance of the 4-neighbour Laplacian over the grey version of an RGB crop: a standard focus
 * measure. Blurred or heavily upscaled faces score low; the scale depends on crop size, so compare
 * values only between crops of the same size (the pipeline always uses its aligned crop).
 */
export function laplacianVariance(rgb: Uint8Array, size: number): number {
  const grey = new Float32Array(size * size);
  for (let i = 0; i < grey.length; i++) grey[i] = 0.299 * rgb[i * 3]! + 0.587 * rgb[i * 3 + 1]! + 0.114 * rgb[i * 3 + 2]!;
  let sum = 0;
  let sumSq = 0;
  let n = 0;
  for (let y = 1; y < size - 1; y++) {
    for (let x = 1; x < size - 1; x++) {
      const i = y * size + x;
      const lap = grey[i - 1]! + grey[i + 1]! + grey[i - size]! + grey[i + size]! - 4 * grey[i]!;
      sum += lap;
      sumSq += lap * lap;
      n++;
    }
  }
  if (n === 0) return 0;
  const m = sum / n;
  return sumSq / n - m * m;
}
