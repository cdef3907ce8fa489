import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ControlClient } from '#conformance';
import { freePort, startServer, waitUntilServing, type ServerProcess } from './processes.js';

/**
 * Where a benchmarked sandbox keeps its records. Always named on its command line: `npm start` defaults to
 * SQLite in `./.wa-sandbox`, which would carry one run's messages into the next.
 */
export type StoreKind = 'memory' | 'sqlite' | 'postgres';

export const STORE_TITLES: Record<StoreKind, string> = { memory: 'memory store', sqlite: 'SQLite store', postgres: 'PostgreSQL store' };

/** A sandbox started exactly as `npm start` starts it (plus port, host, its store and any extra flags). */
export interface RunningSandbox {
  server: ServerProcess;
  store: StoreKind;
  origin: string;
  /** `<origin>/wamessenger` */
  base: string;
  control: ControlClient;
  /** Milliseconds from spawning the process to its first 200 on a WaMessenger route. */
  startupMs: number;
  /** Stops the process and removes its data directory. */
  stop(): Promise<void>;
}

/**
 * With `sqlite`, a fresh data directory per process (an empty file: every run starts from the same state);
 * with `postgres`, the database at `postgresUrl` (which the caller makes fresh) and a data directory of its own.
 */
export async function startSandbox(root: string, store: StoreKind, flags: string[] = [], postgresUrl?: string): Promise<RunningSandbox> {
  const dataDir = store === 'memory' ? undefined : mkdtempSync(join(tmpdir(), 'wa-bench-'));
  const location = store === 'postgres' ? postgresUrl : `sqlite:${join(dataDir ?? '', 'sandbox.db')}`;
  if (location === undefined) throw new Error('a PostgreSQL sandbox needs the url of its database');
  const storeFlags = dataDir === undefined ? ['--store', 'memory'] : ['--store', location, '--data-dir', dataDir];
  const port = await freePort();
  const started = performance.now();
  const server = startServer(
    `wa-sandbox (${STORE_TITLES[store]})`,
    process.execPath,
    [...startArguments(root), '--port', String(port), '--host', '127.0.0.1', ...storeFlags, ...flags],
    root,
  );
  const stop = async (): Promise<void> => {
    await server.stop();
    if (dataDir !== undefined) rmSync(dataDir, { recursive: true, force: true });
  };
  const origin = `http://127.0.0.1:${port}`;
  try {
    // `pending` answers 200 (`No Pending Message`) for any new key: the first answer a client can use.
    const startupMs = await waitUntilServing(server, `${origin}/wamessenger/pending/bench-startup`, started, 30_000);
    return { server, store, origin, base: `${origin}/wamessenger`, control: new ControlClient(`${origin}/__sandbox`), startupMs, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The arguments `npm start` gives node (its V8 settings included), read from package.json so the two never differ. */
function startArguments(root: string): string[] {
  const manifest = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { scripts: { start: string } };
  const [command, ...args] = manifest.scripts.start.trim().split(/\s+/);
  if (command !== 'node') throw new Error(`package.json's start script must run node, it runs: ${manifest.scripts.start}`);
  return args;
}

/** GET a WaMessenger route that answers JSON; fails on anything but 200. */
export async function getJson<T>(sandbox: RunningSandbox, path: string): Promise<T> {
  const response = await fetch(`${sandbox.base}${path}`);
  const text = await response.text();
  if (response.status !== 200)
    throw new Error(`GET ${path} answered ${response.status}: ${text.slice(0, 200)} (${response.headers.get('x-sandbox-error') ?? ''})`);
  return JSON.parse(text) as T;
}
