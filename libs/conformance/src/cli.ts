#!/usr/bin/env node
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { formatReport } from './report.js';
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
  process.exitCode = report.ok ? 0 : 1;
}

main().catch((err: unknown) => {
  process.stderr.write(`conformance: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exitCode = 1;
});
