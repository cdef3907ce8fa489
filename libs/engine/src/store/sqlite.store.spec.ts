import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { testMessage } from '../testing/messages.js';
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

describe('reads served from the cache of records it wrote (one process holds the file)', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'wa-sandbox-cache-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('answers what was last written, never a write that failed, and the file agrees after a reopen', async () => {
    const file = join(dir, 'sandbox.db');
    const store = new SqliteStore(file);
    await store.messages.insert(testMessage(1));
    await store.messages.save(testMessage(1, { status: 'sent' }));
    expect((await store.messages.get('m1'))?.status).toBe('sent');
    // An id already taken keeps the stored message; a save of a message never stored is refused.
    await expect(store.messages.insert(testMessage(1, { text: 'again' }))).rejects.toThrow('message m1 already exists');
    expect((await store.messages.get('m1'))?.text).toBe(testMessage(1).text);
    await expect(store.messages.save(testMessage(2))).rejects.toThrow('message m2 does not exist');
    expect(await store.messages.get('m2')).toBeUndefined();
    store.close();

    const reopened = new SqliteStore(file);
    expect(await reopened.messages.get('m1')).toEqual(testMessage(1, { status: 'sent' }));
    await reopened.clear();
    expect(await reopened.messages.get('m1')).toBeUndefined();
    reopened.close();
  });
});
