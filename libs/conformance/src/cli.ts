#!/usr/bin/env node
import { randomBytes } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { PROVIDER_REGISTRY, sandboxBaseUrl } from '#providers';
import { formatJUnit, formatReport, type ConformanceReport } from './report.js';
import type { FuzzReport } from './fuzz.js';
import { fuzzProvider } from './fuzz.targets.js';
import { runConformance } from './runner.js';
import { SANDBOX_APIS, suiteNames } from './suites/index.js';

const USAGE = `usage: node dist/libs/conformance/src/cli.js --provider <name> --base-url <url> [options]
       node dist/libs/conformance/src/cli.js --all --origin <url> [options]

Checks a server against the provider's OpenAPI contract (contracts/<provider>.openapi.yaml) and, when it
is a wa-sandbox (it answers <control-url>/health), runs the behavioural scenarios too. The sandbox's own
device API for Android relay phones is checked the same way, as "relay", at the sandbox's origin.

  --provider <name>      one of: ${suiteNames().join(', ')}
  --base-url <url>       the provider's base url, e.g. http://localhost:4000/wamessenger
                         (relay: the sandbox's origin, e.g. http://localhost:4000)
  --all                  instead: every provider, one after the other, on the wa-sandbox at --origin
                         (e.g. http://localhost:4000), each with a random key (Maytapi: a new product),
                         then the relay's device API; with --json, one report per suite, by name
  --key <key>            API key for the probes (default: a random one; any key works on a wa-sandbox)
  --phone <number>       recipient for the probes (default: the suite's sample number)
  --control-url <url>    wa-sandbox control API (default: <origin of base url>/__sandbox)
  --control-token <t>    the sandbox's control token, when it was started with one (default: the
                         environment variable CONTROL_TOKEN, as the sandbox reads it)
  --media-url <url>      media for sends that require a url (default on a wa-sandbox: an inline PNG)
  --contracts-dir <dir>  where the contracts live (default: the repository's contracts/)
  --json <file>          also write the report as JSON
  --junit <file>         also write it as JUnit XML, one test case per check (with --all, one test
                         suite per provider), for CI test reports
  --fuzz <n>             instead: n malformed requests per operation (200 is what CI runs; see README,
                         Reliability); exits 1 on any 5xx, hang, or answer the contract does not declare
  --seed <n>             with --fuzz: which requests (default 1); the same seed sends the same ones
  -h, --help             this text

exit status: 0 all passed, 1 a check failed, 2 bad usage`;

function usage(message: string): never {
  process.stderr.write(`${message}\n\n${USAGE}\n`);
  process.exit(2);
}

async function main(): Promise<void> {
  // biome-ignore lint/suspicious/noImplicitAnyLet: typed by its one assignment below (TypeScript's evolving let)
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        provider: { type: 'string' },
        'base-url': { type: 'string' },
        all: { type: 'boolean' },
        origin: { type: 'string' },
        key: { type: 'string' },
        phone: { type: 'string' },
        'control-url': { type: 'string' },
        'control-token': { type: 'string' },
        'media-url': { type: 'string' },
        'contracts-dir': { type: 'string' },
        json: { type: 'string' },
        junit: { type: 'string' },
        fuzz: { type: 'string' },
        seed: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (err) {
    usage((err as Error).message);
  }
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const targets = values.all ? everyProvider(values) : oneProvider(values);
  const controlUrl = values['control-url'];
  if (controlUrl !== undefined && !URL.canParse(controlUrl)) usage(`--control-url: not a url: ${controlUrl}`);

  if (values.fuzz !== undefined && values.junit !== undefined) usage("--junit writes a conformance run's checks; --fuzz has only --json");
  if (values.fuzz !== undefined) {
    const requests = Number(values.fuzz);
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isInteger(requests) || requests < 1) usage(`--fuzz: not a positive whole number: ${values.fuzz}`);
    if (!Number.isInteger(seed)) usage(`--seed: not a whole number: ${values.seed}`);
    const reports: Record<string, FuzzReport> = {};
    for (const { provider, baseUrl } of targets) {
      const fuzzReport = await fuzzProvider({
        provider,
        baseUrl,
        key: values.key,
        contractsDir: values['contracts-dir'],
        requestsPerOperation: requests,
        seed,
      });
      process.stdout.write(`${formatFuzzReport(provider, fuzzReport)}\n`);
      reports[provider] = fuzzReport;
    }
    await writeJson(values.json, values.all ? reports : reports[targets[0]!.provider]);
    process.exitCode = Object.values(reports).every((report) => report.findings.length === 0) ? 0 : 1;
    return;
  }

  const reports: Record<string, ConformanceReport> = {};
  for (const { provider, baseUrl } of targets) {
    const report = await runConformance({
      provider,
      baseUrl,
      key: values.key,
      phone: values.phone,
      controlUrl,
      controlToken: values['control-token'] ?? (process.env.CONTROL_TOKEN || undefined),
      mediaUrl: values['media-url'],
      contractsDir: values['contracts-dir'],
    });
    process.stdout.write(`${formatReport(report)}\n`);
    reports[provider] = report;
  }
  const failed = Object.values(reports)
    .filter((report) => !report.ok)
    .map((report) => report.provider);
  if (values.all) process.stdout.write(`\nconformance, all ${targets.length} suites: ${failed.length === 0 ? 'passed' : `failed: ${failed.join(', ')}`}\n`);
  await writeJson(values.json, values.all ? reports : reports[targets[0]!.provider]);
  if (values.junit) await writeFile(values.junit, formatJUnit(Object.values(reports)));
  process.exitCode = failed.length === 0 ? 0 : 1;
}

