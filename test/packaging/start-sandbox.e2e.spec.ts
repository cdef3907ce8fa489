import { startSandbox, type TestSandbox } from '../../apps/sandbox/src/testing/index.js';

/** What an integrator's test does with `wa-sandbox/testing`: its own client against an in-process sandbox. */
describe('startSandbox() for integrators', () => {
  let sandbox: TestSandbox;

  beforeAll(async () => {
    sandbox = await startSandbox({
      start: '2026-03-01T09:00:00Z',
      accounts: [
        { provider: 'wamessenger', key: 'shop-key' },
        { provider: 'maytapi', key: 'shop-product' },
      ],
    });
  });
  afterAll(() => sandbox.close());

  it('starts on the manual clock, at the given time, with only the given accounts', async () => {
    expect(await sandbox.control.clock()).toMatchObject({ mode: 'manual', now: '2026-03-01T09:00:00.000Z' });
    const refused = await fetch(`${sandbox.baseUrl('wamessenger')}/getStatus/stranger-key?id=1`);
    const known = await fetch(`${sandbox.baseUrl('wamessenger')}/getStatus/shop-key?id=1`);
    expect([refused.status, refused.headers.get('x-sandbox-error')]).toEqual([400, 'unknown api key (the sandbox runs in strict accounts mode)']);
    expect([known.status, known.headers.get('x-sandbox-error')]).toEqual([400, 'no sent message with id 1']);
    expect(sandbox.baseUrl('maytapi')).toBe(`${sandbox.origin}/maytapi/api/shop-product`);
  });

  it('delivers a sent message as the clock advances, with its webhooks in the receiver and the journal', async () => {
    const receiver = await sandbox.webhookReceiver();
    await sandbox.control.setWebhook('wamessenger', 'shop-key', receiver.url);
    const form = new FormData();
    form.set('phonenumber', '989121234567');
    form.set('text', 'Your order has shipped');
    const sent = await fetch(`${sandbox.baseUrl('wamessenger')}/sendMessage/shop-key`, { method: 'POST', body: form });
    const id = await sent.text();
    expect(sent.status).toBe(200);

    await sandbox.control.advance(60_000);
    const status = (await (await fetch(`${sandbox.baseUrl('wamessenger')}/getStatus/shop-key?id=${id}`)).json()) as { delivery: string };
    expect(status.delivery).toBe('read');
    const deliveries = receiver.accepted.map((request) => request.json as { id?: string; status?: string }).filter((body) => body.id === id);
    expect(deliveries.map((body) => body.status)).toEqual(['server', 'phone', 'read']);
    expect((await sandbox.control.journal('wamessenger', 'shop-key')).filter((attempt) => attempt.ok)).toHaveLength(3);
  });

  it('starts with a control token when given one, which its control client sends', async () => {
    const guarded = await startSandbox({ controlToken: 'integrator-token' });
    try {
      expect((await fetch(`${guarded.origin}/__sandbox/clock`)).status).toBe(401);
      expect(await guarded.control.clock()).toMatchObject({ mode: 'manual' });
      expect((await fetch(`${guarded.baseUrl('wamessenger')}/pending/any-key`)).status).toBe(200);
    } finally {
      await guarded.close();
    }
  });
});
