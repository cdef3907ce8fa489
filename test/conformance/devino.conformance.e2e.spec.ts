import { runConformance } from '#conformance';
import { expectClockBackToReal, expectPassed, expectReadableFailure, expectScenariosSkipped, throughProxy, WITHOUT_CONTROL_API } from '../support/conformance-checks.js';
import type { Rewrite } from '../support/rewriting-proxy.js';
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
    expectPassed(report, 7);
    await expectClockBackToReal(sandbox.origin);
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
    const report = await throughProxy(sandbox.origin, rewrite, (proxy) => runConformance({ provider: 'devino', baseUrl: `${proxy}/devino`, controlUrl: `${proxy}/__sandbox` }));
    expectReadableFailure(report, expected);
  });

  it('skips the scenarios, saying why, against a server without the control API', async () => {
    const report = await throughProxy(sandbox.origin, WITHOUT_CONTROL_API, (proxy) => runConformance({ provider: 'devino', baseUrl: `${proxy}/devino` }));
    expectScenariosSkipped(report, 7);
  });
});
