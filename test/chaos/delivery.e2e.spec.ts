import { postMessages } from '../devino/devino-client.js';
import { phpMultipart, send } from '../support/php-client.js';
import { received } from '../support/received.js';
import { useSandbox } from '../support/sandbox.js';
import { chaosControl } from './chaos-control.js';

const KEY = 'K';
const CUSTOMER = '989121234567';
const MINUTE = 60_000;

/** Chaos on deliveries: a message stuck at a status, or failing with a chosen code, as the provider shows it. */
describe('chaos: delivery faults', () => {
  const sandbox = useSandbox({ receiver: true });
  const chaos = chaosControl(sandbox);

  describe('WaMessenger (getStatus and its delivery webhooks)', () => {
    const base = () => `${sandbox.origin}/wamessenger`;
    async function sendMessage(): Promise<string> {
      await send(`${base()}/webhook/set/${KEY}?url=${encodeURIComponent(sandbox.receiver.url)}`);
      const response = await send(`${base()}/sendMessage/${KEY}`, { method: 'POST', body: phpMultipart({ phonenumber: CUSTOMER, text: 'hello' }) });
      expect(response.status).toBe(200);
      return response.text;
    }
    const status = async (id: string) => (await send(`${base()}/getStatus/${KEY}?id=${id}`)).json as { status: string; statusInfo: string; delivery: string };
    const hooks = () => (received(sandbox.receiver) as Array<{ status: string }>).map((hook) => hook.status);

    it.each([
      ['sent', 'server', ['server']],
      ['delivered', 'phone', ['server', 'phone']],
    ])('stuck at %s: the message goes no further, however long the clock runs', async (at, delivery, seen) => {
      const rule = await chaos.add({ kind: 'delivery', provider: 'wamessenger', next: 1, fault: { type: 'stuck', at } });
      const stuck = await sendMessage();
      await sandbox.control.advance(10 * MINUTE);
      expect((await status(stuck)).delivery).toBe(delivery);
      expect(hooks()).toEqual(seen);
      expect(await chaos.rule(rule.id)).toMatchObject({ hits: 1, remaining: 0 });
      expect(await sandbox.control.message(stuck)).toMatchObject({ chaos: { rule: rule.id, fault: 'stuck', stuckAt: at } });
      // The rule is spent: the next message is read as usual.
      const next = await sendMessage();
      await sandbox.control.advance(10 * MINUTE);
      expect((await status(next)).delivery).toBe('read');
    });

    it('fail: the message fails when its turn comes, with the chosen code and reason', async () => {
      const rule = await chaos.add({
        kind: 'delivery',
        provider: 'wamessenger',
        fault: { type: 'fail', code: 'no_whatsapp', reason: 'chaos: not on WhatsApp' },
      });
      const id = await sendMessage();
      await sandbox.control.advance(MINUTE);
      expect(await status(id)).toMatchObject({ status: 'failed', statusInfo: 'Message sending failed: chaos: not on WhatsApp' });
      expect(await sandbox.control.message(id)).toMatchObject({ status: 'failed', failureCode: 'no_whatsapp', chaos: { rule: rule.id, fault: 'fail' } });
    });
  });

  it('Devino: fail with one of Devino’s own codes, in its status callback', async () => {
    await chaos.add({ kind: 'delivery', provider: 'devino', fault: { type: 'fail', code: '2005' } });
    const response = await postMessages(`${sandbox.origin}/devino`, {
      messages: [{ from: 'MyCompany', to: '79034567890', callbackUrl: sandbox.receiver.url, templateId: 'verification_code', templateParams: { 1: '1' } }],
    });
    const id = response.json.result[0].messageId as string;
    await sandbox.control.advance(MINUTE);
    const statuses = (received(sandbox.receiver) as Array<Array<{ messageId: string; status: string; errorCode: number }>>)
      .flat()
      .filter((item) => item.messageId === id)
      .map((item) => `${item.status} ${item.errorCode}`);
    expect(statuses).toEqual(['FAILED 2005']);
    expect(await sandbox.control.message(id)).toMatchObject({ failureCode: 'send_failed', providerFailureCode: '2005' });
  });
});
