import { PNG } from 'pngjs';
import { useSandbox } from '../support/sandbox.js';
import { MaytapiClient } from './maytapi-client.js';

/**
 * The "done when": a client written against the official spec, with only its base URL changed, adds
 * a phone, fetches the QR, sees the status move to logged in after a control-API scan, sends text and media,
 * and receives the batched acks on its webhook.
 */
describe('a Maytapi client with only its base URL changed', () => {
  const sandbox = useSandbox({ receiver: true });

  it('adds a phone, logs it in by QR, sends text and media, and gets acks in 2-second batches', async () => {
    const client = new MaytapiClient(`${sandbox.origin}/maytapi/api`, 'dc01968f-1111-2222-3333-7cfcf51aa423', 'b267697c-aaaa-bbbb-cccc-2435e812efc1');

    expect((await client.post('/setWebhook', { webhook: sandbox.receiver.url })).json).toEqual({
      pid: client.productId,
      webhook: sandbox.receiver.url,
      ack_delivery: false,
      phone_limit: 5,
    });
    expect((await client.post('/setAckPreference', { ack_delivery: true })).json).toMatchObject({ ack_delivery: true });

    const added = await client.post('/addPhone');
    expect(added.status).toBe(200);
    expect(added.json).toEqual({ id: expect.any(Number), pid: client.productId, number: null });
    const phoneId = added.json.id as number;
    // The seed: a session is "loading before the qr-screen"; the sandbox's start-up takes 1–3 s.
    expect((await client.get('/listPhones')).json).toEqual([{ id: phoneId, number: null, status: 'loading' }]);
    await sandbox.control.advance(3_000);
    expect((await client.get('/listPhones')).json).toEqual([{ id: phoneId, number: null, status: 'qr-code' }]);

    const status = async () => (await client.get(`/${phoneId}/status`)).json.status;
    expect(await status()).toMatchObject({ loggedIn: false, isQr: true, loading: false, connRetry: false, state: { state: 'UNPAIRED', canSend: false } });

    const qr = await client.get(`/${phoneId}/qrCode`);
    expect(qr.status).toBe(200);
    expect(qr.contentType).toBe('image/png');
    expect(PNG.sync.read(qr.bytes).width).toBeGreaterThan(100);

    // The text send while on the QR screen is refused in Maytapi's format.
    const early = await client.post(`/${phoneId}/sendMessage`, { to_number: '905301234567', type: 'text', message: 'too early' });
    expect(early.status).toBe(400);
    expect(early.json).toEqual({ success: false, message: expect.stringMatching(/not logged in/) });

    const [session] = await sandbox.control.sessions('maytapi', client.productId);
    const scanned = await sandbox.control.scan(session!.id);
    expect(await status()).toMatchObject({ loggedIn: false, isQr: false, loading: true, number: scanned.phone });
    await sandbox.control.advance(5_000);
    expect(await status()).toMatchObject({
      loggedIn: true,
      isQr: false,
      loading: false,
      connRetry: false,
      number: scanned.phone,
      state: { state: 'CONNECTED', canSend: true },
    });
    expect((await client.get('/listPhones')).json).toEqual([{ id: phoneId, number: scanned.phone, status: 'active' }]);

    const text = await client.post(`/${phoneId}/sendMessage`, { to_number: '905301234567', type: 'text', message: 'Hello World!' });
    expect(text.json).toEqual({
      success: true,
      data: { chatId: '905301234567@c.us', msgId: expect.stringMatching(/^[0-9a-f]{8}-[0-9a-f]{4}-11eb-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/) },
    });
    const media = await client.post(`/${phoneId}/sendMessage`, {
      to_number: '905301234568@c.us',
      type: 'media',
      message: `data:image/png;base64,${SMALL_PNG}`,
      text: 'Message Caption (optional)',
    });
    expect(media.json).toEqual({ success: true, data: { chatId: '905301234568@c.us', msgId: expect.any(String) } });
    const ids = [text.json.data.msgId as string, media.json.data.msgId as string];

    await sandbox.control.advance(60_000);
    const acks = sandbox.receiver.accepted
      .map(
        (request) =>
          request.json as { type: string; product_id: string; data: Array<{ ackType: string; ackCode: number; msgId: string; chatId: string; time: number }> },
      )
      .filter((body) => body.type === 'ack');
    // Each message goes delivered (1 tick) → reached (2) → seen (blue), and every call carries an array.
    for (const id of ids) {
      expect(
        acks
          .flatMap((body) => body.data)
          .filter((ack) => ack.msgId === id)
          .map((ack) => [ack.ackType, ack.ackCode]),
      ).toEqual([
        ['delivered', 1],
        ['reached', 2],
        ['seen', 3],
      ]);
    }
    expect(acks.every((body) => body.product_id === client.productId && Array.isArray(body.data))).toBe(true);
    // Batched: acks are collected for 2 s of clock time and posted together, so calls are at least 2 s apart.
    const attempts = (await sandbox.control.journal('maytapi', client.productId)).filter((attempt) => (attempt.body as { type?: string }).type === 'ack');
    const times = attempts.map((attempt) => Date.parse(attempt.at));
    expect(times.slice(1).map((time, i) => time - times[i]! >= 2_000)).toEqual(times.slice(1).map(() => true));
    expect(attempts.every((attempt) => attempt.ok)).toBe(true);
  });
});

/** An 8×8 PNG, base64: what a client sends as `data:image/png;base64,…`. */
const SMALL_PNG = (() => {
  const png = new PNG({ width: 8, height: 8 });
  png.data.fill(200);
  return PNG.sync.write(png).toString('base64');
})();
