import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

let root: string | undefined;

/** The repository root, found from this file, so contracts and fixtures resolve from source and from dist alike. */
export function projectRoot(): string {
  return (root ??= findProjectRoot());
}

function findProjectRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'contracts')) || !existsSync(join(dir, 'package.json'))) {
    const parent = dirname(dir);
    if (parent === dir) throw new Error('cannot find the wa-sandbox project root (a folder with package.json and contracts/)');
    dir = parent;
  }
  return dir;
}
