import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));

/**
 * `npm run build` writes the page to dist/dashboard/index.html and its files under dist/dashboard/__dashboard/:
 * the sandbox serves the page at `/` and the files at `/__dashboard/`, a prefix no provider route can have
 * (apps/sandbox/src/dashboard.ts). Everything is bundled: the page loads nothing from elsewhere.
 */
export default defineConfig({
  root: here,
  base: '/',
  plugins: [preact()],
  build: {
    outDir: `${here}../../dist/dashboard`,
    emptyOutDir: true,
    assetsDir: '__dashboard',
    // Small enough to read in a browser's dev tools, and no source maps to ship in the package.
    sourcemap: false,
  },
  // `npm run dashboard:dev` proxies the control API to a sandbox on the default port.
  server: { proxy: { '/__sandbox': 'http://127.0.0.1:4000' } },
});
