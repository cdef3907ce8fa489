import { received } from '../support/received.js';
import { useSandbox } from '../support/sandbox.js';
import { phpMultipart, send } from '../support/php-client.js';

const HOUR = 3600_000;

describe('WaMessenger on the simulated engine', () => {
  const sandbox = useSandbox({ provider: 'wamessenger', receiver: true });

  async function sendText(key: string, phone: string, text = 'hello'): Promise<string> {
    const response = await send(`${sandbox.base}/sendMessage/${key}`, { method: 'POST', body: phpMultipart({ phonenumber: phone, text }) });
    expect(response.status).toBe(200);
    return response.text;
  }
  const getJson = async (path: string) => (await send(`${sandbox.base}${path}`)).json as any;
  const setWebhook = (key: string) => send(`${sandbox.base}/webhook/set/${key}?url=${encodeURIComponent(sandbox.receiver.url)}`);

  it('shows a message going queued → server → phone → read in getStatus, showAllMessages and the webhook', async () => {
    await setWebhook('K');
    const id = await sendText('K', '989121234567');
    const seenByStatus: string[] = [];
    const seenByList: string[] = [];
    for (let step = 0; step < 120; step++) {
      const status = await getJson(`/getStatus/K?id=${id}`);
      const list = await getJson('/showAllMessages/K');
      // A queued message is status OK with an empty delivery.
      const label = status.delivery || 'queued';
      if (seenByStatus.at(-1) !== label) seenByStatus.push(label);
      if (seenByList.at(-1) !== (list.data[0].delivery || 'queued')) seenByList.push(list.data[0].delivery || 'queued');
      if (label === 'read') break;
      await sandbox.control.advance(500);
    }
    expect(seenByStatus).toEqual(['queued', 'server', 'phone', 'read']);
    expect(seenByList).toEqual(['queued', 'server', 'phone', 'read']);
    expect(received(sandbox.receiver)).toEqual([
      expect.objectContaining({ type: 'delivery', hash: 'K', id, phonenumber: '989121234567', delivery: 1, status: 'server' }),
      expect.objectContaining({ type: 'delivery', id, delivery: 2, status: 'phone' }),
      expect.objectContaining({ type: 'delivery', id, delivery: 3, status: 'read' }),
    ]);
    const history = (await sandbox.control.message(id)).history.map((change: { status: string }) => change.status);
    expect(history).toEqual(['queued', 'sent', 'delivered', 'read']);
  });

  it('keeps events for a receiver that is down, retries them, and delivers every one after webhook/resend', async () => {
    sandbox.receiver.respondWith(503);
    await setWebhook('K');
    const ids = [await sendText('K', '989121234567', 'one'), await sendText('K', '989121234568', 'two')];
    await sandbox.control.advance(2 * 60_000);
    expect((await getJson('/webhook/pending/K')).pending).toBe(6);

    // Automatic retries at +10 s, +1 min and +5 min, then nothing until a resend. Only each chat's first
    // event (`server`) is tried: the chat's later ones wait behind it, so they never overtake it.
    await sandbox.control.advance(60 * 60_000);
    const attempts = await sandbox.control.journal('wamessenger', 'K');
    expect(attempts).toHaveLength(2 * 4);
    expect(attempts.every((attempt) => attempt.ok === false && attempt.status === 503 && (attempt.body as { delivery: number }).delivery === 1)).toBe(true);
    expect(received(sandbox.receiver)).toEqual([]);

    sandbox.receiver.respondWith(200);
    const resend = await getJson('/webhook/resend/K');
    expect(resend).toEqual({ pending: 6, hash: 'K', message: `Resend 6 messages to ${sandbox.receiver.url}`, url: sandbox.receiver.url });
    await sandbox.control.advance(0);
    const delivered = received(sandbox.receiver) as Array<{ id: string; delivery: number }>;
    expect(delivered).toHaveLength(6);
    for (const id of ids) expect(delivered.filter((event) => event.id === id).map((event) => event.delivery)).toEqual([1, 2, 3]);
    expect((await getJson('/webhook/pending/K')).pending).toBe(0);
  });

  it('drops undelivered events after 48 hours of clock time, not before', async () => {
    sandbox.receiver.respondWith(503);
    await setWebhook('K');
    await sendText('K', '989121234567');
    await sandbox.control.advance(60_000);
    expect((await getJson('/webhook/pending/K')).pending).toBe(3);
    const started = performance.now();
    await sandbox.control.advance(47 * HOUR);
    expect((await getJson('/webhook/pending/K')).pending).toBe(3);
    await sandbox.control.advance(HOUR);
    expect(await getJson('/webhook/pending/K')).toEqual({ pending: 0, hash: 'K', message: 'You have 0 pending messages', url: sandbox.receiver.url });
    expect(performance.now() - started).toBeLessThan(5_000); // 48 virtual hours, no real waiting
    sandbox.receiver.respondWith(200);
    expect((await getJson('/webhook/resend/K')).message).toBe(`Resend 0 messages to ${sandbox.receiver.url}`);
    await sandbox.control.advance(0);
    expect(received(sandbox.receiver)).toEqual([]);
  });

  it('does not receive until receive is switched on, and the switch takes 30 clock-seconds', async () => {
    await setWebhook('K');
    expect((await sandbox.control.inbound('wamessenger', 'K', { from: '989121234567', text: 'early' })).received).toBe(false);
    await send(`${sandbox.base}/receive/K?receive=on`);
    await sandbox.control.advance(29_000);
    expect((await sandbox.control.inbound('wamessenger', 'K', { from: '989121234567', text: 'too soon' })).received).toBe(false);
    await sandbox.control.advance(1_000);
    const accepted = await sandbox.control.inbound('wamessenger', 'K', { from: '989121234567', text: 'hi' });
    expect(accepted.received).toBe(true);
    const list = await getJson('/showAllGetMessages/K');
    expect(list.count).toBe(1);
    expect(list.data[0]).toMatchObject({ id: accepted.messageId, type: 'chat', from: '989121234567', chat: 'hi' });
    expect(received(sandbox.receiver)).toEqual([
      expect.objectContaining({ type: 'chat', hash: 'K', id: accepted.messageId, from: '989121234567', chat: 'hi' }),
    ]);
    expect((await sandbox.control.message(accepted.messageId!)).status).toBe('received');

    await send(`${sandbox.base}/sendSeen/K?seen=on`);
    await sandbox.control.advance(30_000);
    const seen = await sandbox.control.inbound('wamessenger', 'K', { from: '989121234567', text: 'seen?' });
    expect((await sandbox.control.message(seen.messageId!)).status).toBe('read');
  });

  it('gives each magic number its behaviour', async () => {
    await send(`${sandbox.base}/receive/K?receive=on`);
    const ids = {
      noWhatsApp: await sendText('K', '989120000000'),
      neverDelivered: await sendText('K', '989120000001'),
      neverRead: await sendText('K', '989120000002'),
      fails: await sendText('K', '989120000003'),
      repliesText: await sendText('K', '989120000004'),
      repliesFile: await sendText('K', '989120000005'),
      normal: await sendText('K', '989121234567'),
    };
    await sandbox.control.advance(10 * 60_000);
    const delivery = async (id: string) => {
      const status = await getJson(`/getStatus/K?id=${id}`);
      return status.status === 'OK' ? status.delivery : status.status;
    };
    expect(await delivery(ids.noWhatsApp)).toBe('failed');
    expect((await getJson(`/getStatus/K?id=${ids.noWhatsApp}`)).statusInfo).toBe('Message sending failed: the number is not on WhatsApp');
    expect(await delivery(ids.neverDelivered)).toBe('server');
    expect(await delivery(ids.neverRead)).toBe('phone');
    expect(await delivery(ids.fails)).toBe('failed');
    expect(await delivery(ids.repliesText)).toBe('read');
    expect(await delivery(ids.normal)).toBe('read');
    const received = (await getJson('/showAllGetMessages/K')).data;
    expect(received).toHaveLength(2);
    expect(received).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ type: 'chat', from: '989120000004' }),
        expect.objectContaining({ type: 'file', from: '989120000005', file: expect.stringMatching(/\/__sandbox\/media\/sample\.jpg$/) }),
      ]),
    );
  });

  it('pages sent messages 100 at a time, newest first', async () => {
    const form = {
      phonenumber: Array.from({ length: 150 }, (_, n) => `98912${String(n).padStart(7, '0')}`),
      text: 'bulk',
      url: `data:image/png;base64,${TINY_PNG}`,
    };
    const bulk = await send(`${sandbox.base}/sendMessage/K`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(form) });
    expect(bulk.status).toBe(200);
    const page1 = await getJson('/showAllMessages/K');
    const page2 = await getJson('/showAllMessages/K?page=2');
    const page3 = await getJson('/showAllMessages/K?page=3');
    expect([page1.count, page1.pageCount, page1.page, page1.data.length]).toEqual([150, 2, 'page 1 from 2', 100]);
    expect([page2.page, page2.data.length]).toEqual(['page 2 from 2', 50]);
    expect([page3.page, page3.data.length]).toEqual(['page 3 from 2', 0]);
    expect(page1.data[0].phonenumber).toBe('989120000149');
    expect((await getJson('/showAllMessages/K?phonenumber=91200001')).count).toBe(50);
    expect(((await send(`${sandbox.base}/pending/K`)).json as unknown[]).length).toBe(150);
  });

  it('is deterministic: the same seed gives the same timings', async () => {
    const timeline = async () => {
      await sandbox.control.reset();
      const id = await sendText('K', '989121234567');
      await sandbox.control.advance(60_000);
      return (await sandbox.control.message(id)).history;
    };
    expect(await timeline()).toEqual(await timeline());
  });
});

/** A 1x1 PNG. */
const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
