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
  const suite = getSuite(options.provider);
  const file = suite.contract;
  const path = resolve(options.contractsDir ?? defaultContractsDir(file), file);
  const document: unknown = parse(await readFile(path, 'utf8'));
  const contract = Contract.fromDocument(document, path);
  const credentials = await suite.fuzzCredentials(options.baseUrl.replace(/\/$/, ''), options.key ?? 'wa-fuzz');
  return fuzz({ contract, document, baseUrl: options.baseUrl, ...credentials, requestsPerOperation: options.requestsPerOperation, seed: options.seed });
}