interface Target {
  provider: string;
  baseUrl: string;
}
type Values = Record<string, string | boolean | undefined>;

/** --provider with --base-url, as given. */
function oneProvider(values: Values): Target[] {
  const provider = values.provider;
  const baseUrl = values['base-url'];
  if (typeof provider !== 'string') usage('missing --provider (or --all)');
  if (!suiteNames().includes(provider)) usage(`unknown provider "${provider}"`);
  if (typeof baseUrl !== 'string') usage('missing --base-url');
  if (values.origin !== undefined) usage('--origin goes with --all (for one provider, --base-url)');
  if (!URL.canParse(baseUrl)) usage(`--base-url: not a url: ${baseUrl}`);
  return [{ provider, baseUrl }];
}

/**
 * --all: every registered provider on the sandbox at --origin, then the sandbox's own APIs. The options that name one provider's
 * server or account have no meaning for all of them at once, so they are refused rather than shared.
 */
function everyProvider(values: Values): Target[] {
  for (const flag of ['provider', 'base-url', 'control-url', 'key', 'phone'] as const) {
    if (values[flag] !== undefined) usage(`--all names no single provider: --${flag} cannot go with it`);
  }
  const origin = values.origin;
  if (typeof origin !== 'string') usage('missing --origin (with --all)');
  if (!URL.canParse(origin)) usage(`--origin: not a url: ${origin}`);
  // A path account of its own (Maytapi binds a product to the first key it sees): a second run on the same sandbox starts afresh.
  const account = `wa-conformance-${randomBytes(4).toString('hex')}`;
  const base = new URL(origin).origin;
  return [
    ...PROVIDER_REGISTRY.map((provider) => ({ provider: provider.name, baseUrl: sandboxBaseUrl(base, provider, account) })),
    ...SANDBOX_APIS.map((api) => ({ provider: api, baseUrl: base })),
  ];
}

async function writeJson(file: string | boolean | undefined, value: unknown): Promise<void> {
  if (typeof file === 'string') await writeFile(file, `${JSON.stringify(value, null, 2)}\n`);
}

function formatFuzzReport(provider: string, report: FuzzReport): string {
  const statuses = Object.entries(report.statuses)
    .map(([status, count]) => `${status}×${count}`)
    .join(' ');
  const lines = [`fuzz ${provider}: ${report.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s (${statuses}), ${report.findings.length} findings`];
  if (report.slowest) lines.push(`  slowest: ${report.slowest.ms} ms, ${report.slowest.operationId}: ${report.slowest.request}`);
  for (const finding of report.findings.slice(0, 50))
    lines.push(`  ✗ ${finding.operationId} (${finding.mutation}): ${finding.problem}\n      ${finding.request}`);
  if (report.findings.length > 50) lines.push(`  … and ${report.findings.length - 50} more (--json has them all)`);
  return lines.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`conformance: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
