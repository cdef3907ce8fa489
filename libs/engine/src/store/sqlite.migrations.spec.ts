import BetterSqlite3 from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MIGRATIONS, SchemaVersionError, type Migration } from './sqlite.migrations.js';
import { SqliteStore } from './sqlite.store.js';
import type { Account, Session } from './models.js';

/** A made-up next version: the provider as a column of its own, filled in from the accounts already there. */
const PROVIDER_COLUMN: Migration = {
  version: MIGRATIONS.length + 1,
  description: 'accounts.provider as a column',
  up: (db) => db.exec(`ALTER TABLE accounts ADD COLUMN provider TEXT; UPDATE accounts SET provider = json_extract(data, '$.provider');`),
};

const account = (id: string): Account => ({
  id,
  provider: id.split(':')[0]!,
  key: id.split(':')[1]!,
  createdAt: 1,
  linePhone: '79990000001',
  features: {},
  webhookUrl: null,
  limits: { dailyMessages: null, perSecond: null, balance: null },
  settings: { note: 'kept' },
});

const session = (id: string, transport: string): Session => ({
  id,
  accountId: 'maytapi:a',
  label: id,
  transport,
  state: 'connected',
  stateSince: 1,
  phone: '79990000001',
  linkedAt: 1,
  createdAt: 1,
  qrSince: 1,
  idle: false,
  pairing: null,
});

describe('SQLite schema migrations', () => {
  let dir: string;
  let file: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wa-sandbox-migrations-'));
    file = join(dir, 'sandbox.db');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const userVersion = () => {
    const db = new BetterSqlite3(file, { readonly: true });
    try {
      return db.pragma('user_version', { simple: true });
    } finally {
      db.close();
    }
  };

  it('migrates a file of the current version to the next, keeping its records', async () => {
    const old = new SqliteStore(file);
    await old.accounts.save(account('wamm:a'));
    await old.accounts.save(account('devino:b'));
    old.close();
    expect(userVersion()).toBe(MIGRATIONS.length);

    const migrated = new SqliteStore(file, { migrations: [...MIGRATIONS, PROVIDER_COLUMN] });
    expect(migrated.schemaVersion).toBe(MIGRATIONS.length + 1);
    expect(await migrated.accounts.list()).toEqual([account('wamm:a'), account('devino:b')]);
    migrated.close();
    expect(userVersion()).toBe(MIGRATIONS.length + 1);
    const db = new BetterSqlite3(file, { readonly: true });
    expect(db.prepare('SELECT id, provider FROM accounts ORDER BY seq').all()).toEqual([
      { id: 'wamm:a', provider: 'wamm' },
      { id: 'devino:b', provider: 'devino' },
    ]);
    db.close();
  });

  it('version 2: the sessions stored before it are held by the simulated transport', async () => {
    const before = new SqliteStore(file, { migrations: MIGRATIONS.slice(0, 1) });
    const { transport: _, ...unnamed } = session('maytapi-s1', 'live');
    await before.sessions.save(unnamed as Session);
    before.close();

    const migrated = new SqliteStore(file);
    await migrated.sessions.save(session('maytapi-s2', 'live'));
    expect((await migrated.sessions.list('maytapi:a')).map((s) => [s.id, s.transport])).toEqual([
      ['maytapi-s1', 'simulated'],
      ['maytapi-s2', 'live'],
    ]);
    migrated.close();
  });

  it('refuses a file written by a newer schema, naming both versions, and leaves it as it was', () => {
    new SqliteStore(file, { migrations: [...MIGRATIONS, PROVIDER_COLUMN] }).close();
    const refusal = () => new SqliteStore(file);
    expect(refusal).toThrow(SchemaVersionError);
    expect(refusal).toThrow(`${file} has schema version ${MIGRATIONS.length + 1}, but this sandbox knows versions up to ${MIGRATIONS.length}`);
    expect(userVersion()).toBe(MIGRATIONS.length + 1);
  });

  it('leaves the file at the version before a step that fails, with none of that step applied', async () => {
    const old = new SqliteStore(file);
    await old.accounts.save(account('wamm:a'));
    old.close();
    const failing: Migration = {
      version: MIGRATIONS.length + 1,
      description: 'fails half way',
      up: (db) => {
        db.exec('DELETE FROM accounts');
        throw new Error('half way');
      },
    };
    expect(() => new SqliteStore(file, { migrations: [...MIGRATIONS, failing] })).toThrow('half way');
    expect(userVersion()).toBe(MIGRATIONS.length);
    const reopened = new SqliteStore(file);
    expect(await reopened.accounts.list()).toEqual([account('wamm:a')]);
    reopened.close();
  });

  it('refuses a list of migrations with a version missing', () => {
    expect(() => new SqliteStore(file, { migrations: [...MIGRATIONS, { ...PROVIDER_COLUMN, version: MIGRATIONS.length + 2 }] })).toThrow('none missing');
  });
});
