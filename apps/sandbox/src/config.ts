import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MAX_CONCURRENT_FETCHES, DEFAULT_MEDIA_MAX_AGE_MS, DEFAULT_MEDIA_MAX_BYTES, type AccountSeed, type ClockMode } from '#engine';

/** Where the engine keeps its records. */
export type StoreChoice = { kind: 'memory' } | { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: `postgres://${string}` | `postgresql://${string}` };

/** What stands behind the providers: the simulated WhatsApp (virtual customers, the clock), or real sessions (Baileys). */
export type TransportChoice = 'simulated' | 'live';

export const DEFAULT_DATA_DIR = '.wa-sandbox';
export const DEFAULT_SQLITE_FILE = 'sandbox.db';

export interface SandboxConfig {
  port: number;
  host: string;
  clockMode: ClockMode;
  clockSpeed: number;
  /** Virtual time at start (epoch ms); undefined = the wall time at start. */
  clockStart: number | undefined;
  seed: number;
  /** Strict mode: only the accounts in this file exist. */
  accountsFile: string | undefined;
  strictAccounts: AccountSeed[] | undefined;
  webhookTimeoutMs: number;
  /** How clients reach the sandbox; used in URLs the sandbox hands out (sample media). */
  publicUrl: string;
  logRequests: boolean;
  /** Where the engine's records live; undefined = in memory (what tests and benchmarks build). */
  store?: StoreChoice;
  /**
   * Where uploaded media and downloads in progress live; undefined = a fresh temp directory per process.
   * With a durable store the files there outlive the process, as their records do.
   */
  mediaDir?: string | undefined;
  /** Bytes of uploaded media kept at most (oldest evicted first). */
  mediaMaxBytes?: number;
  /** Clock seconds an upload is kept. */
  mediaMaxAgeSeconds?: number;
  /** Media downloads running at once. */
  mediaFetches?: number;
  /** Host patterns media URLs may name (`*.example.com`); undefined = any host. */
  mediaHosts?: string[] | undefined;
  /**
   * When set, the control API (`/__sandbox`) and the dashboard (`/`) answer 401 without it (a bearer header, or
   * the dashboard's login cookie); provider routes never ask for it. Undefined: open to whoever reaches the port.
   */
  controlToken?: string | undefined;
  /** undefined = simulated (what tests and benchmarks build). */
  transport?: TransportChoice;
}

export class ConfigError extends Error {}

export const USAGE = `Usage: npm start -- [options]     (every option also reads an environment variable)

  --port <n>                 PORT                 listening port (default 4000)
  --host <addr>              HOST                 listening address (default 127.0.0.1; 0.0.0.0 in containers)
  --clock <real|manual>      CLOCK                real: wall time x speed; manual: time moves only via the control API (default real)
  --speed <x>                CLOCK_SPEED          real-clock speed factor, e.g. 60 for one virtual minute per second (default 1)
  --start <iso-date>         CLOCK_START          virtual time at start (default now)
  --seed <n>                 SEED                 seed for every random choice (default 1)
  --accounts <file.json>     ACCOUNTS_FILE        strict mode: only these accounts exist ({"accounts":[{"provider","key"}]})
  --webhook-timeout-ms <n>   WEBHOOK_TIMEOUT_MS   one webhook attempt's time limit (default 5000)
  --public-url <url>         PUBLIC_URL           how clients reach the sandbox (default http://localhost:<port>)
  --log-requests             LOG_REQUESTS=1       log every request
  --data-dir <dir>           DATA_DIR             where the sandbox keeps what outlives a restart (default ./${DEFAULT_DATA_DIR})
  --store <kind>             STORE                sqlite:<file> keeps accounts, messages, sessions... across restarts (default
                                                  sqlite:<data-dir>/${DEFAULT_SQLITE_FILE}); memory forgets everything on exit;
                                                  postgres://user@host/db is shared by every instance started on it
                                                  (real clock only; give them all one --media-dir)
  --media-dir <dir>          MEDIA_DIR            where uploaded media is kept (default <data-dir>/media with a SQLite store,
                                                  kept across restarts; with memory, a fresh temp directory removed on exit)
  --media-max-bytes <n>      MEDIA_MAX_BYTES      bytes of uploads kept, oldest evicted first (default 1073741824, 1 GB)
  --media-max-age-seconds <n>  MEDIA_MAX_AGE_SECONDS  clock seconds an upload is kept (default 172800, 48 h)
  --media-fetches <n>        MEDIA_FETCHES        media downloads at once; more wait their turn (default 4)
  --media-hosts <list>       MEDIA_HOSTS          hosts media URLs may name, comma-separated, * wildcards (default any)
  --control-token <token>    CONTROL_TOKEN        the control API and the dashboard ask for it (Authorization: Bearer <token>,
                                                  or the dashboard's login); provider routes never do (default: no token)
  --transport <kind>         TRANSPORT            simulated: virtual customers on the clock (default); live: real WhatsApp
                                                  sessions you link with a phone (see "Going live" in the README)
  --help`;

