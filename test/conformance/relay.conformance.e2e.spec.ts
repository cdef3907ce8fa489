import { runConformance } from '#conformance';
import { expectClockBackToReal, expectPassed, expectReadableFailure, throughProxy } from '../support/conformance-checks.js';
import type { Rewrite } from '../support/rewriting-proxy.js';
import { useSandbox } from '../support/sandbox.js';

// A whole run takes a few seconds alone; on a machine busy with other work, several times that.
const RUN_TIMEOUT_MS = 60_000;

/** The relay's device API is the sandbox's own: its suite runs at the sandbox's origin (`--provider relay`, and in `--all`). */
describe('the relay conformance suite', () => {
  const sandbox = useSandbox({ config: { clockMode: 'real' }, reset: false });

  it(
    'passes against the sandbox, every operation and scenario included',
    async () => {
      const report = await runConformance({ provider: 'relay', baseUrl: sandbox.origin });
      expectPassed(report, 4);
      await expectClockBackToReal(sandbox.origin);
    },
    RUN_TIMEOUT_MS,
  );

  const quirks: Array<[string, Rewrite, RegExp]> = [
    [
      'poll answers "send" as 0 or 1',
      ({ path }, response) => (path.startsWith('/__relay/next') ? { ...response, body: response.body.replace('"send":false', '"send":0') } : undefined),
      /✗ contract relayNext/,
    ],
    [
      'result answers 200 for a message it never handed out',
      ({ path }, response) => (path.startsWith('/__relay/result') && response.status === 404 ? { ...response, status: 200, body: '{"ok":true}' } : undefined),
      /✗ contract relayResult[^\n]*a message never handed out/,
    ],
  ];

  it.each(quirks)(
    'fails, with a readable report, against a server whose %s',
    async (_quirk, rewrite, expected) => {
      const report = await throughProxy(sandbox.origin, rewrite, (proxy) =>
        runConformance({ provider: 'relay', baseUrl: proxy, controlUrl: `${proxy}/__sandbox` }),
      );
      expectReadableFailure(report, expected);
    },
    RUN_TIMEOUT_MS,
  );
});
