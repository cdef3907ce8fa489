import { LoopbackReceiver } from '../support/loopback-receiver.js';
import { phpMultipart, send } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';
import { chaosControl } from './chaos-control.js';

const KEY = 'K';
const CUSTOMER = '989121234567';

interface DeliveryHook {
  id: string;
  status: string;
}

/**
 * Chaos on webhooks, seen by a receiver: one WaMessenger message's status webhooks (server, phone, read, in
 * one chat, so in order) duplicated, delayed, reordered, or dropped and then redelivered on WaMessenger's
 * retry schedule (10 s, 1 min, 5 min).
 */
describe('chaos: webhook faults', () => {
  const sandbox = useSandbox({ provider: 'wamessenger' });
  const receiver = LoopbackReceiver.use(() => 200);
  const chaos = chaosControl(sandbox);

  beforeEach(async () => {
    receiver.accepted.splice(0);
    await send(`${sandbox.base}/webhook/set/${KEY}?url=${encodeURIComponent(receiver.url)}`);
  });

  /** Sends a message and returns its id; its status webhooks follow as the clock moves. */
  async function sendMessage(): Promise<string> {
    const response = await send(`${sandbox.base}/sendMessage/${KEY}`, { method: 'POST', body: phpMultipart({ phonenumber: CUSTOMER, text: 'hello' }) });
    expect(response.status).toBe(200);
    return response.text;
  }
  const seen = () => (receiver.accepted as DeliveryHook[]).map((hook) => hook.status);
  const journal = () => sandbox.control.journal('wamessenger', KEY);

  it('duplicate: the receiver gets the event twice, both attempts marked', async () => {
    const rule = await chaos.add({ kind: 'webhook', provider: 'wamessenger', next: 1, fault: { type: 'duplicate' } });
    await sendMessage();
    await sandbox.control.advance(60_000);
    expect(seen()).toEqual(['server', 'server', 'phone', 'read']);
    const attempts = await journal();
    expect(attempts.map((attempt) => [attempt.ok, attempt.chaos ?? null])).toEqual([
      [true, { rule: rule.id, fault: 'duplicate' }],
      [true, { rule: rule.id, fault: 'duplicate' }],
      [true, null],
      [true, null],
    ]);
  });

  it('delay: the attempt goes out that much clock time later, and the chat’s later events wait behind it', async () => {
    const rule = await chaos.add({ kind: 'webhook', provider: 'wamessenger', next: 1, fault: { type: 'delay', ms: 90_000 } });
    await sendMessage();
    await sandbox.control.advance(60_000);
    // Everything happened on the phone, but nothing reached the receiver: the first event waits.
    expect(seen()).toEqual([]);
    const sentAt = Date.parse((await sandbox.control.clock()).now) - 60_000;
    await sandbox.control.advance(31_000);
    expect(seen()).toEqual(['server', 'phone', 'read']);
    const [first] = await journal();
    expect(first).toMatchObject({ chaos: { rule: rule.id, fault: 'delay' } });
    expect(Date.parse(first!.at) - sentAt).toBeGreaterThanOrEqual(90_000);
  });

  it('reorder: the event reaches the receiver after the chat’s next one', async () => {
    const rule = await chaos.add({ kind: 'webhook', provider: 'wamessenger', next: 1, fault: { type: 'reorder' } });
    await sendMessage();
    await sandbox.control.advance(60_000);
    expect(seen()).toEqual(['phone', 'server', 'read']);
    const attempts = await journal();
    expect(attempts.map((attempt) => (attempt.body as DeliveryHook).status)).toEqual(['phone', 'server', 'read']);
    expect(attempts[1]).toMatchObject({ chaos: { rule: rule.id, fault: 'reorder' } });
  });

  it('reorder with no next event: the event goes out alone a minute later', async () => {
    await chaos.add({ kind: 'webhook', provider: 'wamessenger', next: 1, fault: { type: 'reorder' } });
    // A customer's message: one webhook, and nothing after it in its chat.
    // WaMessenger's receive switch takes 30 clock-seconds.
    await send(`${sandbox.base}/receive/${KEY}?receive=on`);
    await sandbox.control.advance(30_000);
    expect(await sandbox.control.inbound('wamessenger', KEY, { from: CUSTOMER, text: 'hi' })).toMatchObject({ received: true });
    await sandbox.control.advance(59_000);
    expect(receiver.accepted).toEqual([]);
    await sandbox.control.advance(1_000);
    expect(receiver.accepted).toHaveLength(1);
  });

  it('drop: the attempt is lost, then redelivered on the provider’s retry schedule', async () => {
    const rule = await chaos.add({ kind: 'webhook', provider: 'wamessenger', next: 1, fault: { type: 'drop' } });
    await sendMessage();
    await sandbox.control.advance(1_000);
    const [dropped] = await journal();
    expect(dropped).toMatchObject({ ok: false, status: null, error: 'dropped by chaos', chaos: { rule: rule.id, fault: 'drop' } });
    expect(seen()).toEqual([]);
    // WaMessenger retries 10 s after a failed attempt.
    await sandbox.control.advance(10_000);
    expect(seen()[0]).toBe('server');
    await sandbox.control.advance(60_000);
    expect(seen()).toEqual(['server', 'phone', 'read']);
    expect((await journal()).filter((attempt) => attempt.chaos)).toHaveLength(1);
  });

  it('acts only on the provider it names', async () => {
    await chaos.add({ kind: 'webhook', provider: 'maytapi', fault: { type: 'drop' } });
    await sendMessage();
    await sandbox.control.advance(60_000);
    expect(seen()).toEqual(['server', 'phone', 'read']);
  });
});
