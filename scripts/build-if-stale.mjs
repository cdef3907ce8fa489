#!/usr/bin/env node
// Builds dist/ only when a source file is newer than the last build: run by `npm install` (prepare), so
// the first `npm start` starts at once, and before start, conformance and bench, so an edit is never stale.
import { execSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Written after each build this script runs (tsc leaves its own build info untouched when nothing changed). */
const STAMP = 'dist/.build-stamp';
const SOURCES = ['apps', 'libs', 'bench', 'scripts', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return path.endsWith('.spec.ts') ? 0 : stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0;
// A dist/ from before the dashboard existed has a fresh stamp and no page: that is stale too.
const dashboardMissing = built !== 0 && !existsSync('dist/dashboard/index.html');
if (Math.max(...SOURCES.map(newestMtime)) > built || dashboardMissing) {
  const why = built === 0 ? 'the first build' : dashboardMissing ? 'the dashboard is not built' : 'sources changed since the last build';
  console.error(`wa-sandbox: compiling TypeScript to dist/ and building the dashboard (${why}; about 15–40 s)...`);
  const started = performance.now();
  execSync('npm run -s build', { stdio: 'inherit' });
  writeFileSync(STAMP, new Date().toISOString());
  console.error(`wa-sandbox: compiled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
