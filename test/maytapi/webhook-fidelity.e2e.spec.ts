import { useMaytapi } from './use-maytapi.js';

const OWN = '905309876543';
const AYSE = '905301234567';
const MEHMET = '905301234568';

const TINY_PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';

interface AckData {
  ackType: string;
  ackCode: number;
  chatId: string;
  msgId: string;
  time: number;
}

/** What the spec promises on the webhook and at sendMessage beyond the basics: every status change, acks 4 and 5, quotes, mentions, file names, the spam filter. */
describe('Maytapi webhook and send fidelity', () => {
  const sandbox = useMaytapi({ product: 'fidelity-product', key: 'fidelity-token', media: true });

  const hooks = (type: string) => sandbox.receiver.accepted.map((r) => r.json as any).filter((b) => b.type === type);
  const statuses = () => hooks('status').map((b) => b.status as string);
  const acks = (): AckData[] => hooks('ack').flatMap((b) => b.data);

  async function loggedInPhone(): Promise<{ phoneId: number; sessionId: string }> {
    const phoneId = (await sandbox.client.post('/addPhone')).json.id as number;
    await sandbox.control.advance(3_000);
    const sessionId = (await sandbox.control.sessions('maytapi', sandbox.client.productId)).find((s) => s.label === String(phoneId))!.id;
    await sandbox.control.scan(sessionId, OWN);
    await sandbox.control.advance(5_000);
    return { phoneId, sessionId };
  }

  it('posts a status webhook for every change: loading before the QR screen, qr-code, idle, and none for a logout on the QR screen', async () => {
    const phoneId = (await sandbox.client.post('/addPhone')).json.id as number;
    // An advance of nothing answers once the webhooks already started are delivered.
    await sandbox.control.advance(0);
    expect(statuses()).toEqual(['loading']);
    expect((await sandbox.client.get(`/${phoneId}/status`)).json.status).toMatchObject({ loading: true, isQr: false, loggedIn: false, connRetry: false });
    await sandbox.control.advance(3_000);
    expect(statuses()).toEqual(['loading', 'qr-code']);
    expect(hooks('status')[1]).toEqual({ type: 'status', pid: sandbox.client.productId, phone_id: phoneId, status: 'qr-code' });

    await sandbox.client.get(`/${phoneId}/logout`);
    await sandbox.control.advance(0);
    expect(statuses()).toEqual(['loading', 'qr-code']);
    await sandbox.control.advance(3 * 60_000);
    expect(statuses()).toEqual(['loading', 'qr-code', 'idle']);
    expect((await sandbox.client.get('/listPhones')).json[0].status).toBe('idle');
    await sandbox.client.get(`/${phoneId}/restart`);
    await sandbox.control.advance(0);
    expect(statuses()).toEqual(['loading', 'qr-code', 'idle', 'qr-code']);
  });

  it('acks a voice message as played (4) after seen, and a deleted message as deleted (5)', async () => {
    const { phoneId } = await loggedInPhone();
    await sandbox.client.post('/setAckPreference', { ack_delivery: true });
    const send = async (body: Record<string, unknown>) =>
      (await sandbox.client.post(`/${phoneId}/sendMessage`, { to_number: AYSE, ...body })).json.data.msgId as string;
    const voice = await send({ type: 'ptt', message: `${sandbox.media.url}/sample-opus.ogg` });
    const audio = await send({ type: 'audio', message: `${sandbox.media.url}/sample.mp3` });
    const text = await send({ message: 'to be deleted' });
    const picture = await send({ type: 'media', message: `${sandbox.media.url}/sample.jpg` });
    const deletion = await send({ type: 'delete', message: text });
    await sandbox.control.advance(120_000);
    const of = (id: string) =>
      acks()
        .filter((a) => a.msgId === id)
        .map((a) => [a.ackType, a.ackCode]);
    expect(of(voice)).toEqual([
      ['delivered', 1],
      ['reached', 2],
      ['seen', 3],
      ['played', 4],
    ]);
    expect(of(audio)).toEqual([
      ['delivered', 1],
      ['reached', 2],
      ['seen', 3],
      ['played', 4],
    ]);
    expect(of(picture)).toEqual([
      ['delivered', 1],
      ['reached', 2],
      ['seen', 3],
    ]);
    expect(of(text)).toContainEqual(['deleted', 5]);
    const deleted = acks().find((a) => a.msgId === text && a.ackType === 'deleted')!;
    // The deleted ack comes when the delete goes out, in the 2-second batches.
    const deleteSent = Date.parse((await sandbox.control.message(deletion)).history.find((h) => h.status === 'sent')!.at);
    expect(deleted).toEqual({ ackType: 'deleted', ackCode: 5, chatId: `${AYSE}@c.us`, msgId: text, time: Math.floor(deleteSent / 1000) });
    const played = acks().find((a) => a.msgId === voice && a.ackType === 'played')!;
    const seen = acks().find((a) => a.msgId === voice && a.ackType === 'seen')!;
    expect(played.time).toBeGreaterThanOrEqual(seen.time);
  });

  it('refuses the 4th copy among the last 3 unique messages of a chat, unless skip_filter; other chats are not filtered', async () => {
    const { phoneId } = await loggedInPhone();
    const send = (body: Record<string, unknown>) => sandbox.client.post(`/${phoneId}/sendMessage`, { to_number: AYSE, type: 'text', ...body });
    for (let i = 0; i < 3; i++) expect((await send({ message: 'Buy now!' })).json.success).toBe(true);
    const fourth = await send({ message: 'Buy now!' });
    expect({ status: fourth.status, json: fourth.json }).toEqual({
      status: 400,
      json: {
        success: false,
        message: `Duplicate message: the same message was sent 3 times to ${AYSE}@c.us among its last 3 unique messages. Add "skip_filter": true to send it anyway.`,
      },
    });
    expect((await send({ message: 'Buy now!', skip_filter: true })).json.success).toBe(true);
    expect((await sandbox.client.post(`/${phoneId}/sendMessage`, { to_number: MEHMET, message: 'Buy now!' })).json.success).toBe(true);
    // Three other messages push it out of the last 3 unique ones: it may go again.
    for (const message of ['one', 'two', 'three']) expect((await send({ message })).json.success).toBe(true);
    expect((await send({ message: 'Buy now!' })).json.success).toBe(true);
    // A different caption makes a different message.
    for (let i = 0; i < 3; i++) await send({ type: 'media', message: `${sandbox.media.url}/sample.jpg`, text: 'a' });
    expect((await send({ type: 'media', message: `${sandbox.media.url}/sample.jpg`, text: 'b' })).json.success).toBe(true);
    expect((await send({ type: 'media', message: `${sandbox.media.url}/sample.jpg`, text: 'a' })).status).toBe(400);
    // Base64 images count by their bytes.
    const png = `data:image/png;base64,${TINY_PNG}`;
    for (let i = 0; i < 3; i++) expect((await send({ type: 'media', message: png })).json.success).toBe(true);
    expect((await send({ type: 'media', message: png })).status).toBe(400);
  });

  it('quotes replied-to messages, lists group mentions and keeps a custom file name', async () => {
    const { phoneId, sessionId } = await loggedInPhone();
    const send = async (body: Record<string, unknown>) =>
      (await sandbox.client.post(`/${phoneId}/sendMessage`, { to_number: AYSE, ...body })).json.data.msgId as string;
    const question = await send({ message: 'Which size?' });
    await sandbox.control.advance(1_000);
    const reply = await sandbox.control.inbound('maytapi', sandbox.client.productId, {
      from: AYSE,
      text: 'Large',
      session: sessionId,
      replyTo: question,
      profileName: 'Ayşe',
    });
    await sandbox.control.advance(1_000);
    const incoming = hooks('message').find((b) => !b.message.fromMe)!;
    expect(incoming.quoted).toEqual({
      type: 'text',
      id: `true_${AYSE}@c.us_${question}`,
      _serialized: `true_${AYSE}@c.us_${question}`,
      fromMe: true,
      text: 'Which size?',
      user: { id: `${OWN}@c.us`, name: OWN, phone: OWN, image: '' },
      timestamp: expect.any(Number),
    });
    // The phone answers quoting the customer: its own message's webhook quotes the customer's.
    await send({ message: 'Noted', reply_to: incoming.message.id });
    await sandbox.control.advance(1_000);
    const answer = hooks('message').find((b) => b.message.fromMe && b.message.text === 'Noted')!;
    expect(answer.quoted).toMatchObject({ id: incoming.message.id, text: 'Large', user: { phone: AYSE, name: 'Ayşe' } });
    expect(reply.received).toBe(true);

    const gid = (await sandbox.client.post(`/${phoneId}/createGroup`, { name: 'Team', numbers: [AYSE, MEHMET] })).json.data.id as string;
    await sandbox.control.inbound('maytapi', sandbox.client.productId, { from: MEHMET, group: gid, text: `@${OWN} and @${AYSE}, look`, session: sessionId });
    await sandbox.control.advance(1_000);
    const inGroup = hooks('message').find((b) => b.conversation === gid && !b.message.fromMe)!;
    expect(inGroup).toMatchObject({
      conversation: gid,
      user: { id: `${MEHMET}@c.us`, phone: MEHMET },
      message: { type: 'text', mentions: [`${OWN}@c.us`, `${AYSE}@c.us`] },
    });
    const outsider = await fetch(`${sandbox.control.url}/accounts/maytapi/${sandbox.client.productId}/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ from: '905301112233', group: gid, text: 'let me in', session: sessionId }),
    });
    expect(outsider.status).toBe(422);

    const file = await send({ type: 'media', message: `${sandbox.media.url}/sample.txt`, filename: 'demo.txt' });
    await sandbox.control.advance(2_000);
    expect(hooks('message').find((b) => b.message.id === `true_${AYSE}@c.us_${file}`)!.message).toMatchObject({ type: 'document', filename: 'demo.txt' });
  });
});
