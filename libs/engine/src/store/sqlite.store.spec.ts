import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SqliteStore, StoreInUseError } from './sqlite.store.js';

describe('one sandbox per SQLite data file', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wa-sandbox-lock-'));
    file = join(dir, 'sandbox.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second store on a file another one holds, naming the file and what to do', async () => {
    const first = new SqliteStore(file);
    await first.state.set('kept', 1);
    expect(() => new SqliteStore(file)).toThrow(StoreInUseError);
    expect(() => new SqliteStore(file)).toThrow(`${file} is in use by another sandbox: stop it, or give this one another --data-dir or --store`);
    // The refused one changed nothing: the holder carries on.
    await first.state.set('after', 2);
    first.close();

    const next = new SqliteStore(file);
    expect(await next.state.get('kept')).toBe(1);
    expect(await next.state.get('after')).toBe(2);
    next.close();
  });
});
