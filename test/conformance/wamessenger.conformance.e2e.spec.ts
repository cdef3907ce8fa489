import { formatReport, runConformance } from '#conformance';
import { startRewritingProxy, type Rewrite } from '../support/rewriting-proxy.js';
import { startSandbox, type RunningSandbox } from '../support/sandbox.js';

describe('the WaMessenger conformance suite', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    // The suite must cope with a sandbox on the real clock: it switches to manual and back itself.
    sandbox = await startSandbox({ clockMode: 'real' });
  });
  afterAll(() => sandbox.close());

  it('passes against the sandbox, every operation and scenario included', async () => {
    const report = await runConformance({ provider: 'wamessenger', baseUrl: `${sandbox.origin}/wamessenger` });
    const text = formatReport(report);
    expect({ ok: report.ok, failed: report.checks.filter((check) => check.status === 'failed').map((check) => check.name) }).toEqual({ ok: true, failed: [] });
    expect(report.summary.skipped).toBe(0);
    expect(report.checks.some((check) => check.kind === 'scenario')).toBe(true);
    expect(report.unexercisedOperations).toEqual([]);
    expect(text).toMatch(/^conformance wamessenger: \d+ passed, 0 failed, 0 skipped$/m);
    const clock = (await (await fetch(`${sandbox.origin}/__sandbox/clock`)).json()) as { mode: string };
    expect(clock.mode).toBe('real');
  });

  const quirks: Array<[string, Rewrite, RegExp]> = [
    [
      'webhook/set answering "set": true (a boolean) instead of the string "true"',
      ({ path }, response) => (path.includes('/webhook/set/') ? { ...response, body: response.body.replace('"set":"true"', '"set":true') } : undefined),
      /✗ contract webhookSet[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*set[^\n]*got true \(boolean\)/,
    ],
    [
      'sendMessage answering one recipient with a JSON number instead of plain text',
      ({ path }, response) =>
        path.includes('/sendMessage/') && response.contentType.startsWith('text/plain') && response.status === 200
          ? { ...response, contentType: 'application/json' }
          : undefined,
      /✗ contract sendMessage[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*application\/json/,
    ],
    [
      'pending answering [] instead of "No Pending Message"',
      ({ path }, response) => (path.includes('/pending/') && response.body === 'No Pending Message' ? { ...response, contentType: 'application/json', body: '[]' } : undefined),
      /✗ [^\n]*pending/,
    ],
  ];

  it.each(quirks)('fails, with a readable report, against a server whose %s', async (_quirk, rewrite, expected) => {
    const proxy = await startRewritingProxy(sandbox.origin, rewrite);
    try {
      const report = await runConformance({ provider: 'wamessenger', baseUrl: `${proxy.origin}/wamessenger`, controlUrl: `${proxy.origin}/__sandbox` });
      const text = formatReport(report);
      expect(report.ok).toBe(false);
      expect(text).toMatch(expected);
      expect(text).toMatch(/^conformance wamessenger: \d+ passed, [1-9]\d* failed, 0 skipped$/m);
    } finally {
      await proxy.close();
    }
  });

  it('skips the scenarios, saying why, against a server without the control API', async () => {
    const proxy = await startRewritingProxy(sandbox.origin, ({ path }) =>
      path.startsWith('/__sandbox') ? { status: 404, contentType: 'text/plain', body: 'Not Found' } : undefined,
    );
    try {
      const report = await runConformance({ provider: 'wamessenger', baseUrl: `${proxy.origin}/wamessenger` });
      const scenarios = report.checks.filter((check) => check.kind === 'scenario');
      expect(scenarios.length).toBeGreaterThan(0);
      expect(scenarios.every((check) => check.status === 'skipped')).toBe(true);
      expect(formatReport(report)).toMatch(/no control API at .*: scenario skipped/);
      expect(report.ok).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
