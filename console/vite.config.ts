import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

/** The console: built into dist/console, served by the app at /console/ (src/console/console-static.ts). */
export default defineConfig({
  root,
  base: '/console/',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: {
    outDir: fileURLToPath(new URL('../dist/console', import.meta.url)),
    emptyOutDir: true,
    // No inline scripts or data: modules under the strict CSP: everything is a file of its own.
    assetsInlineLimit: 0,
    modulePreload: { polyfill: false },
    sourcemap: false,
  },
  server: {
    proxy: Object.fromEntries(
      [
        '/accounts',
        '/streams',
        '/correlations',
        '/admin',
        '/events',
        '/reports',
        '/orders',
        '/shipments',
      ].map((path) => [path, process.env.CHRONICLE_URL ?? 'http://localhost:3000']),
    ),
  },
});
