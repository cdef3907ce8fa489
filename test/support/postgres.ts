import { randomBytes } from 'node:crypto';
import pg from 'pg';

/**
 * The PostgreSQL server tests run against: WA_SANDBOX_TEST_POSTGRES (`.ci/postgres.sh` starts one and sets
 * it). Without it, PostgreSQL tests skip, except under CI (CI=true), where they run and fail saying so.
 */
export const TEST_POSTGRES_URL = process.env.WA_SANDBOX_TEST_POSTGRES;

export const describeWithPostgres: jest.Describe = TEST_POSTGRES_URL || process.env.CI ? describe : describe.skip;

/** The server's url, or a failure that says how to get one (CI without a server). */
export function testPostgresUrl(): string {
  if (!TEST_POSTGRES_URL) throw new Error('WA_SANDBOX_TEST_POSTGRES is not set: start a server with `source .ci/postgres.sh` (CI does)');
  return TEST_POSTGRES_URL;
}

/** A schema name no other test uses: each test gets its own empty tables on the one server. */
export function freshSchemaName(prefix: string): string {
  return `${prefix}_${randomBytes(6).toString('hex')}`;
}

/** Drops a test's schema with everything in it. */
export async function dropSchema(schema: string): Promise<void> {
  const client = new pg.Client(testPostgresUrl());
  await client.connect();
  try {
    await client.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  } finally {
    await client.end();
  }
}
