import { formatJUnit, runConformance, type CheckResult, type ConformanceReport } from '#conformance';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { throughProxy } from '../support/conformance-checks.js';
import { startSandbox, type RunningSandbox } from '../support/sandbox.js';

interface TestCase {
  '@_classname': string;
  '@_name': string;
  failure?: { '@_message': string; '#text': string };
  skipped?: { '@_message': string };
}

describe('the conformance report as JUnit XML', () => {
  let sandbox: RunningSandbox;
  let dir: string;

  beforeAll(async () => {
    sandbox = await startSandbox();
    dir = await mkdtemp(join(tmpdir(), 'wa-sandbox-junit-'));
  });
  afterAll(async () => {
    await sandbox.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('names every failing check of a failing run, with its readable lines, and counts them', async () => {
    // Another implementation whose getStatus says "pending" where WaMessenger says "OK" for a queued message.
    const report = await throughProxy(
      sandbox.origin,
      ({ path }, response) => (path.includes('/getStatus/') ? { ...response, body: response.body.replace('"status":"OK"', '"status":"pending"') } : undefined),
      (proxy) => runConformance({ provider: 'wamessenger', baseUrl: `${proxy}/wamessenger`, controlUrl: `${proxy}/__sandbox` }),
    );
    const file = join(dir, 'wamessenger.junit.xml');
    await writeFile(file, formatJUnit(report));
    const text = await readFile(file, 'utf8');

    expect(XMLValidator.validate(text)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testcase' }).parse(text) as {
      testsuites: { '@_failures': string; testsuite: { '@_tests': string; '@_failures': string; testcase: TestCase[]; 'system-out': string } };
    };
    const suite = parsed.testsuites.testsuite;
    const failedChecks = report.checks.filter((check) => check.status === 'failed');
    expect(failedChecks.length).toBeGreaterThan(0);
    expect([suite['@_tests'], suite['@_failures'], parsed.testsuites['@_failures']]).toEqual([
      String(report.checks.length),
      String(failedChecks.length),
      String(failedChecks.length),
    ]);

    const failedCases = suite.testcase.filter((testCase) => testCase.failure !== undefined);
    expect(failedCases.map((testCase) => [testCase['@_classname'], testCase['@_name']])).toEqual(
      failedChecks.map((check) => [`conformance.wamessenger.${check.kind}`, check.name]),
    );
    for (const [index, check] of failedChecks.entries()) {
      expect(failedCases[index]!.failure!['#text']).toContain(`✗ ${check.kind} ${check.name}`);
      expect(failedCases[index]!.failure!['#text']).toContain(check.details[0]!.split('\n')[0]);
    }
    expect(failedCases.some((testCase) => /pending/.test(testCase.failure!['#text']))).toBe(true);
    expect(suite['system-out']).toMatch(/conformance wamessenger: \d+ passed, [1-9]\d* failed, 0 skipped$/);
  }, 60_000);

  it('gives each provider of an --all run its own test suite, and the totals of all of them', () => {
    const run = (provider: string, checks: CheckResult[]): ConformanceReport => {
      const count = (status: CheckResult['status']) => checks.filter((check) => check.status === status).length;
      const summary = { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
      return {
        provider,
        baseUrl: `http://127.0.0.1:4000/${provider}`,
        contract: `contracts/${provider}.openapi.yaml`,
        control: { url: 'http://127.0.0.1:4000/__sandbox', available: true },
        startedAt: '2026-03-01T09:00:00.000Z',
        durationMs: 1500,
        checks,
        unexercisedOperations: [],
        summary,
        ok: summary.failed === 0,
      };
    };
    const text = formatJUnit([
      run('wamessenger', [{ name: 'sendMessage', kind: 'contract', status: 'passed', details: [] }]),
      run('maytapi', [
        { name: 'sendMessage', kind: 'contract', status: 'failed', details: ['status 500, the contract declares 200'] },
        { name: 'webhook', kind: 'scenario', status: 'skipped', details: ['no control API'] },
      ]),
    ]);

    expect(XMLValidator.validate(text)).toBe(true);
    const parsed = new XMLParser({ ignoreAttributes: false, isArray: (name) => name === 'testsuite' || name === 'testcase' }).parse(text) as {
      testsuites: {
        '@_tests': string;
        '@_failures': string;
        '@_skipped': string;
        '@_time': string;
        testsuite: { '@_name': string; '@_tests': string; testcase: TestCase[] }[];
      };
    };
    const { testsuites } = parsed;
    expect([testsuites['@_tests'], testsuites['@_failures'], testsuites['@_skipped'], testsuites['@_time']]).toEqual(['3', '1', '1', '3.000']);
    expect(testsuites.testsuite.map((suite) => [suite['@_name'], suite['@_tests'], suite.testcase.map((testCase) => testCase['@_classname'])])).toEqual([
      ['conformance wamessenger', '1', ['conformance.wamessenger.contract']],
      ['conformance maytapi', '2', ['conformance.maytapi.contract', 'conformance.maytapi.scenario']],
    ]);
  });
});
