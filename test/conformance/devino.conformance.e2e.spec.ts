import { formatReport, runConformance } from '#conformance';
import { startRewritingProxy, type Rewrite } from '../support/rewriting-proxy.js';
import { startSandbox, type RunningSandbox } from '../support/sandbox.js';

describe('the Devino conformance suite', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    // The suite must cope with a sandbox on the real clock: it switches to manual and back itself.
    sandbox = await startSandbox({ clockMode: 'real' });
  });
  afterAll(() => sandbox.close());

  it('passes against the sandbox, every operation and scenario included', async () => {
    const report = await runConformance({ provider: 'devino', baseUrl: `${sandbox.origin}/devino` });
    const text = formatReport(report);
    expect({ ok: report.ok, failed: report.checks.filter((check) => check.status === 'failed').map((check) => [check.name, ...check.details]) }).toEqual({ ok: true, failed: [] });
    expect(report.summary.skipped).toBe(0);
    expect(report.checks.filter((check) => check.kind === 'scenario').length).toBe(7);
    expect(report.unexercisedOperations).toEqual([]);
    expect(text).toMatch(/^conformance devino: \d+ passed, 0 failed, 0 skipped$/m);
    const clock = (await (await fetch(`${sandbox.origin}/__sandbox/clock`)).json()) as { mode: string };
    expect(clock.mode).toBe('real');
  });

  const quirks: Array<[string, Rewrite, RegExp]> = [
    [
      'messageId answered as a JSON number instead of a string',
      ({ path }, response) =>
        path.endsWith('/whatsapp/messages') ? { ...response, body: response.body.replace(/"messageId":"(\d+)"/g, '"messageId":$1') } : undefined,
      /✗ contract sendMessages[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*messageId[^\n]*must be string/,
    ],
    [
      'code answered in lower case ("ok")',
      ({ path }, response) => (path.endsWith('/whatsapp/messages') ? { ...response, body: response.body.replace(/"code":"OK"/g, '"code":"ok"') } : undefined),
      /✗ contract sendMessages[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*code[^\n]*"OK"/,
    ],
    [
      'request-level refusals answered 200 instead of 400',
      ({ path }, response) => (path.endsWith('/whatsapp/messages') && response.status === 400 ? { ...response, status: 200 } : undefined),
      /✗ contract sendMessages[^\n]*refused[^\n]*\n(\s+[^\n]*\n)*?\s+expected status 400, got 200/,
    ],
  ];

  it.each(quirks)('fails, with a readable report, against a server whose %s', async (_quirk, rewrite, expected) => {
    const proxy = await startRewritingProxy(sandbox.origin, rewrite);
    try {
      const report = await runConformance({ provider: 'devino', baseUrl: `${proxy.origin}/devino`, controlUrl: `${proxy.origin}/__sandbox` });
      const text = formatReport(report);
      expect(report.ok).toBe(false);
      expect(text).toMatch(expected);
      expect(text).toMatch(/^conformance devino: \d+ passed, [1-9]\d* failed, 0 skipped$/m);
    } finally {
      await proxy.close();
    }
  });

  it('skips the scenarios, saying why, against a server without the control API', async () => {
    const proxy = await startRewritingProxy(sandbox.origin, ({ path }) =>
      path.startsWith('/__sandbox') ? { status: 404, contentType: 'text/plain', body: 'Not Found' } : undefined,
    );
    try {
      const report = await runConformance({ provider: 'devino', baseUrl: `${proxy.origin}/devino` });
      const scenarios = report.checks.filter((check) => check.kind === 'scenario');
      expect(scenarios.length).toBe(7);
      expect(scenarios.every((check) => check.status === 'skipped')).toBe(true);
      expect(formatReport(report)).toMatch(/no control API at .*: scenario skipped/);
      expect(report.ok).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
