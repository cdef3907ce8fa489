import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { Contract } from './contract.js';
import { fuzz, type FuzzReport } from './fuzz.js';
import { defaultContractsDir } from './runner.js';
import { getSuite } from './suites/index.js';

export interface FuzzProviderOptions {
  provider: string;
  baseUrl: string;
  /** The account the valid-credential requests use (on a wa-sandbox any key is one). */
  key?: string;
  contractsDir?: string;
  requestsPerOperation?: number;
  seed?: number;
}

/** Fuzzes a provider's base url with its contract: what `npm run conformance -- --fuzz` runs. */
export async function fuzzProvider(options: FuzzProviderOptions): Promise<FuzzReport> {
  const file = getSuite(options.provider).contract;
  const path = resolve(options.contractsDir ?? defaultContractsDir(file), file);
  const document: unknown = parse(await readFile(path, 'utf8'));
  const contract = Contract.fromDocument(document, path);
  const credentials = await fuzzCredentials(options.provider, options.baseUrl, options.key ?? 'wa-fuzz');
  return fuzz({ contract, document, baseUrl: options.baseUrl, ...credentials, requestsPerOperation: options.requestsPerOperation, seed: options.seed });
}

/**
 * What the fuzzer needs to get past each provider's authentication, so that most of its requests reach
 * the provider's own validation: valid credentials and path values, made on the target itself. Each is
 * made as the provider's documented API makes it (on a wa-sandbox any key is an account).
 */
export interface FuzzCredentials {
  headers: Record<string, string>;
  pathValues: Record<string, string>;
}

type Prepare = (baseUrl: string, key: string) => Promise<FuzzCredentials>;

const PREPARE: Record<string, Prepare> = {
  wamessenger: async (_baseUrl, key) => ({ headers: {}, pathValues: { apikey: key } }),
  wamm: async (_baseUrl, key) => ({ headers: {}, pathValues: { token: key, phone: '79001234567', text: 'fuzz' } }),
  devino: async (_baseUrl, key) => ({ headers: { authorization: `Key ${key}` }, pathValues: {} }),
  maytapi: async (baseUrl, key) => {
    // A phone of the product, so the phone routes meet a real one.
    const headers = { 'x-maytapi-key': key };
    const added = await postJson(`${baseUrl}/addPhone`, {}, headers);
    const id = (added as { id?: unknown } | undefined)?.id;
    return { headers, pathValues: { phone_id: id === undefined ? '1' : String(id) } };
  },
  wamessage: async (baseUrl, key) => {
    const phone = `9055${String(hashDigits(key)).padStart(8, '0')}`;
    const password = `fuzz-${key}`;
    await postJson(`${baseUrl}/user/register`, { phone, password });
    const login = (await postJson(`${baseUrl}/user/login`, { phone, password })) as { data?: { token?: string } } | undefined;
    return { headers: { authorization: `Bearer ${login?.data?.token ?? ''}` }, pathValues: {} };
  },
};

export function fuzzCredentials(provider: string, baseUrl: string, key: string): Promise<FuzzCredentials> {
  const prepare = PREPARE[provider];
  if (!prepare) throw new Error(`the fuzzer does not know how to authenticate with ${provider}`);
  return prepare(baseUrl.replace(/\/$/, ''), key);
}

async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

function hashDigits(text: string): number {
  let h = 7;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) % 100_000_000;
  return h;
}
