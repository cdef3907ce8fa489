import { runConformance } from '#conformance';
import type { OutgoingWebhook } from '#engine';
import { wammProfile } from '#providers/wamm';
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

describe('the WAMM conformance suite', () => {
  // The suite must cope with a sandbox on the real clock: it switches to manual and back itself.
  const sandbox = useSandbox({ config: { clockMode: 'real' }, reset: false });

  it(
    'passes against the sandbox, every operation and scenario included',
    async () => {
      const report = await runConformance({ provider: 'wamm', baseUrl: `${sandbox.origin}/wamm` });
      expectPassed(report, 9);
      await expectClockBackToReal(sandbox.origin);
    },
    RUN_TIMEOUT_MS,
  );

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
        path.includes('/msg_state/')
          ? { ...response, body: response.body.replace(/\{"msg_id":("\d+"),"phone":("\d+"),/, '{"phone":$2,"msg_id":$1,') }
          : undefined,
      /✗ scenario wire format[^\n]*\n\s+msg_state right after the send answered \{"err":0,"msg_data":\{"phone"/,
    ],
    [
      'error texts spelled differently ("Phone fail")',
      ({ path }, response) => (path.startsWith('/wamm/') ? { ...response, body: response.body.replace('"phone fail"', '"Phone fail"') } : undefined),
      /✗ scenario input errors[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*Phone fail/,
    ],
  ];

  it.each(quirks)(
    'fails, with a readable report, against a server whose %s',
    async (_quirk, rewrite, expected) => {
      const report = await throughProxy(sandbox.origin, rewrite, (proxy) =>
        runConformance({ provider: 'wamm', baseUrl: `${proxy}/wamm`, controlUrl: `${proxy}/__sandbox` }),
      );
      expectReadableFailure(report, expected);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'fails, with a readable report, against a server that refuses raw UTF-8 in the query (as a bare Node server does)',
    async () => {
      // The proxy is a bare node:http server: its parser answers a raw UTF-8 target with 400 before any handler.
      const report = await throughProxy(
        sandbox.origin,
        () => undefined,
        (proxy) => runConformance({ provider: 'wamm', baseUrl: `${proxy}/wamm`, controlUrl: `${proxy}/__sandbox` }),
      );
      expectReadableFailure(report, /✗ scenario raw UTF-8 query[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*400/);
    },
    RUN_TIMEOUT_MS,
  );

  // Webhooks go from the sandbox straight to the suite's receiver, past any proxy: these implementations
  // are the sandbox with its WAMM webhooks changed, as the sandbox made them before they were fixed.
  const webhookQuirks: Array<[string, (webhooks: OutgoingWebhook[]) => OutgoingWebhook[], RegExp]> = [
    [
      'msg webhooks carry only the msg_get row (no id, from_api, phone_acc)',
      (webhooks) =>
        webhooks.map((webhook) => {
          const payload = webhook.payload as { tip: string; msg_data: Record<string, unknown> };
          if (payload.tip !== 'msg') return webhook;
          const { id: _id, from_api: _fromApi, phone_acc: _phoneAcc, ...row } = payload.msg_data;
          return { ...webhook, payload: { tip: 'msg', msg_data: row } };
        }),
      /✗ scenario lifecycle[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*phone_acc/,
    ],
    [
      'sent messages are not posted as {"tip":"msg"}',
      (webhooks) =>
        webhooks.filter(
          (webhook) =>
            !(
              (webhook.payload as { tip: string; msg_data: { from_me?: string } }).tip === 'msg' &&
              (webhook.payload as { msg_data: { from_me?: string } }).msg_data.from_me === '1'
            ),
        ),
      /✗ scenario lifecycle[^\n]*\n\s+no \{"tip":"msg"\} webhook with from_me "1"/,
    ],
  ];

  it.each(webhookQuirks)(
    'fails, with a readable report, against a sandbox whose %s',
    async (_quirk, change, expected) => {
      const original = wammProfile.toWebhooks;
      wammProfile.toWebhooks = async (...args) => change(await original.apply(wammProfile, args));
      try {
        const report = await runConformance({ provider: 'wamm', baseUrl: `${sandbox.origin}/wamm` });
        expectReadableFailure(report, expected);
      } finally {
        wammProfile.toWebhooks = original;
      }
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'skips the scenarios, saying why, against a server without the control API',
    async () => {
      const report = await throughProxy(sandbox.origin, WITHOUT_CONTROL_API, (proxy) => runConformance({ provider: 'wamm', baseUrl: `${proxy}/wamm` }));
      expectScenariosSkipped(report, 9);
    },
    RUN_TIMEOUT_MS,
  );
});
