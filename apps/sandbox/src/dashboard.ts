import fastifyStatic from '@fastify/static';
import type { FastifyInstance } from 'fastify';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { projectRoot } from './paths.js';

/** Where `npm run build` puts the dashboard (apps/dashboard, built by Vite). */
export function dashboardDir(): string {
  return join(projectRoot(), 'dist', 'dashboard');
}

/**
 * Serves the dashboard: its page at `/` and its files under `/__dashboard/` (Vite's assetsDir, see
 * apps/dashboard/vite.config.ts). Every provider lives under its own first segment (`/wamm`, `/maytapi`…)
 * and `/` answered 404 before, so neither route can shadow a provider's. A sandbox run from source before
 * any build answers `/` with how to build it rather than a blank page.
 */
export function serveDashboard(fastify: FastifyInstance, dir = dashboardDir()): void {
  const index = join(dir, 'index.html');
  fastify.get('/', async (_request, reply) => {
    if (!existsSync(index)) {
      return reply
        .code(503)
        .type('text/plain; charset=utf-8')
        .send('The dashboard is not built: run `npm run build` (or `npm start`, which builds what is stale).\n');
    }
    // The page names its files by content hash, so only the page itself must never be cached.
    return reply
      .type('text/html; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(await readFile(index, 'utf8'));
  });
  const assets = join(dir, '__dashboard');
  // The route exists built or not, so the control token guards one same route either way.
  if (existsSync(assets)) {
    void fastify.register(fastifyStatic, { root: assets, prefix: '/__dashboard/', decorateReply: false, immutable: true, maxAge: '365d' });
  } else {
    fastify.get('/__dashboard/*', async (_request, reply) => reply.code(404).type('text/plain; charset=utf-8').send('The dashboard is not built.\n'));
  }
}
