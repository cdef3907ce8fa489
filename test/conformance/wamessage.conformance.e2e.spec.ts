import { formatReport, runConformance } from '#conformance';
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

const SEND = '/wamessage/whatsapp/sendmessage/multi';
// A run registers and logs in a dozen users, each a deliberately slow scrypt hash: room for a loaded CI machine.
const RUN_TIMEOUT_MS = 60_000;

describe('the Wamessage conformance suite', () => {
  // The suite must cope with a sandbox on the real clock: it switches to manual and back itself.
  const sandbox = useSandbox({ config: { clockMode: 'real' }, reset: false });

  it(
    'passes against the sandbox, every operation and scenario included',
    async () => {
      const report = await runConformance({ provider: 'wamessage', baseUrl: `${sandbox.origin}/wamessage` });
      expectPassed(report, 4);
      await expectClockBackToReal(sandbox.origin);
    },
    RUN_TIMEOUT_MS,
  );

  const quirks: Array<[string, Rewrite, RegExp]> = [
    [
      'send answering description "Message sent" instead of "Mesaj gönderildi"',
      ({ path }, response) =>
        path === SEND && response.status === 200 ? { ...response, body: response.body.replace('"Mesaj gönderildi"', '"Message sent"') } : undefined,
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
      'send answering data.contacts cleaned up (+ dropped) instead of as sent',
      ({ path }, response) =>
        path === SEND && response.status === 200 ? { ...response, body: response.body.replace(/("contacts":"[^"]*)\+/, '$1') } : undefined,
      /✗ scenario send_time[^\n]*\n(\s+[^\n]*\n)*?\s+[^\n]*contacts/,
    ],
    [
      'a missing token refused with 403 instead of 401',
      (_request, response) => (response.status === 401 && response.body.includes('Authorization') ? { ...response, status: 403 } : undefined),
      /✗ contract devices[^\n]*403[^\n]*\(no token → refused\)/,
    ],
  ];

  it.each(quirks)(
    'fails, with a readable report, against a server whose %s',
    async (_quirk, rewrite, expected) => {
      const report = await throughProxy(sandbox.origin, rewrite, (proxy) =>
        runConformance({ provider: 'wamessage', baseUrl: `${proxy}/wamessage`, controlUrl: `${proxy}/__sandbox` }),
      );
      expectReadableFailure(report, expected);
    },
    RUN_TIMEOUT_MS,
  );

  it(
    'without the control API skips what only the sandbox can do (typing the code, scenarios), saying why',
    async () => {
      const report = await throughProxy(sandbox.origin, WITHOUT_CONTROL_API, (proxy) =>
        runConformance({ provider: 'wamessage', baseUrl: `${proxy}/wamessage` }),
      );
      expectScenariosSkipped(report, 4);
      const text = formatReport(report);
      expect(text).toMatch(/only a wa-sandbox can type the code/);
      expect(text).toMatch(/the user has no connected device to send from/);
    },
    RUN_TIMEOUT_MS,
  );
});
