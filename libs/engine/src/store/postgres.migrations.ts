import type { PoolClient } from 'pg';
import { SchemaVersionError } from './sqlite.migrations.js';

/** One step of the database's schema: `up` turns a schema of version `version - 1` into one of `version`. */
export interface PostgresMigration {
  version: number;
  description: string;
  up(client: PoolClient): Promise<unknown>;
}

/**
 * The same tables as the SQLite file's (sqlite.migrations.ts): the columns queries filter and sort on, and
 * the record as JSON text in `data` (text, not jsonb: jsonb reorders keys, and a webhook's payload must
 * reach its receiver byte for byte as the provider made it). `seq` numbers rows in insertion order; keys
 * that are sorted compare as bytes (COLLATE "C"), as SQLite's BINARY does.
 *
 * Shared work (store.ts, SharedWork): a schedule row carries its lease (`owner`, `lease_until` on the
 * database's wall clock), a `version` bumped by every put, and the `serial_key` of the jobs it must not
 * overtake; `queues` holds the order-keeping queues.
 */
const SCHEMA_1 = `
CREATE TABLE accounts (seq bigserial, id text COLLATE "C" PRIMARY KEY, data text NOT NULL);

CREATE TABLE messages (
  seq bigserial PRIMARY KEY,
  id text NOT NULL UNIQUE,
  account_id text NOT NULL,
  direction text NOT NULL,
  peer text NOT NULL,
  status text NOT NULL,
  created_at bigint NOT NULL,
  data text NOT NULL
);
CREATE INDEX messages_timeline ON messages (account_id, direction, seq);
CREATE INDEX messages_created ON messages (account_id, direction, created_at);

CREATE TABLE sessions (
  seq bigserial,
  id text PRIMARY KEY,
  account_id text NOT NULL,
  pairing_code text,
  transport text NOT NULL DEFAULT 'simulated',
  data text NOT NULL
);
CREATE INDEX sessions_account ON sessions (account_id, seq);
CREATE INDEX sessions_pairing ON sessions (pairing_code) WHERE pairing_code IS NOT NULL;

CREATE TABLE contacts (seq bigserial, account_id text NOT NULL, phone text NOT NULL, data text NOT NULL, PRIMARY KEY (account_id, phone));
CREATE INDEX contacts_account ON contacts (account_id, seq);

CREATE TABLE media (id text PRIMARY KEY, data text NOT NULL);

CREATE TABLE templates (name text COLLATE "C" NOT NULL, language text COLLATE "C" NOT NULL, data text NOT NULL, PRIMARY KEY (name, language));

CREATE TABLE conversations (line_id text NOT NULL, peer text NOT NULL, last_inbound_at bigint NOT NULL, PRIMARY KEY (line_id, peer));

CREATE TABLE groups (seq bigserial, line_id text NOT NULL, group_id text NOT NULL, data text NOT NULL, PRIMARY KEY (line_id, group_id));
CREATE INDEX groups_line ON groups (line_id, seq);

CREATE TABLE catalogs (line_id text PRIMARY KEY, products text NOT NULL);

CREATE TABLE sequences (name text PRIMARY KEY, value bigint NOT NULL);

CREATE TABLE webhook_events (
  seq bigserial,
  id text PRIMARY KEY,
  account_id text NOT NULL,
  state text NOT NULL,
  expires_at bigint NOT NULL,
  data text NOT NULL
);
CREATE INDEX webhook_events_pending ON webhook_events (account_id, state, seq);

CREATE TABLE webhook_attempts (seq bigserial PRIMARY KEY, account_id text NOT NULL, data text NOT NULL);
CREATE INDEX webhook_attempts_account ON webhook_attempts (account_id, seq);

CREATE TABLE schedule (
  seq bigserial,
  id text PRIMARY KEY,
  kind text NOT NULL,
  due_at bigint NOT NULL,
  payload text NOT NULL,
  version integer NOT NULL DEFAULT 0,
  owner text,
  lease_until timestamptz,
  serial_key text
);
CREATE INDEX schedule_due ON schedule (due_at, seq);
CREATE INDEX schedule_serial ON schedule (serial_key, due_at, seq) WHERE serial_key IS NOT NULL;

CREATE TABLE state (key text COLLATE "C" PRIMARY KEY, value text NOT NULL);

CREATE TABLE queues (seq bigserial PRIMARY KEY, queue text NOT NULL, item text NOT NULL);
CREATE INDEX queues_order ON queues (queue, seq);
`;

/** Every schema version in order; a new version is a new entry here, never an edit of an old one. */
export const POSTGRES_MIGRATIONS: readonly PostgresMigration[] = [{ version: 1, description: 'the first schema', up: (client) => client.query(SCHEMA_1) }];

/** Every table, for a reset. */
export const POSTGRES_TABLES = [
  'accounts',
  'messages',
  'sessions',
  'contacts',
  'media',
  'templates',
  'conversations',
  'groups',
  'catalogs',
  'sequences',
  'webhook_events',
  'webhook_attempts',
  'schedule',
  'state',
  'queues',
] as const;

/**
 * Brings the schema up to the last migration, in one transaction under an advisory lock: instances that
 * start together on an empty database migrate it once, the others wait and find it done. The version is
 * kept in `schema_version`; a schema written by a newer sandbox is refused.
 */
export async function migratePostgres(client: PoolClient, where: string, migrations: readonly PostgresMigration[] = POSTGRES_MIGRATIONS): Promise<number> {
  const latest = migrations.length;
  await client.query('BEGIN');
  try {
    // Any constant: the lock only keeps two migrating instances apart.
    await client.query('SELECT pg_advisory_xact_lock(7318)');
    await client.query('CREATE TABLE IF NOT EXISTS schema_version (version integer NOT NULL)');
    const { rows } = await client.query<{ version: number }>('SELECT version FROM schema_version');
    const current = rows[0]?.version ?? 0;
    if (current > latest) {
      throw new SchemaVersionError(
        `${where} has schema version ${current}, but this sandbox knows versions up to ${latest}: run the newer sandbox that wrote it, or start from scratch with another database`,
      );
    }
    for (const migration of migrations) if (migration.version > current) await migration.up(client);
    if (rows.length === 0) await client.query('INSERT INTO schema_version (version) VALUES ($1)', [latest]);
    else await client.query('UPDATE schema_version SET version = $1', [latest]);
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK');
    throw error;
  }
  return latest;
}
