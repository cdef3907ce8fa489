import { formatJUnit, runConformance } from '#conformance';
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
    expect([suite['@_tests'], suite['@_failures'], parsed.testsuites['@_failures']]).toEqual([String(report.checks.length), String(failedChecks.length), String(failedChecks.length)]);

    const failedCases = suite.testcase.filter((testCase) => testCase.failure !== undefined);
    expect(failedCases.map((testCase) => [testCase['@_classname'], testCase['@_name']])).toEqual(failedChecks.map((check) => [`conformance.wamessenger.${check.kind}`, check.name]));
    for (const [index, check] of failedChecks.entries()) {
      expect(failedCases[index]!.failure!['#text']).toContain(`✗ ${check.kind} ${check.name}`);
      expect(failedCases[index]!.failure!['#text']).toContain(check.details[0]!.split('\n')[0]);
    }
    expect(failedCases.some((testCase) => /pending/.test(testCase.failure!['#text']))).toBe(true);
    expect(suite['system-out']).toMatch(/conformance wamessenger: \d+ passed, [1-9]\d* failed, 0 skipped$/);
  }, 60_000);
});