/** Flags win over environment variables; every value is checked, with a message naming its source. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): SandboxConfig | 'help' {
  let flags: Record<string, string | boolean | undefined>;
  try {
    flags = parseArgs({
      args: argv,
      strict: true,
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        clock: { type: 'string' },
        speed: { type: 'string' },
        start: { type: 'string' },
        seed: { type: 'string' },
        accounts: { type: 'string' },
        'webhook-timeout-ms': { type: 'string' },
        'public-url': { type: 'string' },
        'log-requests': { type: 'boolean' },
        'data-dir': { type: 'string' },
        store: { type: 'string' },
        'media-dir': { type: 'string' },
        'media-max-bytes': { type: 'string' },
        'media-max-age-seconds': { type: 'string' },
        'media-fetches': { type: 'string' },
        'media-hosts': { type: 'string' },
        'control-token': { type: 'string' },
        transport: { type: 'string' },
        help: { type: 'boolean' },
      },
    }).values;
  } catch (error) {
    throw new ConfigError(error instanceof Error ? error.message : String(error));
  }
  if (flags.help) return 'help';

  const read = (flag: string, variable: string): { value: string; source: string } | undefined => {
    const fromFlag = flags[flag];
    if (typeof fromFlag === 'string') return { value: fromFlag, source: `--${flag}` };
    const fromEnv = env[variable];
    if (fromEnv !== undefined && fromEnv !== '') return { value: fromEnv, source: `environment variable ${variable}` };
    return undefined;
  };
  const fail = (input: { value: string; source: string }, expected: string): never => {
    throw new ConfigError(`invalid ${input.source} "${input.value}": expected ${expected}`);
  };
  const integer = (flag: string, variable: string, fallback: number, min: number, max: number): number => {
    const input = read(flag, variable);
    if (!input) return fallback;
    const value = Number(input.value);
    if (!/^\d+$/.test(input.value.trim()) || value < min || value > max) fail(input, `an integer from ${min} to ${max}`);
    return value;
  };

  const port = integer('port', 'PORT', 4000, 0, 65535);
  const host = read('host', 'HOST')?.value ?? '127.0.0.1';

  const clockInput = read('clock', 'CLOCK');
  const clockMode = (clockInput?.value ?? 'real') as ClockMode;
  if (clockInput && clockMode !== 'real' && clockMode !== 'manual') fail(clockInput, '"real" or "manual"');

  const speedInput = read('speed', 'CLOCK_SPEED');
  const clockSpeed = speedInput ? Number(speedInput.value) : 1;
  if (speedInput && !(Number.isFinite(clockSpeed) && clockSpeed > 0 && clockSpeed <= 1_000_000)) fail(speedInput, 'a number above 0 (at most 1000000)');

  const startInput = read('start', 'CLOCK_START');
  const clockStart = startInput ? Date.parse(startInput.value) : undefined;
  if (startInput && Number.isNaN(clockStart)) fail(startInput, 'an ISO date such as 2026-01-01T09:00:00Z');

  const seed = integer('seed', 'SEED', 1, 0, 2 ** 31 - 1);

  const accountsInput = read('accounts', 'ACCOUNTS_FILE');
  const strictAccounts = accountsInput ? readAccounts(accountsInput.value, accountsInput.source) : undefined;

  const webhookTimeoutMs = integer('webhook-timeout-ms', 'WEBHOOK_TIMEOUT_MS', 5000, 1, 600_000);

  const publicInput = read('public-url', 'PUBLIC_URL');
  const publicUrl = (publicInput?.value ?? `http://localhost:${port}`).replace(/\/+$/, '');
  if (publicInput && !/^https?:\/\/[^/]+/.test(publicUrl)) fail(publicInput, 'an http(s) URL');

  const logRequests = flags['log-requests'] === true || env.LOG_REQUESTS === '1';

  const dataDir = resolve(read('data-dir', 'DATA_DIR')?.value ?? DEFAULT_DATA_DIR);
  const storeInput = read('store', 'STORE');
  let store: StoreChoice = { kind: 'sqlite', file: join(dataDir, DEFAULT_SQLITE_FILE) };
  if (storeInput?.value === 'memory') store = { kind: 'memory' };
  else if (storeInput?.value.startsWith('sqlite:') && storeInput.value.length > 'sqlite:'.length) {
    store = { kind: 'sqlite', file: resolve(storeInput.value.slice('sqlite:'.length)) };
  } else if (storeInput && /^postgres(ql)?:\/\/./.test(storeInput.value)) {
    store = { kind: 'postgres', url: storeInput.value as `postgres://${string}` };
  } else if (storeInput) fail(storeInput, '"memory", "sqlite:<file>" or "postgres://…", such as sqlite:./data/sandbox.db');

  const mediaDir = read('media-dir', 'MEDIA_DIR')?.value ?? (store.kind !== 'memory' ? join(dataDir, 'media') : undefined);
  const mediaMaxBytes = integer('media-max-bytes', 'MEDIA_MAX_BYTES', DEFAULT_MEDIA_MAX_BYTES, 1, Number.MAX_SAFE_INTEGER);
  const mediaMaxAgeSeconds = integer('media-max-age-seconds', 'MEDIA_MAX_AGE_SECONDS', DEFAULT_MEDIA_MAX_AGE_MS / 1000, 1, 10 * 365 * 86_400);
  const mediaFetches = integer('media-fetches', 'MEDIA_FETCHES', DEFAULT_MAX_CONCURRENT_FETCHES, 1, 1000);
  const hostsInput = read('media-hosts', 'MEDIA_HOSTS');
  const mediaHosts = hostsInput?.value
    .split(',')
    .map((host) => host.trim().toLowerCase())
    .filter((host) => host !== '');
  if (hostsInput && (mediaHosts!.length === 0 || mediaHosts!.some((host) => !/^[\w.*:[\]-]+$/.test(host)))) {
    fail(hostsInput, 'host names or patterns separated by commas, such as media.example.com,*.cdn.example.com,127.0.0.1');
  }

  const tokenInput = read('control-token', 'CONTROL_TOKEN');
  // Visible ASCII only: the token travels in an Authorization header and a cookie, where spaces and controls cannot.
  if (tokenInput && !/^[\x21-\x7e]+$/.test(tokenInput.value)) fail(tokenInput, 'visible ASCII characters without spaces');
  const transportInput = read('transport', 'TRANSPORT');
  const transport = (transportInput?.value ?? 'simulated') as TransportChoice;
  if (transportInput && transport !== 'simulated' && transport !== 'live') fail(transportInput, '"simulated" or "live"');

  return {
    port,
    host,
    clockMode,
    clockSpeed,
    clockStart,
    seed,
    accountsFile: accountsInput?.value,
    strictAccounts,
    webhookTimeoutMs,
    publicUrl,
    logRequests,
    store,
    mediaDir,
    mediaMaxBytes,
    mediaMaxAgeSeconds,
    mediaFetches,
    mediaHosts,
    controlToken: tokenInput?.value,
    transport,
  };
}

function readAccounts(file: string, source: string): AccountSeed[] {
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`cannot read accounts file ${file} (${source}): ${error instanceof Error ? error.message : String(error)}`);
  }
  const accounts = (parsed as { accounts?: unknown })?.accounts;
  if (!Array.isArray(accounts)) throw new ConfigError(`accounts file ${file} must look like {"accounts":[{"provider":"wamessenger","key":"..."}]}`);
  return accounts.map((entry, index) => {
    const { provider, key, linePhone } = (entry ?? {}) as Record<string, unknown>;
    if (typeof provider !== 'string' || typeof key !== 'string' || key === '') {
      throw new ConfigError(`accounts file ${file}: accounts[${index}] needs string "provider" and "key"`);
    }
    if (linePhone !== undefined && (typeof linePhone !== 'string' || !/^\d{8,15}$/.test(linePhone))) {
      throw new ConfigError(`accounts file ${file}: accounts[${index}].linePhone must be 8-15 digits`);
    }
    return { provider, key, ...(typeof linePhone === 'string' ? { linePhone } : {}) };
  });
}
