import { readFileSync } from 'node:fs';
import { received } from '../support/received.js';
import { useSandbox } from '../support/sandbox.js';
import { postMessages } from './devino-client.js';

/**
 * The seed's examples, sent as its curl example sends them with only the base URL changed, get answers
 * of the documented shape: same envelope, key order, casing and value types.
 */
const seed = JSON.parse(readFileSync('fixtures/examples/devino/seed-examples.json', 'utf8'));
const KEY = 'QWxhZGRpbjpvcGVuIHNlc2FtZQ==';

describe('Devino seed examples, with only the base URL changed', () => {
  const sandbox = useSandbox({ provider: 'devino', receiver: true });

  it('POST /whatsapp/messages answers one OK entry per message, long-integer ids as strings, counting up', async () => {
    const example = seed.send;
    const response = await postMessages(sandbox.base, example.request.body, KEY);
    expect(response.status).toBe(200);
    expect(response.contentType.split(';')[0]).toBe(example.response.contentType);
    expect(response.json).toEqual({
      result: [
        { code: 'OK', messageId: expect.stringMatching(/^\d{19}$/) },
        { code: 'OK', messageId: expect.stringMatching(/^\d{19}$/) },
      ],
    });
    const [first, second] = response.json.result.map((entry: { messageId: string }) => BigInt(entry.messageId));
    expect(second - first).toBe(1n);
    // The sandbox numbers messages from the seed's own example id, past 2^53.
    expect(response.json.result.map((entry: { messageId: string }) => entry.messageId)).toEqual(
      example.response.body.result.map((entry: { messageId: string }) => entry.messageId),
    );
    expect(first > BigInt(Number.MAX_SAFE_INTEGER)).toBe(true);
    expect(Object.keys(response.json.result[0])).toEqual(Object.keys(example.response.body.result[0]));
  });

  it('a status callback is an array of the seed example’s fields, options carrying callbackData', async () => {
    const response = await postMessages(
      sandbox.base,
      {
        messages: [{ ...seed.send.request.body.messages[1], callbackUrl: sandbox.receiver.url, callbackData: 'order-42' }],
      },
      KEY,
    );
    const id = response.json.result[0].messageId;
    await sandbox.control.advance(60_000);
    const callbacks = received(sandbox.receiver) as Array<Array<Record<string, unknown>>>;
    expect(callbacks.map((body) => body.map((item) => item.status))).toEqual([['SENT'], ['DELIVERED'], ['READ']]);
    const example = seed.statusCallback.body[0];
    for (const [item] of callbacks) {
      expect(Object.keys(item!)).toEqual(Object.keys(example));
      expect(item).toMatchObject({ messageId: id, errorCode: 0, options: 'order-42' });
      expect(typeof item!.ts).toBe('number');
    }
  });

  it('an incoming message has the seed example’s fields in its order', async () => {
    await sandbox.control.setWebhook('devino', KEY, sandbox.receiver.url);
    const account = await sandbox.control.request<{ linePhone: string }>('GET', `/accounts/devino/${encodeURIComponent(KEY)}`);
    await sandbox.control.inbound('devino', KEY, { from: '79034567890', text: 'Hello', mediaUrl: 'http://example.com/files/photo.jpg', profileName: 'Ivan' });
    const [incoming] = received(sandbox.receiver) as Array<Record<string, unknown>>;
    expect(Object.keys(incoming!)).toEqual(Object.keys(seed.incomingMessage.body));
    expect(incoming).toEqual({
      incomingMessageId: expect.any(Number),
      to: account.linePhone,
      from: '79034567890',
      text: 'Hello',
      contentUrl: 'http://example.com/files/photo.jpg',
      contentType: 'image/jpeg',
      contentName: 'photo.jpg',
      profileName: 'Ivan',
      ts: expect.any(Number),
    });
  });
});
