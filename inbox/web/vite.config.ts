import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

/** The managers' app, built into dist/ for the gateway to serve at `/` (no inline script or style: the CSP forbids them). */
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // The CSP allows scripts from this origin only; a module preload polyfill would be inlined otherwise.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    chunkSizeWarningLimit: 1024,
  },
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
});
