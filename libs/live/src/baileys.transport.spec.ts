import { Boom } from '@hapi/boom';
import { DisconnectReason, proto, type WAMessage } from '@whiskeysockets/baileys';
import { BaileysTransport } from './baileys.transport.js';
import { fakeSockets, ManualTimer } from './testing/fake-socket.js';
import { MemoryTransportState } from './testing/memory-state.js';
import { outbound, testAccount } from './testing/messages.js';
import { RecordingSink, settle, testContext, testSession } from './testing/recording-sink.js';

const PHONE = '905550000001';
const CUSTOMER = '905551112233';
const CUSTOMER_JID = `${CUSTOMER}@s.whatsapp.net`;
const BACK_OFF = { firstMs: 1_000, maxMs: 8_000 };

function setUp(state = new MemoryTransportState()) {
  const sockets = fakeSockets();
  const timer = new ManualTimer();
  const sink = new RecordingSink();
  const downloads: WAMessage[] = [];
  const errors: unknown[] = [];
  const transport = new BaileysTransport({
    socket: sockets.factory,
    timer,
    backOff: BACK_OFF,
    download: async (message) => {
      downloads.push(message);
      return new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]);
    },
    onError: (error) => errors.push(error),
  });
  const context = testContext(state);
  transport.attach(sink, context.context);
  return { transport, sockets, timer, sink, downloads, errors, ...context };
}

/** A session linked by a QR scan and open, as `PHONE`. */
async function linked(state = new MemoryTransportState()) {
  const setup = setUp(state);
  const session = testSession();
  await setup.transport.open(session, false);
  setup.sockets.latest().scanned(PHONE);
  await settle();
  setup.sockets.latest().connect(PHONE);
  await settle();
  return { ...setup, session };
}

