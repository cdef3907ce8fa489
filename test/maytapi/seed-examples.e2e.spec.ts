import { readFileSync } from 'node:fs';
import { shapeOf } from '../support/php-client.js';
import { useMaytapi } from './use-maytapi.js';

/**
 * Every example of Maytapi's README (the seed), sent with only the base URL changed, answers in the documented
 * shape: the same keys, key order and types (where the spec is newer and differs, as for ack_delivery's type,
 * the fixture follows the spec). Fields the seed does not list but the spec does are allowed on top.
 */
const seed = JSON.parse(readFileSync('fixtures/examples/maytapi/seed-examples.json', 'utf8'));

describe('Maytapi seed examples, with only the base URL changed', () => {
  const sandbox = useMaytapi({ product: 'seed-product', key: 'seed-token', media: true, phone: true });

  const call = async (example: { request: { method: 'GET' | 'POST'; path: string; body?: unknown } }, body?: unknown) => {
    const response = await sandbox.client.call(
      example.request.method,
      example.request.path.replace('{phone_id}', String(sandbox.phoneId)),
      body ?? example.request.body,
    );
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    return response.json;
  };
  /** The documented keys come first, in the documented order, with the documented types. */
  const documented = (actual: unknown, example: unknown) => {
    const shape = shapeOf(actual) as Record<string, unknown>;
    const expected = shapeOf(example) as Record<string, unknown>;
    return Array.isArray(shape) ? shape : Object.fromEntries(Object.entries(shape).slice(0, Object.keys(expected).length));
  };

  it.each(['product', 'listPhones', 'setWebhook', 'setAckPreference', 'restart', 'logout'])('%s', async (name) => {
    const example = seed[name];
    const body = name === 'setWebhook' ? { webhook: sandbox.receiver.url } : undefined;
    expect(documented(await call(example, body), example.response)).toEqual(shapeOf(example.response));
  });

  it('status: the five seed flags first, then the spec extras', async () => {
    const status = await call(seed.status);
    expect(documented(status.status, seed.status.response.status)).toEqual(shapeOf(seed.status.response.status));
    expect(Object.keys(status.status).slice(5)).toEqual(['state', 'version', 'number', 'multidevice']);
  });

  it('addPhone with a number answers the phone object', async () => {
    const added = await call(seed.addPhone);
    expect(shapeOf(added)).toEqual(shapeOf(seed.addPhone.response));
    expect(added).toMatchObject({ pid: sandbox.client.productId, number: '905001112233' });
  });

  it('backup answers the storage keys restore takes back', async () => {
    const backup = await call(seed.backup);
    expect(shapeOf(backup)).toEqual(shapeOf(seed.backup.response));
    expect(await call(seed.restore, backup.data)).toEqual(seed.restore.response);
  });

  it.each(['sendMessage', 'sendMedia'])('%s', async (name) => {
    // The seed's placeholder image link is served locally: tests never reach the internet.
    const body = name === 'sendMedia' ? { ...seed.sendMedia.request.body, message: `${sandbox.media.url}/sample.png` } : undefined;
    const sent = await call(seed[name], body);
    expect(shapeOf(sent)).toEqual(shapeOf(seed[name].response));
    await sandbox.control.advance(60_000);
    expect((await sandbox.control.message(sent.data.msgId)).status).toBe('read');
  });

  it('webhooks: an incoming message and an ack array in the documented shapes', async () => {
    await sandbox.client.post('/setAckPreference', { preference: true });
    const [session] = await sandbox.control.sessions('maytapi', sandbox.client.productId);
    await sandbox.control.inbound('maytapi', sandbox.client.productId, { from: '905301234567', text: 'hello', session: session!.id });
    await call(seed.sendMessage);
    await sandbox.control.advance(60_000);
    const bodies = sandbox.receiver.accepted.map((r) => r.json as Record<string, any>);
    const incoming = bodies.find((b) => b.type === 'message' && b.message.fromMe === false)!;
    const seedIncoming = seed.incomingMessage.webhook;
    const { message: _message, ...rest } = seedIncoming;
    for (const [key, value] of Object.entries(rest)) expect([key, shapeOf(incoming[key])]).toEqual([key, shapeOf(value)]);
    expect(incoming.message).toMatchObject({ type: 'text', text: 'hello', fromMe: false });
    const ack = bodies.find((b) => b.type === 'ack')!;
    expect(shapeOf(ack)).toEqual(shapeOf(seed.ack.webhook));
  });
});
