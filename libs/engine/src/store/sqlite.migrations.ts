import type { Database } from 'better-sqlite3';

/** One step of the data file's schema: `up` turns a file of version `version - 1` into one of `version`. */
export interface Migration {
  version: number;
  description: string;
  up(db: Database): void;
}

/**
 * Tables hold the columns queries filter and sort on, and the record itself as JSON in `data`. Tables
 * whose lists come back in insertion order number their rows with an INTEGER PRIMARY KEY (`seq`): an upsert
 * keeps it, and VACUUM may renumber an implicit rowid but never that.
 */
const SCHEMA_1 = `
CREATE TABLE accounts (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, data TEXT NOT NULL);

CREATE TABLE messages (
  seq INTEGER PRIMARY KEY,
  id TEXT NOT NULL UNIQUE,
  account_id TEXT NOT NULL,
  direction TEXT NOT NULL,
  peer TEXT NOT NULL,
  status TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  data TEXT NOT NULL
);
-- A chat list page: one account's messages in one direction, newest or oldest first, filtered by status and peer.
CREATE INDEX messages_timeline ON messages (account_id, direction, seq, status, peer);
-- Counted and listed since a clock time (daily caps, rate limits).
CREATE INDEX messages_created ON messages (account_id, direction, created_at);

CREATE TABLE sessions (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL, pairing_code TEXT, data TEXT NOT NULL);
CREATE INDEX sessions_account ON sessions (account_id, seq);
CREATE INDEX sessions_pairing ON sessions (pairing_code) WHERE pairing_code IS NOT NULL;

CREATE TABLE contacts (seq INTEGER PRIMARY KEY, account_id TEXT NOT NULL, phone TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (account_id, phone));
CREATE INDEX contacts_account ON contacts (account_id, seq);

CREATE TABLE media (id TEXT PRIMARY KEY, data TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE templates (name TEXT NOT NULL, language TEXT NOT NULL, data TEXT NOT NULL, PRIMARY KEY (name, language)) WITHOUT ROWID;

CREATE TABLE conversations (line_id TEXT NOT NULL, peer TEXT NOT NULL, last_inbound_at INTEGER NOT NULL, PRIMARY KEY (line_id, peer)) WITHOUT ROWID;

CREATE TABLE groups (seq INTEGER PRIMARY KEY, line_id TEXT NOT NULL, group_id TEXT NOT NULL, data TEXT NOT NULL, UNIQUE (line_id, group_id));
CREATE INDEX groups_line ON groups (line_id, seq);

CREATE TABLE catalogs (line_id TEXT PRIMARY KEY, products TEXT NOT NULL) WITHOUT ROWID;

CREATE TABLE sequences (name TEXT PRIMARY KEY, value INTEGER NOT NULL) WITHOUT ROWID;

CREATE TABLE webhook_events (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, account_id TEXT NOT NULL, state TEXT NOT NULL, expires_at INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX webhook_events_pending ON webhook_events (account_id, state, seq);

CREATE TABLE webhook_attempts (seq INTEGER PRIMARY KEY, account_id TEXT NOT NULL, data TEXT NOT NULL);
CREATE INDEX webhook_attempts_account ON webhook_attempts (account_id, seq);

CREATE TABLE schedule (seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, due_at INTEGER NOT NULL, data TEXT NOT NULL);
CREATE INDEX schedule_due ON schedule (due_at, seq);

CREATE TABLE state (key TEXT PRIMARY KEY, value TEXT NOT NULL) WITHOUT ROWID;
`;

/** Every schema version in order; a new version is a new entry here, never an edit of an old one. */
export const MIGRATIONS: readonly Migration[] = [
  { version: 1, description: 'the first schema', up: (db) => db.exec(SCHEMA_1) },
  {
    version: 2,
    description: 'each session names the transport holding it: the simulated one for the sessions before',
    up: (db) => db.exec(`UPDATE sessions SET data = json_set(data, '$.transport', 'simulated') WHERE json_extract(data, '$.transport') IS NULL`),
  },
];

export class SchemaVersionError extends Error {}

/**
 * Brings the file's schema (`PRAGMA user_version`, 0 for a new file) up to the last migration's version,
 * each step in its own transaction so a failed step leaves the file at the version before it. A file
 * written by a newer sandbox is refused rather than read by code that does not know its tables.
 */
export function migrate(db: Database, file: string, migrations: readonly Migration[] = MIGRATIONS): number {
  migrations.forEach((migration, index) => {
    if (migration.version !== index + 1)
      throw new Error(`migration ${index + 1} says it is version ${migration.version}: versions go 1, 2, 3… with none missing`);
  });
  const latest = migrations.length;
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > latest) {
    throw new SchemaVersionError(
      `${file} has schema version ${current}, but this sandbox knows versions up to ${latest}: run the newer sandbox that wrote it, or start from scratch with another data file`,
    );
  }
  for (const migration of migrations) {
    if (migration.version <= current) continue;
    db.transaction(() => {
      migration.up(db);
      // Not a bound parameter: PRAGMA takes none. The version is our own integer.
      db.pragma(`user_version = ${Math.trunc(migration.version)}`);
    })();
  }
  return latest;
}
