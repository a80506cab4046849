import { writeFile } from 'node:fs/promises';
import sharp from 'sharp';
import { parse, View } from 'vega';
import { compile, type TopLevelSpec } from 'vega-lite';

export interface PixelSize {
  width: number;
  height: number;
}

/**
 * Renders a Vega-Lite spec server-side: Vega builds the scene headless (SVG needs no canvas),
 * sharp rasterises it with the system fonts, and the result is fitted onto a white canvas of exactly
 * `size` pixels so callers, readers and tests know the dimensions in advance.
 */
export async function renderPng(spec: TopLevelSpec, file: string, size: PixelSize): Promise<void> {
  const view = new View(parse(compile(spec).spec), { renderer: 'none' });
  const svg = await view.toSVG();
  view.finalize();
  const natural = svgSize(svg);
  // Rasterise at the density that makes the drawing about as large as the target, so text stays sharp.
  const scale = Math.min(size.width / natural.width, size.height / natural.height);
  const png = await sharp(Buffer.from(svg), { density: Math.max(36, Math.min(600, 72 * scale)) })
    .resize(size.width, size.height, { fit: 'contain', background: '#ffffff' })
    .flatten({ background: '#ffffff' })
    .png()
    .toBuffer();
  await writeFile(file, png);
}

function svgSize(svg: string): PixelSize {
  const width = Number(/<svg[^>]*\swidth="([\d.]+)"/.exec(svg)?.[1]);
  const height = Number(/<svg[^>]*\sheight="([\d.]+)"/.exec(svg)?.[1]);
  return { width: width > 0 ? width : 800, height: height > 0 ? height : 600 };
}

/** Shared look: system sans font, white background, readable label sizes. */
export const baseConfig = {
  background: 'white',
  font: 'DejaVu Sans',
  view: { stroke: '#cccccc' },
  axis: { labelFontSize: 12, titleFontSize: 14 },
  legend: { labelFontSize: 12, titleFontSize: 13 },
  title: { fontSize: 18, anchor: 'start' },
} as const;
