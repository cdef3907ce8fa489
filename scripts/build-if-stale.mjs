#!/usr/bin/env node
// `npm start` builds only when a source file is newer than the last build, so a restart is instant.
import { execSync } from 'node:child_process';
import { readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** Written after each build this script runs (tsc leaves its own build info untouched when nothing changed). */
const STAMP = 'dist/.build-stamp';
const SOURCES = ['apps', 'libs', 'package.json', 'tsconfig.json', 'tsconfig.build.json'];

function newestMtime(path) {
  const stat = statSync(path, { throwIfNoEntry: false });
  if (!stat) return 0;
  if (!stat.isDirectory()) return path.endsWith('.spec.ts') ? 0 : stat.mtimeMs;
  return Math.max(0, ...readdirSync(path).map((entry) => newestMtime(join(path, entry))));
}

const built = statSync(STAMP, { throwIfNoEntry: false })?.mtimeMs ?? 0;
if (Math.max(...SOURCES.map(newestMtime)) > built) {
  console.error('wa-sandbox: building (sources changed since the last build)...');
  execSync('npm run -s build', { stdio: 'inherit' });
  writeFileSync(STAMP, new Date().toISOString());
}
