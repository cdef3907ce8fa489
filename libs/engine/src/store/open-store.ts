import { MemoryStore } from './memory.store.js';
import { PostgresStore } from './postgres.store.js';
import { SqliteStore } from './sqlite.store.js';
import type { EngineStore } from './store.js';

/**
 * Where the engine keeps its world, named as a sandbox option would name it. The store itself stays
 * inside the engine: nothing outside it reads or writes the store except through the engine's services.
 * - `memory`: in the process, gone when it ends.
 * - `sqlite:<file>`: one SQLite file (created with its directory when missing), kept across restarts.
 * - `postgres://…` (or `postgresql://…`): a PostgreSQL database, which several instances may share.
 */
export type StoreLocation = 'memory' | `sqlite:${string}` | `postgres://${string}` | `postgresql://${string}`;

const SQLITE = 'sqlite:';

export function openStore(location: StoreLocation): EngineStore {
  if (location === 'memory') return new MemoryStore();
  if (location.startsWith('postgres://') || location.startsWith('postgresql://')) return new PostgresStore(location);
  return new SqliteStore(location.slice(SQLITE.length));
}
