import { defineConfig } from 'vite';
import { fileURLToPath } from 'node:url';

// The console is served by the Visage server at /console (src/http/console-route.ts), from the
// files this build writes to console/dist. Asset names carry a content hash, so the server can
// cache them for a year; index.html is never cached.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/console/',
  // Preact's JSX runtime, without the preset's Babel pipeline: esbuild compiles TSX itself.
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: {
    // Vega-Lite imports four helpers (stringValue, hasOwnProperty, isObject, isString) from
    // 'vega', which re-exports them from vega-util; importing 'vega' itself would also register
    // every Vega transform (geo, force, word clouds...) and double the bundle. charts.ts builds
    // the small Vega it needs from the sub-packages.
    alias: [{ find: /^vega$/, replacement: 'vega-util' }],
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    assetsDir: 'assets',
    // One page, loaded once: a single bundle is simpler to serve than chunks.
    chunkSizeWarningLimit: 2000,
    reportCompressedSize: true,
  },
});
