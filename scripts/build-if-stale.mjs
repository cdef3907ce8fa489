#!/usr/bin/env node
// Builds dist/ only when a source file is newer than the last build: run by `npm install` (prepare), so
// the first `npm start` starts at once, and before start, conformance and bench, so an edit is never stale.
import { execSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
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
if (Math.max(...SOURCES.map(newestMtime)) > built) {
  const why = built === 0 ? 'the first build' : 'sources changed since the last build';
  console.error(`wa-sandbox: compiling TypeScript to dist/ (${why}; about 10–30 s)...`);
  const started = performance.now();
  execSync('npm run -s build', { stdio: 'inherit' });
  writeFileSync(STAMP, new Date().toISOString());
  console.error(`wa-sandbox: compiled in ${((performance.now() - started) / 1000).toFixed(1)} s`);
}
