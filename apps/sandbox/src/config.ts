import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import type { AccountSeed, ClockMode } from '#engine';

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

  return { port, host, clockMode, clockSpeed, clockStart, seed, accountsFile: accountsInput?.value, strictAccounts, webhookTimeoutMs, publicUrl, logRequests };
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
