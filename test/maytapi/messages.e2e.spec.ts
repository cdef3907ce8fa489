import { WebhookReceiver } from '#conformance';
import { useMaytapi } from './use-maytapi.js';

const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

interface AckCall {
  type: 'ack';
  product_id: string;
  data: Array<{ ackType: string; ackCode: number; chatId: string; msgId: string; time: number }>;
}

/** sendMessage in every form, and what reaches the webhook: messages, fromMe echoes, batched acks. */
describe('Maytapi messages and webhooks', () => {
  const sandbox = useMaytapi({ product: 'product-2', key: 'token-2', phone: '905309876543' });

  const send = async (body: Record<string, unknown>) => {
    const response = await sandbox.client.post(`/${sandbox.phoneId}/sendMessage`, { to_number: '905301234567', ...body });
    expect(response.json).toMatchObject({ success: true });
    return response.json.data as { chatId: string; msgId: string };
  };
  const ackCalls = () => sandbox.receiver.accepted.map((r) => r.json as AckCall).filter((b) => b.type === 'ack');
  const messageHooks = () => sandbox.receiver.accepted.map((r) => r.json as any).filter((b) => b.type === 'message');

  it('queues every type the spec and real clients use, each recorded as what it is', async () => {
    const text = await send({ type: 'text', message: 'Hello World!' });
    const cases: Array<[Record<string, unknown>, Record<string, unknown>]> = [
      [{ message: 'no type means text' }, { kind: 'text', text: 'no type means text' }],
      [
        { to_number: '905301234567-1574073754@g.us', type: 'text', message: 'to the group' },
        { kind: 'text', to: '905301234567-1574073754@g.us' },
      ],
      [{ to_number: '+90 530 123 45 67', type: 'text', message: 'formatted number' }, { to: '905301234567' }],
      [
        { type: 'media', message: `data:image/png;base64,${TINY_PNG}`, text: 'caption' },
        { kind: 'media', text: 'caption' },
      ],
      [{ type: 'image', message: TINY_PNG }, { kind: 'media' }],
      // Just under Maytapi's 1 MB for base64 images, though its base64 makes a 1.3 MB request.
      [
        { type: 'image', message: Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(1000 * 1024)]).toString('base64') },
        { kind: 'media' },
      ],
      [
        { type: 'location', text: 'Fatih Sultan Mehmet Köprüsü', latitude: '41.093292', longitude: '29.061737' },
        { kind: 'location', text: 'Fatih Sultan Mehmet Köprüsü' },
      ],
      [{ type: 'contact', message: '908501234567@c.us' }, { kind: 'contacts' }],
      [
        { type: 'vcard', message: { displayName: 'John Doe', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:John Doe\nTEL;TYPE=CELL:+9051234567\nEND:VCARD' } },
        { kind: 'contacts' },
      ],
      [
        { type: 'link', message: 'https://maytapi.com/', text: 'WhatsApp API' },
        { kind: 'link', text: 'https://maytapi.com/\nWhatsApp API' },
      ],
      [
        { type: 'reaction', message: '😀', reply_to: text.msgId },
        { kind: 'reaction', text: '😀' },
      ],
      [
        { type: 'edit', message: 'Hello!!', reply_to: text.msgId },
        { kind: 'text', text: 'Hello!!' },
      ],
      [
        { type: 'forward', message: text.msgId, forward_caption: true },
        { kind: 'text', text: 'Hello World!' },
      ],
      [{ type: 'text', message: 'a reply', reply_to: `true_905301234567@c.us_${text.msgId}` }, { kind: 'text' }],
      [{ type: 'delete', message: text.msgId }, { kind: 'other' }],
      [
        { type: 'poll', message: 'Poll Message', options: ['1', '2', '3'], only_one: true },
        { kind: 'poll', text: 'Poll Message' },
      ],
      [{ type: 'product', productId: '3121315354601301' }, { kind: 'other' }],
      [
        { type: 'buttons', message: 'Message Body', buttons: [{ id: '!response 1', text: 'Test Button 1' }] },
        { kind: 'other', text: 'Message Body' },
      ],
    ];
    for (const [body, expected] of cases) {
      const { msgId } = await send(body);
      expect({ body, message: await sandbox.control.message(msgId) }).toEqual({
        body,
        message: expect.objectContaining({ ...expected, lineId: sandbox.sessionId, from: '905309876543' }),
      });
    }
    const group = await send({ to_number: '905301234567-1574073754@g.us', message: 'chat id' });
    expect(group.chatId).toBe('905301234567-1574073754@g.us');
  });

  it('sends acks only while ack delivery is on, as arrays at most one call per 2 s, each within 2 s of the tick', async () => {
    const off = await send({ message: 'acks off' });
    await sandbox.control.advance(60_000);
    expect(ackCalls()).toEqual([]);
    expect((await sandbox.client.post('/setAckPreference', { preference: true })).json.ack_delivery).toBe(true);

    const ids = [
      (await send({ message: 'one' })).msgId,
      (await send({ message: 'two' })).msgId,
      (await send({ message: 'three', to_number: '905301234568' })).msgId,
    ];
    await sandbox.control.advance(60_000);
    const journal = (await sandbox.control.journal('maytapi', sandbox.client.productId)).filter((a) => (a.body as { type?: string }).type === 'ack');
    const at = journal.map((a) => Date.parse(a.at));
    expect(at.slice(1).every((t, i) => t - at[i]! >= 2_000)).toBe(true);
    // Each tick reaches the receiver in the first call after it, at most 2 s later.
    for (const [index, attempt] of journal.entries()) {
      for (const ack of (attempt.body as AckCall).data) {
        const message = await sandbox.control.message(ack.msgId);
        const tick = message.history.find(
          (h) => h.status === ({ delivered: 'sent', reached: 'delivered', seen: 'read' } as Record<string, string>)[ack.ackType],
        );
        const tickAt = Date.parse(tick!.at);
        expect(at[index]! - tickAt).toBeGreaterThanOrEqual(0);
        expect(at[index]! - tickAt).toBeLessThanOrEqual(2_000);
        expect(ack.time).toBe(Math.floor(tickAt / 1000));
      }
    }
    const all = ackCalls().flatMap((c) => c.data);
    for (const id of ids) expect(all.filter((a) => a.msgId === id).map((a) => a.ackType)).toEqual(['delivered', 'reached', 'seen']);
    expect(all.some((a) => a.msgId === off.msgId)).toBe(false);
    expect(ackCalls().some((c) => c.data.length > 1)).toBe(true);
  });

  it("routes a phone's events to its own webhook and ack preference once config sets one", async () => {
    const own = await WebhookReceiver.start();
    const before = sandbox.receiver.accepted.length;
    try {
      expect((await sandbox.client.post(`/${sandbox.phoneId}/config`, { webhook: own.url, ack_delivery: true })).json).toEqual({
        success: true,
        status: { webhook: own.url, ack_delivery: true },
      });
      expect((await sandbox.client.get(`/${sandbox.phoneId}/config`)).json).toEqual({ success: true, status: { webhook: own.url, ack_delivery: true } });
      const { msgId } = await send({ message: 'to the phone webhook' });
      await sandbox.control.advance(60_000);
      expect(
        own.accepted
          .map((r) => r.json as AckCall)
          .filter((b) => b.type === 'ack')
          .flatMap((b) => b.data)
          .map((a) => [a.msgId, a.ackType]),
      ).toEqual([
        [msgId, 'delivered'],
        [msgId, 'reached'],
        [msgId, 'seen'],
      ]);
      expect(sandbox.receiver.accepted.slice(before)).toEqual([]);
      // Cleared, the product's webhook (acks off) applies again.
      await sandbox.client.post(`/${sandbox.phoneId}/config`, { webhook: '' });
      await send({ message: 'back to the product webhook' });
      await sandbox.control.advance(60_000);
      expect(messageHooks().length).toBe(1);
      expect(ackCalls()).toEqual([]);
    } finally {
      await own.close();
    }
  });

  it("posts incoming messages, and the phone's own sends with fromMe, in Maytapi's shape", async () => {
    await sandbox.control.inbound('maytapi', sandbox.client.productId, {
      from: '905301234567',
      text: 'hi there',
      session: sandbox.sessionId,
      profileName: 'Ayşe',
    });
    await sandbox.control.inbound('maytapi', sandbox.client.productId, {
      from: '905301234567',
      session: sandbox.sessionId,
      location: { latitude: 41.0082, longitude: 28.9784 },
    });
    await sandbox.control.inbound('maytapi', sandbox.client.productId, {
      from: '905301234567',
      session: sandbox.sessionId,
      contacts: [{ name: 'John Doe', phones: ['905301112233'] }],
    });
    await sandbox.control.inbound('maytapi', sandbox.client.productId, {
      from: '905301234567',
      session: sandbox.sessionId,
      mediaUrl: 'https://cdn.example.com/photo.jpg',
      text: 'look',
    });
    const { msgId } = await send({ message: 'my own send' });
    await sandbox.control.advance(2_000);
    const hooks = messageHooks();
    const common = {
      product_id: sandbox.client.productId,
      productId: sandbox.client.productId,
      phone_id: sandbox.phoneId,
      phoneId: sandbox.phoneId,
      conversation: '905301234567@c.us',
      receiver: '905309876543',
      timestamp: expect.any(Number),
      type: 'message',
      reply: `${sandbox.client.url}/${sandbox.phoneId}/sendMessage`,
    };
    expect(hooks[0]).toEqual({
      ...common,
      message: {
        type: 'text',
        id: expect.stringMatching(/^false_905301234567@c\.us_3EB0[0-9A-F]{16}$/),
        _serialized: hooks[0].message.id,
        fromMe: false,
        text: 'hi there',
      },
      user: { id: '905301234567@c.us', name: 'Ayşe', phone: '905301234567', image: '' },
    });
    expect(hooks[1].message).toMatchObject({ type: 'location', payload: '41.0082,28.9784' });
    expect(hooks[2].message).toMatchObject({ type: 'vcard', vcardList: [{ displayName: 'John Doe', vcard: expect.stringContaining('waid=905301112233') }] });
    expect(hooks[3].message).toMatchObject({
      type: 'image',
      url: 'https://cdn.example.com/photo.jpg',
      caption: 'look',
      filename: 'photo.jpg',
      mime: 'image/jpeg',
    });
    expect(hooks[4]).toMatchObject({
      ...common,
      receiver: '905309876543',
      message: { type: 'text', fromMe: true, text: 'my own send', id: `true_905301234567@c.us_${msgId}` },
    });

    // A reply may quote an incoming message by the id the webhook gave.
    const reply = await sandbox.client.post(`/${sandbox.phoneId}/sendMessage`, { to_number: '905301234567', message: 'answer', reply_to: hooks[0].message.id });
    expect(reply.json.success).toBe(true);
  });

  it('counts queued sends per phone, purges them unsent, and logs deliveries and failures', async () => {
    await sandbox.client.post('/setAckPreference', { ack_delivery: true });
    const ids = [(await send({ message: 'a' })).msgId, (await send({ message: 'b' })).msgId];
    expect((await sandbox.client.get(`/${sandbox.phoneId}/queue`)).json).toEqual({ success: true, stats: { sending: 2 } });
    expect((await sandbox.client.get('/queues')).json).toEqual({ success: true, queues: [{ id: sandbox.phoneId, status: 'active', queue: 2 }] });
    expect((await sandbox.client.get(`/${sandbox.phoneId}/purgeQueue`)).json).toEqual({ success: true });
    expect((await sandbox.client.get(`/${sandbox.phoneId}/queue`)).json.stats.sending).toBe(0);
    const failed = (await send({ to_number: '905300000000', message: 'no whatsapp' })).msgId;
    await sandbox.control.advance(60_000);
    for (const id of ids) expect((await sandbox.control.message(id)).status).toBe('failed');
    expect(
      ackCalls()
        .flatMap((c) => c.data)
        .filter((a) => ids.includes(a.msgId)),
    ).toEqual([]);

    const logs = (await sandbox.client.get('/logs')).json;
    expect(logs).toMatchObject({ success: true, data: { count: String(logs.data.list.length) } });
    const errors = logs.data.list.filter((l: any) => l.type === 'error').map((l: any) => l.data.msgId);
    expect(errors).toEqual(expect.arrayContaining([...ids, failed]));
    expect(logs.data.list.some((l: any) => l.type === 'outgoing' && l.data.webhook === sandbox.receiver.url && l.data.response.statusCode === 200)).toBe(true);
    expect(logs.data.list[0]).toMatchObject({
      id: expect.any(Number),
      pid: sandbox.client.productId,
      phone: String(sandbox.phoneId),
      created_at: expect.any(String),
      updated_at: expect.any(String),
    });
  });
});
