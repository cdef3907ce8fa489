import { runConformance } from '#conformance';
import {
  expectClockBackToReal,
  expectPassed,
  expectReadableFailure,
  expectScenariosSkipped,
  throughProxy,
  WITHOUT_CONTROL_API,
} from '../support/conformance-checks.js';
import type { Rewrite } from '../support/rewriting-proxy.js';
import { useSandbox } from '../support/sandbox.js';

// A whole run takes a few seconds alone; on a machine busy with other work, several times that.
const RUN_TIMEOUT_MS = 60_000;

describe('the WaMessenger conformance suite', () => {
  // The suite must cope with a sandbox on the real clock: it switches to manual and back itself.
  const sandbox = useSandbox({ config: { clockMode: 'real' }, reset: false });

  it(
    'passes against the sandbox, every operation and scenario included',
    async () => {
      const report = await runConformance({ provider: 'wamessenger', baseUrl: `${sandbox.origin}/wamessenger` });
      expectPassed(report, 8);
      await expectClockBackToReal(sandbox.origin);
    },
    RUN_TIMEOUT_MS,
  );

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
      ({ path }, response) =>
        path.includes('/pending/') && response.body === 'No Pending Message' ? { ...response, contentType: 'application/json', body: '[]' } : undefined,
      /✗ [^\n]*pending/,
    ],
    [
      'getStatus answering "status":"pending" for a queued message',
      ({ path }, response) =>
        path.includes('/getStatus/')
          ? {
              ...response,
              body: response.body.replace(
                '"status":"OK","statusInfo":"Message is in the send queue"',
                '"status":"pending","statusInfo":"Message is in the send queue"',
              ),
            }
          : undefined,
      /✗ scenario pending[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*status[^\n]*pending/,
    ],
    [
      'sendMessage refusing a text-only array send without url (Bad Request)',
      // The proxy sees only answers: it refuses every array send, and the report must name the text-only one.
      ({ path }, response) =>
        path.includes('/sendMessage/') && response.contentType.startsWith('application/json')
          ? { status: 400, contentType: 'text/plain; charset=utf-8', body: 'Bad Request' }
          : undefined,
      /✗ contract sendMessage[^\n]*text only \(no url\)/,
    ],
  ];

  it.each(quirks)(
    'fails, with a readable report, against a server whose %s',
    async (_quirk, rewrite, expected) => {
      const report = await throughProxy(sandbox.origin, rewrite, (proxy) =>
        runConformance({ provider: 'wamessenger', baseUrl: `${proxy}/wamessenger`, controlUrl: `${proxy}/__sandbox` }),
      );
      expectReadableFailure(report, expected);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'skips the scenarios, saying why, against a server without the control API',
    async () => {
      const report = await throughProxy(sandbox.origin, WITHOUT_CONTROL_API, (proxy) =>
        runConformance({ provider: 'wamessenger', baseUrl: `${proxy}/wamessenger` }),
      );
      expectScenariosSkipped(report, 8);
    },
    RUN_TIMEOUT_MS,
  );
});
