import { formatReport, runConformance } from '#conformance';
import { startRewritingProxy, type Rewrite } from '../support/rewriting-proxy.js';
import { startSandbox, type RunningSandbox } from '../support/sandbox.js';

describe('the WAMM conformance suite', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    // The suite must cope with a sandbox on the real clock: it switches to manual and back itself.
    sandbox = await startSandbox({ clockMode: 'real' });
  });
  afterAll(() => sandbox.close());

  it('passes against the sandbox, every operation and scenario included', async () => {
    const report = await runConformance({ provider: 'wamm', baseUrl: `${sandbox.origin}/wamm` });
    const text = formatReport(report);
    expect({ ok: report.ok, failed: report.checks.filter((check) => check.status === 'failed').map((check) => [check.name, ...check.details]) }).toEqual({ ok: true, failed: [] });
    expect(report.summary.skipped).toBe(0);
    expect(report.checks.filter((check) => check.kind === 'scenario')).toHaveLength(8);
    expect(report.unexercisedOperations).toEqual([]);
    expect(text).toMatch(/^conformance wamm: \d+ passed, 0 failed, 0 skipped$/m);
    const clock = (await (await fetch(`${sandbox.origin}/__sandbox/clock`)).json()) as { mode: string };
    expect(clock.mode).toBe('real');
  });

  const quirks: Array<[string, Rewrite, RegExp]> = [
    [
      'msg_to answering msg_id as a quoted string',
      ({ path }, response) => (path.includes('/msg_to/') ? { ...response, body: response.body.replace(/"msg_id":(\d+)/, '"msg_id":"$1"') } : undefined),
      /✗ contract msgTo[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*msg_id/,
    ],
    [
      'success answering err as the string "0"',
      ({ path }, response) => (path.includes('/check_phone/') ? { ...response, body: response.body.replace('"err":0', '"err":"0"') } : undefined),
      /✗ contract checkPhone/,
    ],
    [
      'msg_state answering msg_data keys in another order',
      ({ path }, response) =>
        path.includes('/msg_state/') ? { ...response, body: response.body.replace(/\{"msg_id":("\d+"),"phone":("\d+"),/, '{"phone":$2,"msg_id":$1,') } : undefined,
      /✗ scenario wire format[^\n]*\n\s+msg_state right after the send answered \{"err":0,"msg_data":\{"phone"/,
    ],
    [
      'error texts spelled differently ("Phone fail")',
      ({ path }, response) => (path.startsWith('/wamm/') ? { ...response, body: response.body.replace('"phone fail"', '"Phone fail"') } : undefined),
      /✗ scenario input errors[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*Phone fail/,
    ],
  ];

  it.each(quirks)('fails, with a readable report, against a server whose %s', async (_quirk, rewrite, expected) => {
    const proxy = await startRewritingProxy(sandbox.origin, rewrite);
    try {
      const report = await runConformance({ provider: 'wamm', baseUrl: `${proxy.origin}/wamm`, controlUrl: `${proxy.origin}/__sandbox` });
      const text = formatReport(report);
      expect(report.ok).toBe(false);
      expect(text).toMatch(expected);
      expect(text).toMatch(/^conformance wamm: \d+ passed, [1-9]\d* failed, 0 skipped$/m);
    } finally {
      await proxy.close();
    }
  });

  it('skips the scenarios, saying why, against a server without the control API', async () => {
    const proxy = await startRewritingProxy(sandbox.origin, ({ path }) =>
      path.startsWith('/__sandbox') ? { status: 404, contentType: 'text/plain', body: 'Not Found' } : undefined,
    );
    try {
      const report = await runConformance({ provider: 'wamm', baseUrl: `${proxy.origin}/wamm` });
      const scenarios = report.checks.filter((check) => check.kind === 'scenario');
      expect(scenarios).toHaveLength(8);
      expect(scenarios.every((check) => check.status === 'skipped')).toBe(true);
      expect(formatReport(report)).toMatch(/no control API at .*: scenario skipped/);
      expect(report.ok).toBe(true);
    } finally {
      await proxy.close();
    }
  });
});
