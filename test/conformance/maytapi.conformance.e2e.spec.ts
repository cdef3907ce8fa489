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

const PRODUCT = 'dc01968f-0000-4000-8000-7cfcf51aa423';
const TOKEN = 'b267697c-0000-4000-8000-2435e812efc1';
/** A whole run drives dozens of requests and minutes of clock time through real HTTP. */
const RUN_MS = 60_000;

describe('the Maytapi conformance suite', () => {
  // The suite must cope with a sandbox on the real clock: it switches to manual and back itself.
  const sandbox = useSandbox({ config: { clockMode: 'real' }, reset: false });

  it(
    'passes against the sandbox, every operation and scenario included',
    async () => {
      const report = await runConformance({ provider: 'maytapi', baseUrl: `${sandbox.origin}/maytapi/api/${PRODUCT}`, key: TOKEN });
      expectPassed(report, 12);
      await expectClockBackToReal(sandbox.origin);
    },
    RUN_MS,
  );

  it(
    'passes again on the same product and token (phones are reused, the token stays bound)',
    async () => {
      const report = await runConformance({ provider: 'maytapi', baseUrl: `${sandbox.origin}/maytapi/api/${PRODUCT}`, key: TOKEN });
      expect(report.checks.filter((check) => check.status === 'failed').map((check) => [check.name, ...check.details])).toEqual([]);
    },
    RUN_MS,
  );

  const quirks: Array<[string, Rewrite, RegExp]> = [
    [
      'errors answering success "false" (a string) instead of false',
      (_request, response) =>
        response.body.startsWith('{"success":false') ? { ...response, body: response.body.replace('"success":false', '"success":"false"') } : undefined,
      /✗ contract [^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*success[^\n]*"false" \(string\)/,
    ],
    [
      'product answering ack_delivery as 0/1 (the seed) instead of a boolean',
      ({ path }, response) =>
        path.endsWith('/product')
          ? { ...response, body: response.body.replace(/"ack_delivery":(true|false)/, (_m, on) => `"ack_delivery":${on === 'true' ? 1 : 0}`) }
          : undefined,
      /✗ contract getProduct[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*ack_delivery/,
    ],
    [
      'status reporting loggedIn and isQr at once',
      ({ path }, response) =>
        path.endsWith('/status') && response.body.includes('"isQr":true')
          ? { ...response, body: response.body.replace('"loggedIn":false', '"loggedIn":true') }
          : undefined,
      /✗ contract getStatus[^\n]*\(on the QR screen\)\n(\s+[^\n]*\n)*?\s+[^\n]*must match exactly one schema in oneOf/,
    ],
    [
      'catalog answering 404 (the operation missing)',
      ({ path }) => (path.endsWith('/catalog') ? { status: 404, contentType: 'application/json', body: '{"success":false,"message":"Not Found"}' } : undefined),
      /✗ contract getCatalog[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*404/,
    ],
    [
      'spam filter letting a 4th copy through',
      (_request, response) =>
        response.body.includes('Duplicate message')
          ? {
              status: 200,
              contentType: 'application/json',
              body: '{"success":true,"data":{"chatId":"905301234567@c.us","msgId":"50d8b950-a67f-11eb-91cc-d97af631df95"}}',
            }
          : undefined,
      /✗ scenario spam filter[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*expected status 400, got 200/,
    ],
    [
      'getGroups leaving out the participants',
      ({ path }, response) =>
        path.endsWith('/getGroups') && response.status === 200 ? { ...response, body: response.body.replace(/"participants":\[[^\]]*\],/g, '') } : undefined,
      /✗ contract getGroups[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*participants/,
    ],
    [
      'delete answering justSuccess instead of deleteSuccess',
      ({ path }, response) => (path.endsWith('/delete') && response.status === 200 ? { ...response, body: '{"success":true}' } : undefined),
      /✗ contract deletePhone[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*must have required property 'type'/,
    ],
  ];

  it.each(quirks.map((quirk, index) => [...quirk, index] as const))(
    'fails, with a readable report, against a server whose %s',
    async (_quirk, rewrite, expected, index) => {
      // A product of its own: each quirk starts from a new phone on the QR screen.
      const report = await throughProxy(sandbox.origin, rewrite, (proxy) =>
        runConformance({ provider: 'maytapi', baseUrl: `${proxy}/maytapi/api/${PRODUCT}-quirk${index}`, key: TOKEN, controlUrl: `${proxy}/__sandbox` }),
      );
      expectReadableFailure(report, expected);
    },
    RUN_MS,
  );

  /** Quirks of what the sandbox posts: the proxy routes the webhooks through itself and rewrites them. */
  const webhook =
    (change: (body: string) => string): Rewrite =>
    ({ method }, call) =>
      method === 'WEBHOOK' ? { ...call, body: change(call.body) } : undefined;
  const webhookQuirks: Array<[string, Rewrite, RegExp]> = [
    [
      'acks leave out played (4)',
      webhook((body) => {
        const call = JSON.parse(body) as { type?: string; data?: Array<{ ackType: string }> };
        if (call.type !== 'ack' || !call.data) return body;
        const data = call.data.filter((ack) => ack.ackType !== 'played');
        return data.length === 0 ? '' : JSON.stringify({ ...call, data });
      }),
      /✗ scenario acks 4 and 5[^\n]*\n\s+the voice message played: not reached/,
    ],
    [
      'status webhooks leave out the loading before the QR screen',
      webhook((body) => (/"type":"status".*"status":"loading"/.test(body) ? '' : body)),
      /✗ scenario status webhooks[^\n]*\n\s+status webhooks after factoryreset: expected \["loading","qr-code","idle"\] \(array\), got \["qr-code","idle"\]/,
    ],
    [
      'media webhooks name the file after its link instead of the filename given',
      webhook((body) => body.replace('"filename":"demo.txt"', '"filename":"sample.txt"')),
      /✗ scenario media: a custom filename[^\n]*\n\s+filename in the webhook: expected "demo.txt" \(string\), got "sample.txt"/,
    ],
    [
      'group texts lose their mentions',
      webhook((body) => body.replace(/,"mentions":\[[^\]]*\]/g, '')),
      /✗ scenario groups[^\n]*\n\s+mentions of the group message \(fromMe webhook\): expected \["905301234567@c.us"\] \(array\), got nothing/,
    ],
    [
      'replies lose their quoted message',
      // `quoted` is the message event's last field.
      webhook((body) => body.replace(/,"quoted":\{.*\}(?=\}$)/, '')),
      /✗ scenario groups[^\n]*\n\s+the member's group message differs:\n\s+"quoted": expected "true_[^"]+" \(string\), got nothing/,
    ],
  ];

  it.each(webhookQuirks.map((quirk, index) => [...quirk, index] as const))(
    'fails, with a readable report, against a server whose %s',
    async (_quirk, rewrite, expected, index) => {
      const report = await throughProxy(
        sandbox.origin,
        rewrite,
        (proxy) =>
          runConformance({
            provider: 'maytapi',
            baseUrl: `${proxy}/maytapi/api/${PRODUCT}-webhook-quirk${index}`,
            key: TOKEN,
            controlUrl: `${proxy}/__sandbox`,
          }),
        { webhooks: true },
      );
      expectReadableFailure(report, expected);
    },
    RUN_MS,
  );

  it(
    'skips the scenarios, saying why, and touches no phone state against a server without the control API',
    async () => {
      const report = await throughProxy(sandbox.origin, WITHOUT_CONTROL_API, (proxy) =>
        runConformance({ provider: 'maytapi', baseUrl: `${proxy}/maytapi/api/${PRODUCT}-real`, key: TOKEN }),
      );
      expectScenariosSkipped(report, 12);
      expect(report.unexercisedOperations).toEqual([]);
      // Destructive operations went to a phone id that does not exist: the real phone never left its QR screen.
      const sessions = await sandbox.control.sessions('maytapi', `${PRODUCT}-real`);
      expect(sessions.length).toBeGreaterThan(0);
      expect(sessions.every((session) => (session.state === 'qr' || session.state === 'loading') && session.linkedAt === null)).toBe(true);
    },
    RUN_MS,
  );
});
