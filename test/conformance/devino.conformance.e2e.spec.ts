import { runConformance } from '#conformance';
import {
  expectClockBackToReal,
  expectPassed,
  expectReadableFailure,
  expectScenariosSkipped,
  throughProxy,
  WITHOUT_CONTROL_API,
} from '../support/conformance-checks.js';
import type { RequestRewrite, Rewrite } from '../support/rewriting-proxy.js';
import { useSandbox } from '../support/sandbox.js';

// Each test is a whole conformance run over real sockets: about 1 s alone (600 queued messages in the
// validity scenario included), 5 s and more on a machine shared with other test runs.
const RUN_TIMEOUT_MS = 60_000;

describe('the Devino conformance suite', () => {
  // The suite must cope with a sandbox on the real clock: it switches to manual and back itself.
  const sandbox = useSandbox({ config: { clockMode: 'real' }, reset: false });

  it(
    'passes against the sandbox, every operation and scenario included',
    async () => {
      const report = await runConformance({ provider: 'devino', baseUrl: `${sandbox.origin}/devino` });
      expectPassed(report, 12);
      await expectClockBackToReal(sandbox.origin);
    },
    RUN_TIMEOUT_MS,
  );

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

  it.each(quirks)(
    'fails, with a readable report, against a server whose %s',
    async (_quirk, rewrite, expected) => {
      const report = await throughProxy(sandbox.origin, rewrite, (proxy) =>
        runConformance({ provider: 'devino', baseUrl: `${proxy}/devino`, controlUrl: `${proxy}/__sandbox` }),
      );
      expectReadableFailure(report, expected);
    },
    RUN_TIMEOUT_MS,
  );

  /** A server without one of the status-code behaviours, played by changing the requests it is sent. */
  const onSend =
    (change: (body: string) => string): RequestRewrite =>
    ({ path, body }) =>
      path.endsWith('/whatsapp/messages') ? change(body) : undefined;
  let duplicateCount = 0;
  const behaviourQuirks: Array<[string, RequestRewrite, RegExp]> = [
    [
      'ignores validity',
      onSend((body) => body.replace(/,"validity":30/g, '')),
      /✗ scenario validity[^\n]*\n(\s+[^\n]*\n)*?\s+final status of \d+: not reached/,
    ],
    [
      'lets a duplicate through',
      onSend((body) => body.replace(/"text":"wa-conformance: your order is ready"/g, () => `"text":"wa-conformance: your order is ready ${++duplicateCount}"`)),
      /✗ scenario duplicates[^\n]*\n(\s+[^\n]*\n)*?\s+the text and its repeat: expected \["READ 0","FAILED 2009"\] \(array\), got \["READ 0","READ 0"\]/,
    ],
    [
      'has no recipients that fail with a code of their own',
      onSend((body) => body.replace(/"to":"7903000(2\d{3})"/g, (_match, code: string) => `"to":"7903456${code}"`)),
      /✗ scenario status codes[^\n]*\n(\s+[^\n]*\n)*?\s+final statuses: expected \["FAILED 2000",/,
    ],
    [
      'ignores the failure code a test forces',
      ({ path, body }) => (/^\/__sandbox\/messages\/\d+\/status$/.test(path) ? body.replace(',"code":"2009"', '') : undefined),
      /✗ scenario status codes[^\n]*\n(\s+[^\n]*\n)*?\s+a failure forced with code 2009: expected \["FAILED 2009"\] \(array\), got \["FAILED 2313"\]/,
    ],
    [
      'ignores the account’s balance',
      ({ path, body }) => (path.endsWith('/limits') ? body.replace('"balance":1', '"balance":null') : undefined),
      /✗ scenario balance[^\n]*\n(\s+[^\n]*\n)*?\s+final statuses with a balance of 1: expected \["READ 0","READ 0","FAILED 2005"\] \(array\), got \["READ 0","READ 0","READ 0"\]/,
    ],
    [
      'caps free text at the template rate',
      onSend((body) => body.replace(/"text":"wa-conformance: free text (\d)"/g, '"templateId":"verification_code","templateParams":{"1":"free $1"}')),
      /✗ scenario WhatsApp errors[^\n]*\n(\s+[^\n]*\n)*?\s+final statuses: expected \["FAILED 2305","FAILED 2307","READ 0","FAILED 2301","READ 0",[^\n]*, got \["FAILED 2305","FAILED 2307","READ 0","FAILED 2301","FAILED 2301"/,
    ],
    [
      'takes captions over 1024 characters',
      onSend((body) => body.replace(/"text":"c{1025}"/, `"text":"${'d'.repeat(1024)}"`)),
      /✗ scenario text limits[^\n]*\n(\s+[^\n]*\n)*?\s+captions of 1025 and 1024 characters: expected \["FAILED 2304","READ 0"\] \(array\), got \["READ 0","READ 0"\]/,
    ],
  ];

  it.each(behaviourQuirks)(
    'fails, with a readable report, against a server that %s',
    async (_quirk, rewriteRequest, expected) => {
      const report = await throughProxy(
        sandbox.origin,
        () => undefined,
        (proxy) => runConformance({ provider: 'devino', baseUrl: `${proxy}/devino`, controlUrl: `${proxy}/__sandbox` }),
        { rewriteRequest },
      );
      expectReadableFailure(report, expected);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'skips the scenarios, saying why, against a server without the control API',
    async () => {
      const report = await throughProxy(sandbox.origin, WITHOUT_CONTROL_API, (proxy) => runConformance({ provider: 'devino', baseUrl: `${proxy}/devino` }));
      expectScenariosSkipped(report, 12);
    },
    RUN_TIMEOUT_MS,
  );
});
