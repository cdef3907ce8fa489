import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describeWithPostgres, dropSchema, freshSchemaName, testPostgresUrl } from '../../../../test/support/postgres.js';
import { MemoryStore } from './memory.store.js';
import { PostgresStore } from './postgres.store.js';
import { SqliteStore } from './sqlite.store.js';
import { describeStoreConformance } from './store.conformance.js';

describeStoreConformance('memory', 'volatile', async (limits) => ({ store: new MemoryStore(limits), close: async () => {} }));

describeStoreConformance('SQLite', 'durable', async (limits) => {
  const dir = mkdtempSync(join(tmpdir(), 'wa-sandbox-store-'));
  const file = join(dir, 'sandbox.db');
  let store = new SqliteStore(file, limits);
  return {
    store,
    reopen: async () => {
      store.close();
      return (store = new SqliteStore(file, limits));
    },
    close: async () => {
      store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
});

describeWithPostgres('PostgreSQL (WA_SANDBOX_TEST_POSTGRES)', () => {
  describeStoreConformance('PostgreSQL', 'durable', async (limits) => {
    const url = testPostgresUrl();
    const schema = freshSchemaName('conformance');
    let store = new PostgresStore(url, { ...limits, schema });
    await store.ready;
    return {
      store,
      reopen: async () => {
        store.close();
        store = new PostgresStore(url, { ...limits, schema });
        await store.ready;
        return store;
      },
      close: async () => {
        store.close();
        await dropSchema(schema);
      },
    };
  });
});
