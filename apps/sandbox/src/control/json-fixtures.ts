import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';

/** One `*.json` file of a fixture folder, parsed. */
export interface JsonFixture {
  /** Its name without `.json`. */
  name: string;
  path: string;
  parsed: unknown;
}

/**
 * Every `*.json` in `dir`, by name; a missing folder has none. A file that is not JSON stops the start,
 * named with `kind` (`catalog fixture …/x.json: Unexpected token …`).
 */
export async function readJsonFixtures(dir: string, kind: string): Promise<JsonFixture[]> {
  const files = await readdir(dir).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return [];
    throw error;
  });
  const fixtures: JsonFixture[] = [];
  for (const file of files.filter((name) => name.endsWith('.json')).sort()) {
    const path = join(dir, file);
    try {
      fixtures.push({ name: file.slice(0, -'.json'.length), path, parsed: JSON.parse(await readFile(path, 'utf8')) });
    } catch (error) {
      throw new Error(`${kind} ${path}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return fixtures;
}
