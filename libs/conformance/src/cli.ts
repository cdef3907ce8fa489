#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatJUnit, formatReport } from './report.js';
import type { FuzzReport } from './fuzz.js';
import { fuzzProvider } from './fuzz.targets.js';
import { runConformance } from './runner.js';
import { providers } from './suites/index.js';

const USAGE = `usage: node dist/libs/conformance/src/cli.js --provider <name> --base-url <url> [options]

Checks a server against the provider's OpenAPI contract (contracts/<provider>.openapi.yaml) and, when it
is a wa-sandbox (it answers <control-url>/health), runs the behavioural scenarios too.

  --provider <name>      one of: ${providers().join(', ')}
  --base-url <url>       the provider's base url, e.g. http://localhost:4000/wamessenger
  --key <key>            API key for the probes (default: a random one; any key works on a wa-sandbox)
  --phone <number>       recipient for the probes (default: the suite's sample number)
  --control-url <url>    wa-sandbox control API (default: <origin of base url>/__sandbox)
  --media-url <url>      media for sends that require a url (default on a wa-sandbox: an inline PNG)
  --contracts-dir <dir>  where the contracts live (default: the repository's contracts/)
  --json <file>          also write the report as JSON
  --junit <file>         also write it as JUnit XML, one test case per check, for CI test reports
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
  let values;
  try {
    ({ values } = parseArgs({
      options: {
        provider: { type: 'string' },
        'base-url': { type: 'string' },
        key: { type: 'string' },
        phone: { type: 'string' },
        'control-url': { type: 'string' },
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
  const provider = values.provider;
  const baseUrl = values['base-url'];
  if (!provider) usage('missing --provider');
  if (!providers().includes(provider)) usage(`unknown provider "${provider}"`);
  if (!baseUrl) usage('missing --base-url');
  for (const [flag, url] of [['--base-url', baseUrl], ['--control-url', values['control-url']]] as const) {
    if (url !== undefined && !URL.canParse(url)) usage(`${flag}: not a url: ${url}`);
  }

  if (values.fuzz !== undefined && values.junit !== undefined) usage('--junit writes a conformance run\'s checks; --fuzz has only --json');
  if (values.fuzz !== undefined) {
    const requests = Number(values.fuzz);
    const seed = values.seed === undefined ? 1 : Number(values.seed);
    if (!Number.isInteger(requests) || requests < 1) usage(`--fuzz: not a positive whole number: ${values.fuzz}`);
    if (!Number.isInteger(seed)) usage(`--seed: not a whole number: ${values.seed}`);
    const fuzzReport = await fuzzProvider({ provider, baseUrl, key: values.key, contractsDir: values['contracts-dir'], requestsPerOperation: requests, seed });
    process.stdout.write(`${formatFuzzReport(provider, fuzzReport)}\n`);
    if (values.json) await writeFile(values.json, `${JSON.stringify(fuzzReport, null, 2)}\n`);
    process.exitCode = fuzzReport.findings.length === 0 ? 0 : 1;
    return;
  }

  const report = await runConformance({
    provider,
    baseUrl,
    key: values.key,
    phone: values.phone,
    controlUrl: values['control-url'],
    mediaUrl: values['media-url'],
    contractsDir: values['contracts-dir'],
  });
  process.stdout.write(`${formatReport(report)}\n`);
  if (values.json) await writeFile(values.json, `${JSON.stringify(report, null, 2)}\n`);
  if (values.junit) await writeFile(values.junit, formatJUnit(report));
  process.exitCode = report.ok ? 0 : 1;
}

function formatFuzzReport(provider: string, report: FuzzReport): string {
  const statuses = Object.entries(report.statuses).map(([status, count]) => `${status}×${count}`).join(' ');
  const lines = [`fuzz ${provider}: ${report.sent} requests in ${(report.durationMs / 1000).toFixed(1)} s (${statuses}), ${report.findings.length} findings`];
  if (report.slowest) lines.push(`  slowest: ${report.slowest.ms} ms, ${report.slowest.operationId}: ${report.slowest.request}`);
  for (const finding of report.findings.slice(0, 50)) lines.push(`  ✗ ${finding.operationId} (${finding.mutation}): ${finding.problem}\n      ${finding.request}`);
  if (report.findings.length > 50) lines.push(`  … and ${report.findings.length - 50} more (--json has them all)`);
  return lines.join('\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`conformance: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