describe('BaileysTransport: linking (connection.update)', () => {
  it('an unlinked session shows the socket QR codes; a scan, the restart WhatsApp asks for and open make it connected', async () => {
    const { transport, sockets, sink } = setUp();
    const session = testSession();
    await transport.open(session, false);
    expect(sockets.sockets).toHaveLength(1);
    expect(sockets.latest().config.auth.creds.me).toBeUndefined();

    // The first code shows the new session's QR screen; WhatsApp's next ones only rotate it.
    sockets.latest().emit('connection.update', { qr: '2@ref,noise,identity,adv' });
    sockets.latest().emit('connection.update', { qr: '2@ref2,noise,identity,adv' });
    await settle();
    expect(sink.links.map((entry) => entry.update)).toEqual([
      { state: 'qr', qr: '2@ref,noise,identity,adv', rotatesAt: null },
      { state: 'qr', qr: '2@ref2,noise,identity,adv', rotatesAt: null, rotated: true },
    ]);

    sockets.latest().scanned(PHONE);
    await settle();
    // restartRequired reconnects at once, with the credentials the scan produced.
    expect(sockets.sockets).toHaveLength(2);
    expect(sockets.latest().config.auth.creds.me?.id).toBe(`${PHONE}:7@s.whatsapp.net`);
    // Loading as the phone; the restart that follows is part of it, not a second loading.
    expect(sink.links.slice(2).map((entry) => entry.update)).toEqual([{ state: 'loading', phone: PHONE }]);

    sockets.latest().connect(PHONE, 'Shop');
    await settle();
    expect(sink.last('s1')).toEqual({ state: 'connected', phone: PHONE, profileName: 'Shop' });
  });

  it('stored credentials reconnect without a scan after a restart of the sandbox (a new transport on the same state)', async () => {
    const { state } = await linked();
    const after = setUp(state);
    await after.transport.open(testSession('s1', 'maytapi:product', { state: 'connected', phone: PHONE }), true);
    expect(after.sink.links[0]!.update).toEqual({ state: 'loading', phone: null });
    expect(after.sockets.latest().config.auth.creds.me?.id).toBe(`${PHONE}:7@s.whatsapp.net`);
    after.sockets.latest().connect(PHONE);
    await settle();
    expect(after.sink.last('s1')).toMatchObject({ state: 'connected', phone: PHONE });
    expect(after.sink.links.some((entry) => entry.update.state === 'qr')).toBe(false);
  });

  it('a session opened new or reset forgets credentials kept for it; after a drop, the next QR is a new screen', async () => {
    const { transport, session, sockets, sink, state, timer } = await linked();
    await transport.close(session);
    await transport.open({ ...session, state: 'connected', phone: null }, false);
    expect([...state.values.keys()].filter((key) => key.startsWith('auth/s1/creds'))).toEqual([]);
    expect(sockets.latest().config.auth.creds.me).toBeUndefined();

    sockets.latest().close(DisconnectReason.connectionClosed);
    await settle();
    timer.fireNext();
    await settle();
    sockets.latest().emit('connection.update', { qr: 'after-the-drop' });
    await settle();
    expect(sink.last('s1')).toEqual({ state: 'qr', qr: 'after-the-drop', rotatesAt: null });
  });

  it('a pairing code is asked once WhatsApp offers the first QR, for the digits of the phone', async () => {
    const { transport, sockets } = setUp();
    const session = testSession();
    const asked = transport.requestPairingCode(session, '+90 555 000 00 01');
    await settle();
    expect(sockets.latest().pairingRequests).toEqual([]);
    sockets.latest().emit('connection.update', { qr: 'qr-1' });
    await expect(asked).resolves.toEqual({ ok: true, code: 'ABCD1234' });
    expect(sockets.latest().pairingRequests).toEqual([PHONE]);
  });

  it('a pairing code is refused for a linked session, and fails when the socket closes before any QR', async () => {
    const { transport, session } = await linked();
    await expect(transport.requestPairingCode(session, PHONE)).resolves.toEqual({ ok: false, reason: 'the session is already linked to a phone' });

    const fresh = setUp();
    const asked = fresh.transport.requestPairingCode(testSession('s2'), PHONE);
    await settle();
    fresh.sockets.latest().close(DisconnectReason.connectionClosed);
    await expect(asked).resolves.toMatchObject({ ok: false });
  });

  it('closes that keep the credentials reconnect with exponential back-off, capped; an open resets it', async () => {
    const { sockets, timer, sink } = await linked();
    const closes = [DisconnectReason.connectionClosed, DisconnectReason.connectionLost, DisconnectReason.unavailableService, 428, 428, 428];
    for (const code of closes) {
      sockets.latest().close(code);
      await settle();
      expect(timer.pending).toHaveLength(1);
      timer.fireNext();
      await settle();
    }
    expect(timer.delays).toEqual([1_000, 2_000, 4_000, 8_000, 8_000, 8_000]);
    expect(sink.links.filter((entry) => entry.update.state === 'disconnected').map((entry) => entry.update)).toEqual([
      { state: 'disconnected', reason: 'connection closed', retryInMs: 1_000 },
      { state: 'disconnected', reason: 'connection lost or timed out', retryInMs: 2_000 },
      { state: 'disconnected', reason: 'WhatsApp unavailable', retryInMs: 4_000 },
      { state: 'disconnected', reason: 'connection closed', retryInMs: 8_000 },
      { state: 'disconnected', reason: 'connection closed', retryInMs: 8_000 },
      { state: 'disconnected', reason: 'connection closed', retryInMs: 8_000 },
    ]);
    // Each retry is a new socket with the same credentials.
    expect(sockets.sockets).toHaveLength(2 + closes.length);
    expect(sockets.latest().config.auth.creds.me?.id).toBe(`${PHONE}:7@s.whatsapp.net`);

    sockets.latest().connect(PHONE);
    await settle();
    sockets.latest().close(DisconnectReason.connectionClosed);
    await settle();
    expect(timer.delays.at(-1)).toBe(1_000);
  });

  it.each([
    [DisconnectReason.loggedOut, 'logged out from the phone'],
    [DisconnectReason.badSession, 'bad session'],
    [DisconnectReason.connectionReplaced, 'connection replaced by another client'],
    [DisconnectReason.multideviceMismatch, 'multi-device mismatch'],
    [DisconnectReason.forbidden, 'forbidden by WhatsApp'],
  ])('a close with status %i deletes the credentials, reports logged-out and opens a fresh QR socket', async (code, reason) => {
    const { sockets, sink, state, timer } = await linked();
    expect([...state.values.keys()].some((key) => key.startsWith('auth/s1/'))).toBe(true);
    sockets.latest().close(code);
    await settle();
    expect(sink.last('s1')).toEqual({ state: 'logged-out', reason });
    expect([...state.values.keys()].filter((key) => key.startsWith('auth/s1/'))).toEqual([]);
    expect(sockets.latest().config.auth.creds.me).toBeUndefined();
    expect(timer.pending).toEqual([]);
  });

  it('QR codes that expire without a scan leave the session waiting, not retrying', async () => {
    const { transport, sockets, sink, timer } = setUp();
    await transport.open(testSession(), false);
    sockets.latest().emit('connection.update', { qr: 'qr-1' });
    sockets.latest().close(DisconnectReason.timedOut);
    await settle();
    expect(sink.last('s1')).toEqual({ state: 'qr', qr: 'qr-1', rotatesAt: null, idle: true });
    expect(timer.pending).toEqual([]);
    // A restart brings a fresh QR screen, not the next code of the idle one.
    await transport.restart(testSession());
    expect(sockets.sockets).toHaveLength(2);
    sockets.latest().emit('connection.update', { qr: 'qr-2' });
    await settle();
    expect(sink.last('s1')).toEqual({ state: 'qr', qr: 'qr-2', rotatesAt: null });
  });

  it('restart ends the socket on purpose (its close is not a drop) and opens a new one', async () => {
    const { transport, session, sockets, timer, sink } = await linked();
    const before = sockets.latest();
    const updates = sink.links.length;
    await transport.restart(session);
    await settle();
    expect(before.ended).toBe(true);
    expect(sockets.sockets).toHaveLength(3);
    expect(timer.pending).toEqual([]);
    expect(sink.links.slice(updates).map((entry) => entry.update)).toEqual([{ state: 'loading', phone: null }]);
  });

  it('logout unlinks the device, forgets the credentials and shows a fresh QR screen', async () => {
    const { transport, session, sockets, sink, state } = await linked();
    const before = sockets.latest();
    await transport.logout(session);
    await settle();
    expect(before.loggedOut).toBe(true);
    expect(sink.links.filter((entry) => entry.update.state === 'logged-out').map((entry) => entry.update)).toEqual([
      { state: 'logged-out', reason: 'logged out' },
    ]);
    expect([...state.values.keys()].filter((key) => key.startsWith('auth/s1/creds'))).toEqual([]);
    expect(sockets.latest()).not.toBe(before);
    expect(sockets.latest().config.auth.creds.me).toBeUndefined();
  });

  it('close lets the session go: its socket ends, its pending retry is cancelled, its events no longer count', async () => {
    const { transport, session, sockets, timer, sink } = await linked();
    sockets.latest().close(DisconnectReason.connectionClosed);
    await settle();
    expect(timer.pending).toHaveLength(1);
    await transport.close(session);
    expect(timer.pending).toEqual([]);
    const updates = sink.links.length;
    sockets.latest().emit('connection.update', { qr: 'late' });
    await settle();
    expect(sink.links).toHaveLength(updates);
  });

  it('credentials and signal keys are written to the state as Baileys updates them', async () => {
    const { sockets, state } = await linked();
    const socket = sockets.latest();
    await socket.config.auth.keys.set({ 'pre-key': { '1': { public: new Uint8Array([1, 2]), private: new Uint8Array([3, 4]) } } });
    expect(await state.get('auth/s1/keys/pre-key/1')).toEqual({ public: { type: 'Buffer', data: 'AQI=' }, private: { type: 'Buffer', data: 'AwQ=' } });
    expect(await state.get('auth/s1/creds')).toMatchObject({ me: { id: `${PHONE}:7@s.whatsapp.net` } });
  });
});

