import { formatReport, runConformance } from '#conformance';
import { startRewritingProxy, type Rewrite } from '../support/rewriting-proxy.js';
import { startSandbox, type RunningSandbox } from '../support/sandbox.js';

const SEND = '/wamessage/whatsapp/sendmessage/multi';
// A run registers and logs in a dozen users, each a deliberately slow scrypt hash: room for a loaded CI machine.
const RUN_TIMEOUT_MS = 60_000;

describe('the Wamessage conformance suite', () => {
  let sandbox: RunningSandbox;

  beforeAll(async () => {
    // The suite must cope with a sandbox on the real clock: it switches to manual and back itself.
    sandbox = await startSandbox({ clockMode: 'real' });
  });
  afterAll(() => sandbox.close());

  it('passes against the sandbox, every operation and scenario included', async () => {
    const report = await runConformance({ provider: 'wamessage', baseUrl: `${sandbox.origin}/wamessage` });
    const text = formatReport(report);
    expect({ ok: report.ok, failed: report.checks.filter((check) => check.status === 'failed').map((check) => [check.name, ...check.details].join('\n')) }).toEqual({ ok: true, failed: [] });
    expect(report.summary.skipped).toBe(0);
    expect(report.checks.filter((check) => check.kind === 'scenario')).toHaveLength(4);
    expect(report.unexercisedOperations).toEqual([]);
    expect(text).toMatch(/^conformance wamessage: \d+ passed, 0 failed, 0 skipped$/m);
    const clock = (await (await fetch(`${sandbox.origin}/__sandbox/clock`)).json()) as { mode: string };
    expect(clock.mode).toBe('real');
  }, RUN_TIMEOUT_MS);

  const quirks: Array<[string, Rewrite, RegExp]> = [
    [
      'send answering description "Message sent" instead of "Mesaj gönderildi"',
      ({ path }, response) => (path === SEND && response.status === 200 ? { ...response, body: response.body.replace('"Mesaj gönderildi"', '"Message sent"') } : undefined),
      /✗ contract sendMessageMulti[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*description[^\n]*Mesaj gönderildi/,
    ],
    [
      'send answering data.contacts as an array',
      ({ path }, response) => {
        if (path !== SEND || response.status !== 200) return undefined;
        const body = JSON.parse(response.body) as { data: { contacts: string | string[] } };
        body.data.contacts = String(body.data.contacts).split(',');
        return { ...response, body: JSON.stringify(body) };
      },
      /✗ contract sendMessageMulti[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*contacts/,
    ],
    [
      'a missing token refused with 403 instead of 401',
      (_request, response) => (response.status === 401 && response.body.includes('Authorization') ? { ...response, status: 403 } : undefined),
      /✗ contract devices[^\n]*403[^\n]*\(no token → refused\)/,
    ],
  ];

  it.each(quirks)('fails, with a readable report, against a server whose %s', async (_quirk, rewrite, expected) => {
    const proxy = await startRewritingProxy(sandbox.origin, rewrite);
    try {
      const report = await runConformance({ provider: 'wamessage', baseUrl: `${proxy.origin}/wamessage`, controlUrl: `${proxy.origin}/__sandbox` });
      const text = formatReport(report);
      expect(report.ok).toBe(false);
      expect(text).toMatch(expected);
      expect(text).toMatch(/^conformance wamessage: \d+ passed, [1-9]\d* failed, 0 skipped$/m);
    } finally {
      await proxy.close();
    }
  }, RUN_TIMEOUT_MS);

  it('without the control API skips what only the sandbox can do (typing the code, scenarios), saying why', async () => {
    const proxy = await startRewritingProxy(sandbox.origin, ({ path }) =>
      path.startsWith('/__sandbox') ? { status: 404, contentType: 'text/plain', body: 'Not Found' } : undefined,
    );
    try {
      const report = await runConformance({ provider: 'wamessage', baseUrl: `${proxy.origin}/wamessage` });
      const text = formatReport(report);
      const scenarios = report.checks.filter((check) => check.kind === 'scenario');
      expect(scenarios.length).toBe(4);
      expect(scenarios.every((check) => check.status === 'skipped')).toBe(true);
      expect(text).toMatch(/no control API at .*: scenario skipped/);
      expect(text).toMatch(/only a wa-sandbox can type the code/);
      expect(text).toMatch(/the user has no connected device to send from/);
      expect(report.ok).toBe(true);
    } finally {
      await proxy.close();
    }
  }, RUN_TIMEOUT_MS);
});
