import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MaytapiClient } from '../maytapi/maytapi-client.js';
import { received } from '../support/received.js';
import { customerWrites, DOWNLOADED, linkPhone, type LiveSandbox, sentKey, startLiveSandbox, Status, tick } from './live-sandbox.js';

const PHONE = '905309876543';
const CUSTOMER = '905551112233';
const PNG_BYTES = readFileSync('fixtures/media/sample.png');

/** Maytapi's routes acting on a (fake) Baileys socket per phone: the live transport under the real engine and provider. */
describe('Maytapi in live mode (fake Baileys sockets)', () => {
  let sandbox: LiveSandbox;
  let client: MaytapiClient;
  const start = async (overrides = {}) => {
    sandbox = await startLiveSandbox(overrides);
    client = new MaytapiClient(`${sandbox.origin}/maytapi/api`, 'product-1', 'token-1');
    await client.post('/setWebhook', { webhook: sandbox.receiver.url });
  };
  afterEach(() => sandbox.close());

  const status = async (phoneId: number) => (await client.get(`/${phoneId}/status`)).json.status;
  const addPhone = async () => {
    const phoneId = (await client.post('/addPhone')).json.id as number;
    await sandbox.flush();
    return phoneId;
  };
  const session = async (phoneId: number) => (await sandbox.control.sessions('maytapi', 'product-1')).find((s) => s.label === String(phoneId))!;
  const send = async (phoneId: number, body: Record<string, unknown>) => {
    const answer = await client.post(`/${phoneId}/sendMessage`, { to_number: CUSTOMER, ...body });
    expect([body.type, answer.json]).toMatchObject([body.type, { success: true }]);
    // The send queue paces a line's messages (0.2–1 s of clock each).
    await sandbox.control.advance(2_000);
    return answer.json.data.msgId as string;
  };
  const hooks = (type: string) => (received(sandbox.receiver) as Array<{ type: string }>).filter((body) => body.type === type);

  it('addPhone opens a socket whose QR the phone shows; a scan links it; sends reach WhatsApp; ticks come back as acks; replies as messages', async () => {
    await start();
    const phoneId = await addPhone();
    const [socket] = sandbox.sockets.sockets;
    expect(socket!.config.auth.creds.me).toBeUndefined();
    expect(await status(phoneId)).toMatchObject({ isQr: true, loggedIn: false });
    expect((await session(phoneId)).qr).toEqual({ payload: '2@fake-ref,noise,identity,adv#1', rotatesAt: null });
    const qrCode = await client.get(`/${phoneId}/qrCode`);
    expect([qrCode.status, qrCode.contentType]).toEqual([200, 'image/png']);
    expect((await client.get(`/${phoneId}/screen`)).contentType).toBe('image/png');

    await linkPhone(sandbox, PHONE);
    expect(await status(phoneId)).toMatchObject({ loggedIn: true, number: PHONE });
    expect(hooks('status').map((body) => (body as unknown as { status: string }).status)).toEqual(['qr-code', 'loading', 'active']);

    await client.post('/setAckPreference', { ack_delivery: true });
    const msgId = await send(phoneId, { type: 'text', message: 'hello live' });
    const live = sandbox.sockets.latest();
    expect(live.sent.map(({ jid, content }) => ({ jid, content }))).toEqual([{ jid: `${CUSTOMER}@s.whatsapp.net`, content: { text: 'hello live' } }]);

    tick(live, 0, Status.SERVER_ACK, Status.DELIVERY_ACK, Status.READ);
    await sandbox.flush();
    await sandbox.control.advance(2_000);
    const acks = hooks('ack').flatMap((body) => (body as unknown as { data: Array<{ ackType: string; msgId: string }> }).data);
    expect(acks.map((ack) => [ack.msgId, ack.ackType])).toEqual([
      [msgId, 'delivered'],
      [msgId, 'reached'],
      [msgId, 'seen'],
    ]);

    // The customer answers, quoting the message: Maytapi's message webhook, with the profile name and the quote.
    customerWrites(live, CUSTOMER, { extendedTextMessage: { text: 'got it', contextInfo: { stanzaId: sentKey(live, 0).id } } });
    await sandbox.flush();
    const incoming = hooks('message').filter((body) => (body as unknown as { message: { fromMe: boolean } }).message.fromMe === false);
    expect(incoming).toEqual([
      expect.objectContaining({
        phone_id: phoneId,
        message: expect.objectContaining({ type: 'text', text: 'got it', fromMe: false }),
        user: expect.objectContaining({ name: 'Ada Customer', phone: CUSTOMER }),
        quoted: expect.objectContaining({ text: 'hello live' }),
      }),
    ]);

    // A photo arrives: downloaded from WhatsApp and served by the sandbox.
    customerWrites(live, CUSTOMER, { imageMessage: { mimetype: 'image/jpeg', caption: 'look' } });
    // Keeping the file writes it to disk: wait for the webhook rather than for the next turn of the loop.
    expect(await sandbox.receiver.waitFor(() => hooks('message').length === incoming.length + 2, 10_000)).toBe(true);
    const photo = hooks('message').at(-1) as unknown as { message: { type: string; url: string; caption?: string } };
    expect(photo.message).toMatchObject({ type: 'image' });
    // The sandbox names it under its public URL; the test reaches it on its own port.
    const served = await fetch(`${sandbox.origin}${new URL(photo.message.url).pathname}`);
    expect(new Uint8Array(await served.arrayBuffer())).toEqual(DOWNLOADED);
  });

  it('each kind of send becomes its WhatsApp message: an uploaded image from its bytes, a location, a vCard, a delete of a sent message', async () => {
    await start();
    const phoneId = await addPhone();
    await linkPhone(sandbox, PHONE);
    const first = await send(phoneId, { type: 'text', message: 'to be deleted' });
    await send(phoneId, { type: 'media', message: `data:image/png;base64,${PNG_BYTES.toString('base64')}`, text: 'caption' });
    await send(phoneId, { type: 'location', latitude: 41.0082, longitude: 28.9784, text: 'Sultanahmet' });
    await send(phoneId, {
      type: 'vcard',
      message: { displayName: 'Ada', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nTEL;waid=905551234567:+90 555 123 45 67\nEND:VCARD' },
    });
    await send(phoneId, { type: 'delete', message: first });
    const live = sandbox.sockets.latest();
    expect(live.sent.map((call) => call.content)).toEqual([
      { text: 'to be deleted' },
      { image: PNG_BYTES, caption: 'caption', mimetype: 'image/png' },
      { location: { degreesLatitude: 41.0082, degreesLongitude: 28.9784, name: 'Sultanahmet' } },
      { contacts: { displayName: 'Ada', contacts: [{ displayName: 'Ada', vcard: expect.stringContaining('waid=905551234567') }] } },
      { delete: sentKey(live, 0) },
    ]);
  });

  it('logout, restart, backup and restore act on the socket', async () => {
    await start();
    const phoneId = await addPhone();
    const linked = await linkPhone(sandbox, PHONE);
    const backup = await client.post(`/${phoneId}/backup`);
    expect(backup.json).toMatchObject({ success: true });

    // A second phone logs in from the backup: a socket with the backed-up credentials, no QR.
    const second = await addPhone();
    const before = sandbox.sockets.sockets.length;
    expect((await client.post(`/${second}/restore`, backup.json.data)).json).toEqual({ success: true });
    const restored = sandbox.sockets.latest();
    expect(sandbox.sockets.sockets).toHaveLength(before + 1);
    expect(restored.config.auth.creds.me?.id).toBe(`${PHONE}:7@s.whatsapp.net`);
    expect(await status(second)).toMatchObject({ loading: true });
    restored.connect(PHONE);
    await sandbox.flush();
    expect(await status(second)).toMatchObject({ loggedIn: true, number: PHONE });

    // restart: the socket ends on purpose and a new one logs in with the same credentials.
    expect((await client.get(`/${phoneId}/restart`)).json).toEqual({ success: true });
    expect(linked.ended).toBe(true);
    const again = sandbox.sockets.latest();
    expect(again.config.auth.creds.me?.id).toBe(`${PHONE}:7@s.whatsapp.net`);
    expect(await status(phoneId)).toMatchObject({ loading: true });

    // logout: WhatsApp is told, the credentials go, and a fresh socket shows a new QR.
    expect((await client.get(`/${phoneId}/logout`)).json).toEqual({ success: true });
    await sandbox.flush();
    expect(again.loggedOut).toBe(true);
    expect(sandbox.sockets.latest().config.auth.creds.me).toBeUndefined();
    expect(await status(phoneId)).toMatchObject({ isQr: true, loggedIn: false });
  });

  it('a restart of the sandbox on SQLite reconnects a linked phone with its stored credentials, without a scan', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'wa-live-')), 'sandbox.db');
    await start({ store: { kind: 'sqlite', file } });
    const phoneId = await addPhone();
    await linkPhone(sandbox, PHONE);
    await sandbox.close();

    await start({ store: { kind: 'sqlite', file } });
    const [resumed] = sandbox.sockets.sockets;
    expect(sandbox.sockets.sockets).toHaveLength(1);
    expect(resumed!.config.auth.creds.me?.id).toBe(`${PHONE}:7@s.whatsapp.net`);
    expect(await status(phoneId)).toMatchObject({ loading: true });
    resumed!.connect(PHONE);
    await sandbox.flush();
    expect(await status(phoneId)).toMatchObject({ loggedIn: true, number: PHONE });
  });
});