describe('BaileysTransport: sending', () => {
  it('a text goes to the customer JID under the id mapped first to the engine id; it is sent when sendMessage returns', async () => {
    const { transport, sockets, sink, state } = await linked();
    await transport.send(outbound('m1', { text: 'hello' }), testAccount);
    const [call] = sockets.latest().sent;
    expect(call).toMatchObject({ jid: CUSTOMER_JID, content: { text: 'hello' } });
    const waId = call!.options!.messageId!;
    expect(await state.get(`wa/s1/${waId}`)).toBe('m1');
    expect(await state.get('sent/m1')).toEqual({ sessionId: 's1', key: { remoteJid: CUSTOMER_JID, fromMe: true, id: waId }, text: 'hello' });
    expect(sink.statuses).toEqual([{ messageId: 'm1', status: 'sent' }]);
  });

  it("a message on an account's own line leaves through the account's link session", async () => {
    const { transport, sockets, state } = setUp();
    const link = testSession('wamm-s1', 'wamm:key', { label: 'link' });
    await transport.open(link, false);
    sockets.latest().connect(PHONE);
    await settle();
    await transport.send(outbound('m1', { accountId: 'wamm:key', lineId: 'wamm:key', text: 'from the line' }), testAccount);
    const [call] = sockets.latest().sent;
    expect(call).toMatchObject({ jid: CUSTOMER_JID, content: { text: 'from the line' } });
    expect(await state.get(`wa/wamm-s1/${call!.options!.messageId}`)).toBe('m1');
  });

  it('a group message goes to the group JID', async () => {
    const { transport, sockets } = await linked();
    await transport.send(outbound('m1', { text: 'hi all', peer: '120363000000000001@g.us' }), testAccount);
    expect(sockets.latest().sent[0]!.jid).toBe('120363000000000001@g.us');
  });

  it('media goes from the bytes the sandbox holds, or from its link when it holds none', async () => {
    const { transport, sockets, mediaByMessage } = await linked();
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);
    mediaByMessage.set('m1', jpeg);
    const image = { format: 'jpeg', kind: 'image', mime: 'image/jpeg', size: 4 };
    await transport.send(outbound('m1', { kind: 'media', text: 'look', mediaUrl: 'http://files.test/a.jpg', media: image }), testAccount);
    await transport.send(outbound('m2', { kind: 'media', mediaUrl: 'http://files.test/b.jpg', media: image }), testAccount);
    const [fromBytes, fromUrl] = sockets.latest().sent.map((call) => call.content);
    expect(fromBytes).toEqual({ image: Buffer.from(jpeg), caption: 'look', mimetype: 'image/jpeg' });
    expect(fromUrl).toEqual({ image: { url: 'http://files.test/b.jpg' }, mimetype: 'image/jpeg' });
  });

  it.each([
    ['video', { format: 'mp4', kind: 'video', mime: 'video/mp4', size: 9 }, { video: { url: 'http://files.test/f' }, caption: 'cap', mimetype: 'video/mp4' }],
    ['audio', { format: 'mp3', kind: 'audio', mime: 'audio/mpeg', size: 9 }, { audio: { url: 'http://files.test/f' }, mimetype: 'audio/mpeg' }],
    [
      'voice',
      { format: 'ogg', kind: 'audio', mime: 'audio/ogg', size: 9 },
      { audio: { url: 'http://files.test/f' }, ptt: true, mimetype: 'audio/ogg; codecs=opus' },
    ],
    [
      'document',
      { format: 'pdf', kind: 'document', mime: 'application/pdf', size: 9, fileName: 'invoice.pdf' },
      { document: { url: 'http://files.test/f' }, mimetype: 'application/pdf', fileName: 'invoice.pdf', caption: 'cap' },
    ],
  ])('a %s file maps to its WhatsApp media message', async (_name, media, content) => {
    const { transport, sockets } = await linked();
    await transport.send(outbound('m1', { kind: 'media', text: 'cap', mediaUrl: 'http://files.test/f', media }), testAccount);
    expect(sockets.latest().sent[0]!.content).toEqual(content);
  });

  it('a location and contacts (one card, several cards) map to their WhatsApp messages', async () => {
    const { transport, sockets } = await linked();
    await transport.send(outbound('m1', { kind: 'location', location: { latitude: 41.01, longitude: 28.97, name: 'Galata' } }), testAccount);
    await transport.send(outbound('m2', { kind: 'contacts', contacts: [{ name: 'Ada', phones: ['+90 555 123 45 67'] }] }), testAccount);
    await transport.send(
      outbound('m3', {
        kind: 'contacts',
        contacts: [
          { name: 'Ada', phones: ['905551234567'] },
          { name: 'Bob', phones: ['905557654321'] },
        ],
      }),
      testAccount,
    );
    const [location, one, two] = sockets.latest().sent.map((call) => call.content);
    expect(location).toEqual({ location: { degreesLatitude: 41.01, degreesLongitude: 28.97, name: 'Galata' } });
    expect(one).toEqual({
      contacts: {
        displayName: 'Ada',
        contacts: [{ displayName: 'Ada', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Ada\nTEL;type=CELL;type=VOICE;waid=905551234567:+905551234567\nEND:VCARD' }],
      },
    });
    expect(two).toMatchObject({ contacts: { displayName: '2 contacts', contacts: [{ displayName: 'Ada' }, { displayName: 'Bob' }] } });
  });

  it('a delete revokes the earlier message by its WhatsApp key; a reply quotes it', async () => {
    const { transport, sockets, state } = await linked();
    await transport.send(outbound('m1', { text: 'oops' }), testAccount);
    const { key } = (await state.get<{ key: object }>('sent/m1'))!;
    await transport.send(outbound('m2', { kind: 'other', revokes: 'm1' }), testAccount);
    await transport.send(outbound('m3', { text: 'about that', quotedId: 'm1' }), testAccount);
    const [, revoke, reply] = sockets.latest().sent;
    expect(revoke!.content).toEqual({ delete: key });
    expect(reply!.options!.quoted).toEqual({ key, message: { conversation: 'oops' } });
  });

  it('what the model cannot carry (a reaction target, poll options) or a delete of an unknown message fails with the reason', async () => {
    const { transport, sockets, sink } = await linked();
    await transport.send(outbound('m1', { kind: 'reaction', text: '👍' }), testAccount);
    await transport.send(outbound('m2', { kind: 'poll', text: 'Lunch?' }), testAccount);
    await transport.send(outbound('m3', { kind: 'other', revokes: 'elsewhere' }), testAccount);
    expect(sockets.latest().sent).toEqual([]);
    expect(sink.statuses).toEqual([
      {
        messageId: 'm1',
        status: 'failed',
        failure: { code: 'send_failed', reason: "the engine's message model does not carry the message a reaction answers" },
      },
      { messageId: 'm2', status: 'failed', failure: { code: 'send_failed', reason: "the engine's message model does not carry a poll's options" } },
      { messageId: 'm3', status: 'failed', failure: { code: 'send_failed', reason: 'the message it deletes (elsewhere) was not sent through this session' } },
    ]);
  });

  it('a sendMessage failure fails the message with its reason; a closed connection is session_closed', async () => {
    const { transport, sockets, sink, state } = await linked();
    sockets.latest().failNextSend = new Error('not-acceptable');
    await transport.send(outbound('m1', { text: 'a' }), testAccount);
    sockets.latest().failNextSend = new Boom('Connection Closed', { statusCode: DisconnectReason.connectionClosed });
    await transport.send(outbound('m2', { text: 'b' }), testAccount);
    expect(sink.statuses).toEqual([
      { messageId: 'm1', status: 'failed', failure: { code: 'send_failed', reason: 'not-acceptable' } },
      { messageId: 'm2', status: 'failed', failure: { code: 'session_closed', reason: 'Connection Closed' } },
    ]);
    expect([...state.values.keys()].filter((key) => key.startsWith('wa/') || key.startsWith('sent/'))).toEqual([]);
  });

  it('a session without an open socket fails the message as session_closed', async () => {
    const { transport, sockets, sink } = setUp();
    await transport.open(testSession(), false);
    await transport.send(outbound('m1', { text: 'a' }), testAccount);
    expect(sockets.latest().sent).toEqual([]);
    expect(sink.statuses).toEqual([
      { messageId: 'm1', status: 'failed', failure: { code: 'session_closed', reason: 'the WhatsApp session is not connected' } },
    ]);
  });
});

describe('BaileysTransport: receiving (messages.update, messages.upsert)', () => {
  const Status = proto.WebMessageInfo.Status;

  it('WhatsApp ticks become the engine statuses; PLAYED is read and a played receipt; ERROR fails it', async () => {
    const { transport, sockets, sink } = await linked();
    await transport.send(outbound('m1', { text: 'a' }), testAccount);
    await transport.send(outbound('m2', { text: 'b' }), testAccount);
    const [first, second] = sockets.latest().sent.map((call) => call.options!.messageId!);
    const key = (id: string) => ({ remoteJid: CUSTOMER_JID, fromMe: true, id });
    sockets.latest().emit('messages.update', [
      { key: key(first!), update: { status: Status.SERVER_ACK } },
      { key: key(first!), update: { status: Status.DELIVERY_ACK } },
      { key: key(first!), update: { status: Status.READ } },
      { key: key(first!), update: { status: Status.PLAYED } },
      { key: key(second!), update: { status: Status.ERROR } },
      { key: key('unknown'), update: { status: Status.READ } },
      { key: { ...key(first!), fromMe: false }, update: { status: Status.READ } },
    ]);
    await settle();
    expect(sink.statuses.slice(2)).toEqual([
      { messageId: 'm1', status: 'sent' },
      { messageId: 'm1', status: 'delivered' },
      { messageId: 'm1', status: 'read' },
      { messageId: 'm1', status: 'read' },
      { messageId: 'm2', status: 'failed', failure: { code: 'send_failed', reason: 'WhatsApp reported an error for the message' } },
    ]);
    expect(sink.receipts).toEqual([{ messageId: 'm1', receipt: 'played' }]);
  });

  const incoming = (message: proto.IMessage, key: Partial<WAMessage['key']> = {}): WAMessage => ({
    key: { remoteJid: CUSTOMER_JID, fromMe: false, id: 'IN1', ...key },
    message,
    pushName: 'Ada',
  });

  it('a new text to the line arrives with the pushName as profile name; history, own messages and protocol messages do not', async () => {
    const { sockets, sink } = await linked();
    const socket = sockets.latest();
    socket.emit('messages.upsert', { type: 'notify', messages: [incoming({ conversation: 'hi' })] });
    socket.emit('messages.upsert', { type: 'append', messages: [incoming({ conversation: 'old' })] });
    socket.emit('messages.upsert', { type: 'notify', messages: [incoming({ conversation: 'mine' }, { fromMe: true })] });
    socket.emit('messages.upsert', { type: 'notify', messages: [incoming({ protocolMessage: { type: proto.Message.ProtocolMessage.Type.REVOKE } })] });
    await settle();
    expect(sink.inbounds).toEqual([
      {
        accountId: 'maytapi:product',
        message: { from: CUSTOMER, profileName: 'Ada', kind: 'text', text: 'hi', mediaUrl: null, media: null, lineId: 's1' },
      },
    ]);
  });

  it('a reply quoting a sent message carries its engine id; a reaction names the message it reacts to', async () => {
    const { transport, sockets, sink } = await linked();
    await transport.send(outbound('m1', { text: 'a' }), testAccount);
    const waId = sockets.latest().sent[0]!.options!.messageId!;
    sockets.latest().emit('messages.upsert', {
      type: 'notify',
      messages: [
        incoming({ extendedTextMessage: { text: 'yes', contextInfo: { stanzaId: waId } } }),
        incoming({ reactionMessage: { text: '❤️', key: { id: waId, fromMe: true, remoteJid: CUSTOMER_JID } } }, { id: 'IN2' }),
      ],
    });
    await settle();
    expect(sink.inbounds.map((entry) => entry.message)).toEqual([
      expect.objectContaining({ kind: 'text', text: 'yes', quotedId: 'm1' }),
      expect.objectContaining({ kind: 'reaction', text: '❤️', quotedId: 'm1' }),
    ]);
  });

  it('a media message is downloaded and kept for the account; the caption is its text', async () => {
    const { sockets, sink, downloads, kept } = await linked();
    const image = incoming({ imageMessage: { mimetype: 'image/jpeg', caption: 'my cat', url: 'https://mmg.whatsapp.net/x' } });
    sockets.latest().emit('messages.upsert', { type: 'notify', messages: [image] });
    await settle();
    expect(downloads).toEqual([image]);
    expect(kept).toEqual([{ accountId: 'maytapi:product', bytes: new Uint8Array([0xff, 0xd8, 0xff, 1, 2, 3]), mime: 'image/jpeg', fileName: null }]);
    expect(sink.inbounds[0]!.message).toMatchObject({
      kind: 'media',
      text: 'my cat',
      mediaUrl: 'http://sandbox.test/media/in1',
      media: { mime: 'image/jpeg', size: 6 },
    });
  });

  it('a document keeps its file name; a file that cannot be downloaded still delivers its message, as other', async () => {
    const { transport, sockets, sink, kept, errors } = setUp();
    const session = testSession();
    await transport.open(session, false);
    sockets.latest().connect(PHONE);
    await settle();
    sockets.latest().emit('messages.upsert', {
      type: 'notify',
      messages: [incoming({ documentMessage: { mimetype: 'application/pdf', fileName: 'cv.pdf' } })],
    });
    await settle();
    expect(kept[0]).toMatchObject({ mime: 'application/pdf', fileName: 'cv.pdf' });

    const failing = new BaileysTransport({
      socket: sockets.factory,
      download: async () => {
        throw new Error('media expired');
      },
      onError: (error) => errors.push(error),
    });
    failing.attach(sink, testContext().context);
    await failing.open(testSession('s2'), false);
    sockets.latest().connect(PHONE);
    sockets.latest().emit('messages.upsert', { type: 'notify', messages: [incoming({ imageMessage: { mimetype: 'image/jpeg', caption: 'lost' } })] });
    await settle();
    expect(sink.inbounds.at(-1)!.message).toMatchObject({ kind: 'other', text: 'lost', mediaUrl: null, media: null, lineId: 's2' });
    expect(errors).toEqual([new Error('media expired')]);
  });

  it('a location and a contact card arrive as the engine carries them', async () => {
    const { sockets, sink } = await linked();
    sockets.latest().emit('messages.upsert', {
      type: 'notify',
      messages: [
        incoming({ locationMessage: { degreesLatitude: 41.01, degreesLongitude: 28.97, name: 'Galata', address: 'Istanbul' } }),
        incoming({
          contactMessage: {
            displayName: 'Ada',
            vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:Ada L\nTEL;type=CELL;waid=905551234567:+90 555 123 45 67\nTEL:+1 (202) 555-0100\nEND:VCARD',
          },
        }),
      ],
    });
    await settle();
    expect(sink.inbounds.map((entry) => entry.message)).toEqual([
      expect.objectContaining({ kind: 'location', text: 'Galata', location: { latitude: 41.01, longitude: 28.97, name: 'Galata', address: 'Istanbul' } }),
      expect.objectContaining({ kind: 'contacts', text: '', contacts: [{ name: 'Ada', phones: ['905551234567', '12025550100'] }] }),
    ]);
  });

  it('in a group the member who wrote is from and the group is the chat; a LID sender is named by its phone number', async () => {
    const { sockets, sink } = await linked();
    sockets.latest().emit('messages.upsert', {
      type: 'notify',
      messages: [
        incoming({ conversation: 'in group' }, { remoteJid: '120363000000000001@g.us', participant: `${CUSTOMER}@s.whatsapp.net` }),
        incoming({ conversation: 'by lid' }, { remoteJid: '1234567890123@lid', remoteJidAlt: CUSTOMER_JID }),
        incoming(
          { conversation: 'lid member' },
          { remoteJid: '120363000000000001@g.us', participant: '99887766@lid', participantAlt: '905559998877@s.whatsapp.net' },
        ),
      ],
    });
    await settle();
    expect(sink.inbounds.map(({ message }) => [message.from, message.chat])).toEqual([
      [CUSTOMER, '120363000000000001@g.us'],
      [CUSTOMER, undefined],
      ['905559998877', '120363000000000001@g.us'],
    ]);
  });
});

describe('BaileysTransport: backup and restore', () => {
  it('a backup of a linked session restores it on another session without a scan', async () => {
    const { transport, session, state, sockets, sink } = await linked();
    const backup = await transport.backup(session);
    expect(backup).toMatchObject({ ok: true, phone: PHONE });
    const token = (backup as { token: string }).token;
    // The token does not show the credentials it carries.
    expect(token).not.toContain('noiseKey');
    expect(Buffer.from(token.split('.')[1]!, 'base64url').toString('latin1')).not.toContain('noiseKey');

    await expect(transport.restore(testSession('s2'), token)).resolves.toEqual({ ok: true });
    // New credentials for that session: it takes their phone.
    expect(sink.last('s2')).toEqual({ state: 'loading', phone: PHONE });
    expect(sockets.latest().config.auth.creds.me?.id).toBe(`${PHONE}:7@s.whatsapp.net`);
    expect(await state.get('auth/s2/creds')).toEqual(await state.get('auth/s1/creds'));
  });

  it('an unlinked session has no backup; an altered token or one from another sandbox is refused', async () => {
    const { transport, session } = await linked();
    await expect(setUp().transport.backup(testSession())).resolves.toEqual({ ok: false, reason: 'the session is not linked to a phone' });
    const { token } = (await transport.backup(session)) as { token: string };
    const refused = { ok: false, reason: 'the token was not made by this sandbox, or was altered' };
    const altered = `${token.slice(0, -4)}${token.endsWith('AAAA') ? 'BBBB' : 'AAAA'}`;
    await expect(transport.restore(testSession('s2'), altered)).resolves.toEqual(refused);
    await expect(transport.restore(testSession('s2'), 'not a token')).resolves.toEqual(refused);
    await expect(setUp().transport.restore(testSession('s2'), token)).resolves.toEqual(refused);
  });
});
