import { WebhookReceiver } from '#conformance';
import { received } from '../support/received.js';
import { useSandbox } from '../support/sandbox.js';
import { postMessages } from './devino-client.js';

const KEY = 'callbacks-key';
const CUSTOMER = '79034567890';

interface StatusItem {
  messageId: string;
  ts: number;
  status: string;
  errorCode: number;
  options: string | null;
}

describe('Devino: status callbacks, WhatsApp errors and incoming messages', () => {
  const sandbox = useSandbox({ provider: 'devino', receiver: true, media: true });

  const linePhone = async () => (await sandbox.control.request<{ linePhone: string }>('GET', `/accounts/devino/${KEY}`)).linePhone;

  async function sendAll(messages: Array<Record<string, unknown>>): Promise<string[]> {
    const response = await postMessages(
      sandbox.base,
      { messages: messages.map((message) => ({ from: 'MyCompany', to: CUSTOMER, callbackUrl: sandbox.receiver.url, ...message })) },
      KEY,
    );
    expect(response.json.result.map((entry: { code: string }) => entry.code)).toEqual(messages.map(() => 'OK'));
    return response.json.result.map((entry: { messageId: string }) => entry.messageId);
  }

  const statuses = (id: string) =>
    (received(sandbox.receiver) as StatusItem[][])
      .flat()
      .filter((item) => item.messageId === id)
      .map((item) => `${item.status} ${item.errorCode}`);

  async function openWindow(customer = CUSTOMER): Promise<void> {
    expect(await sandbox.control.inbound('devino', KEY, { from: customer, text: 'hello' })).toMatchObject({ received: true });
  }

  it('posts each status as an array of one to the message’s own callbackUrl, options = callbackData, through the journal', async () => {
    const other = await WebhookReceiver.start();
    try {
      const [first, second] = await sendAll([
        { templateId: 'verification_code', templateParams: { 1: '1' }, callbackData: '{"order":1}' },
        { templateId: 'verification_code', templateParams: { 1: '2' }, callbackUrl: other.url },
      ]);
      await sandbox.control.advance(60_000);
      expect(received(sandbox.receiver)).toEqual([
        [expect.objectContaining({ messageId: first, status: 'SENT', options: '{"order":1}' })],
        [expect.objectContaining({ messageId: first, status: 'DELIVERED', options: '{"order":1}' })],
        [expect.objectContaining({ messageId: first, status: 'READ', options: '{"order":1}' })],
      ]);
      expect(received(other)).toEqual([
        [expect.objectContaining({ messageId: second, status: 'SENT', options: null })],
        [expect.objectContaining({ messageId: second, status: 'DELIVERED', options: null })],
        [expect.objectContaining({ messageId: second, status: 'READ', options: null })],
      ]);
      const journal = await sandbox.control.journal('devino', KEY);
      expect(journal.filter((attempt) => attempt.url === sandbox.receiver.url).map((attempt) => attempt.ok)).toEqual([true, true, true]);
      const times = (received(sandbox.receiver) as StatusItem[][]).map(([item]) => item!.ts);
      expect(times).toEqual([...times].sort((a, b) => a - b));
    } finally {
      await other.close();
    }
  });

  it('sends no callback without a callbackUrl', async () => {
    await sendAll([{ templateId: 'verification_code', templateParams: { 1: '1' }, callbackUrl: undefined }]);
    await sandbox.control.advance(60_000);
    expect(await sandbox.control.journal('devino', KEY)).toEqual([]);
  });

  it('retries a callback the receiver refuses, on the clock, and records each attempt', async () => {
    sandbox.receiver.respondWith(503);
    const [id] = await sendAll([{ to: '79030000001', templateId: 'verification_code', templateParams: { 1: '1' } }]);
    await sandbox.control.advance(5_000);
    expect((await sandbox.control.journal('devino', KEY)).length).toBe(1);
    await sandbox.control.advance(10_000);
    expect((await sandbox.control.journal('devino', KEY)).length).toBe(2);
    sandbox.receiver.respondWith(200);
    await sandbox.control.advance(60_000);
    expect(statuses(id!)).toEqual(['SENT 0']);
    expect((await sandbox.control.journal('devino', KEY)).map((attempt) => [attempt.ok, attempt.status])).toEqual([
      [false, 503],
      [false, 503],
      [true, 200],
    ]);
  });

  it('reports a number without WhatsApp as 2305 and a message to the business’s own number as 2307', async () => {
    const own = await linePhone();
    const [noWhatsApp, toSelf] = await sendAll([
      { to: '79030000000', templateId: 'verification_code', templateParams: { 1: '1' } },
      { to: own, templateId: 'verification_code', templateParams: { 1: '1' } },
    ]);
    await sandbox.control.advance(60_000);
    expect([statuses(noWhatsApp!), statuses(toSelf!)]).toEqual([['FAILED 2305'], ['FAILED 2307']]);
  });

  it('accepts messages over the account’s per-second rate and fails the excess with 2301', async () => {
    await sandbox.control.setLimits('devino', KEY, { perSecond: 2 });
    // Different codes: the same text to the same customer again would be a duplicate (2009).
    const template = (code: string) => ({ templateId: 'verification_code', templateParams: { 1: code } });
    const ids = await sendAll([template('1'), template('2'), template('3')]);
    await sandbox.control.advance(60_000);
    expect(ids.map((id) => statuses(id)[0])).toEqual(['SENT 0', 'SENT 0', 'FAILED 2301']);
    // The next clock second has room again.
    const [later] = await sendAll([template('4')]);
    await sandbox.control.advance(60_000);
    expect(statuses(later!)[0]).toBe('SENT 0');
  });

  it('caps new accounts at the seed’s 15 messages a second', async () => {
    expect((await sandbox.control.request<{ limits: { perSecond: number } }>('GET', `/accounts/devino/${KEY}`)).limits.perSecond).toBe(15);
  });

  it.each([
    ['an H.264/AAC video', 'sample.mp4', 'video/mp4', 'SENT 0'],
    ['a video with H.263 video', 'sample.3gp', 'video/3gpp', 'FAILED 2303'],
    ['a video over 5 MB', 'big/5300000/sample.mp4', 'video/mp4', 'FAILED 2303'],
    ['an image of 6 MB (the limit is 16 MB)', 'big/6000000/sample.jpg', 'image/jpeg', 'SENT 0'],
    ['a GIF image', 'sample.gif', 'image/gif', 'SENT 0'],
    ['a PDF declared as an image', 'sample.pdf', 'image/jpeg', 'FAILED 2303'],
    ['Opus audio', 'sample-opus.ogg', 'audio/ogg; codecs=opus', 'SENT 0'],
    ['Vorbis declared as Opus audio', 'sample-vorbis.ogg', 'audio/ogg; codecs=opus', 'FAILED 2303'],
    ['an MP3 as audio (only Opus is audio)', 'sample.mp3', 'audio/mpeg', 'FAILED 2303'],
    ['an .ogg voice message', 'sample-vorbis.ogg', 'audio/ogg', 'SENT 0'],
    ['a document', 'sample.docx', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document', 'SENT 0'],
    ['a file that cannot be fetched', 'status/404', 'application/pdf', 'FAILED 2303'],
  ])('judges %s by its MIME type and the seed’s limits', async (_case, file, contentType, expected) => {
    await openWindow();
    const [id] = await sendAll([{ text: 'caption', contentUrl: `${sandbox.media.url}/${file}`, contentType, contentName: 'file' }]);
    await sandbox.control.advance(60_000);
    expect(statuses(id!)[0]).toBe(expected);
  });

  it('forwards incoming text, sandbox.media, geolocation and contacts to the incoming URL in Devino’s shape', async () => {
    await sandbox.control.setWebhook('devino', KEY, sandbox.receiver.url);
    const to = await linePhone();
    await sandbox.control.inbound('devino', KEY, { from: CUSTOMER, text: 'hi', profileName: 'Ivan Petrov' });
    await sandbox.control.inbound('devino', KEY, {
      from: CUSTOMER,
      location: { latitude: 55.7558, longitude: 37.6173, name: 'Red Square', address: 'Moscow, Russia' },
    });
    await sandbox.control.inbound('devino', KEY, { from: CUSTOMER, contacts: [{ name: 'Anna Ivanova', phones: ['+79161234567'] }] });
    const [text, location, contacts] = received(sandbox.receiver) as Array<Record<string, unknown>>;
    expect(text).toEqual({ incomingMessageId: expect.any(Number), to, from: CUSTOMER, text: 'hi', profileName: 'Ivan Petrov', ts: expect.any(Number) });
    expect(location).toMatchObject({
      to,
      from: CUSTOMER,
      whatsAppGeoLocation: { latitude: 55.7558, longitude: 37.6173, address: 'Moscow, Russia', addressName: 'Red Square' },
    });
    expect(contacts).toMatchObject({
      whatsAppContacts: [
        {
          contactName: [{ formattedName: 'Anna Ivanova', firstName: 'Anna', lastName: 'Ivanova' }],
          phones: [{ phone: '+79161234567', waId: '79161234567', type: 'CELL' }],
          addresses: [],
          emails: [],
          contactCompany: [],
          urls: [],
        },
      ],
    });
    const ids = [text, location, contacts].map((payload) => payload!.incomingMessageId as number);
    expect(ids.every(Number.isSafeInteger)).toBe(true);
    expect(new Set(ids).size).toBe(3);
  });

  it('does not post incoming messages while no incoming URL is set, yet they open the window', async () => {
    await openWindow();
    expect(await sandbox.control.journal('devino', KEY)).toEqual([]);
    const [id] = await sendAll([{ text: 'reply' }]);
    await sandbox.control.advance(60_000);
    expect(statuses(id!)[0]).toBe('SENT 0');
  });

  it('lets a magic customer who replies open the window by itself', async () => {
    await sandbox.control.setWebhook('devino', KEY, sandbox.receiver.url);
    const replier = '79030000004';
    const [template] = await sendAll([{ to: replier, templateId: 'verification_code', templateParams: { 1: '1' } }]);
    await sandbox.control.advance(120_000);
    expect(statuses(template!)).toEqual(['SENT 0', 'DELIVERED 0', 'READ 0']);
    expect((received(sandbox.receiver) as Array<Record<string, unknown>>).some((payload) => !Array.isArray(payload) && payload.from === replier)).toBe(true);
    const [reply] = await sendAll([{ to: replier, text: 'Thanks for your answer' }]);
    await sandbox.control.advance(60_000);
    expect(statuses(reply!)[0]).toBe('SENT 0');
  });
});
