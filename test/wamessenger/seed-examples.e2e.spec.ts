import { readFileSync } from 'node:fs';
import { WebhookReceiver } from '#conformance';
import { received } from '../support/received.js';
import { useSandbox } from '../support/sandbox.js';
import { httpBuildQuery, phpMultipart, send, shapeOf } from '../support/php-client.js';

/**
 * Every example in WaMessenger's documentation, sent as its PHP snippet sends it with only the base URL
 * changed, gets a response of the documented shape: same content type, key order and casing, types,
 * and the same fixed texts. Ids and times are the sandbox's own; where an example's request names an
 * id or a webhook url that only exists at the provider, the sandbox's counterpart is used instead.
 */
const seed = JSON.parse(readFileSync('fixtures/examples/wamessenger/seed-examples.json', 'utf8'));

describe('WaMessenger seed examples, with only the base URL changed', () => {
  const sandbox = useSandbox({ provider: 'wamessenger' });

  const mediaType = (contentType: string) => contentType.split(';')[0];

  it('sendMessage to one number answers the bare id as plain text', async () => {
    const example = seed.sendOne;
    const response = await send(sandbox.base + example.request.path, { method: 'POST', body: phpMultipart(example.request.fields) });
    expect(response.status).toBe(200);
    expect(mediaType(response.contentType)).toBe(example.response.contentType);
    expect(response.text).toMatch(/^\d+$/);
  });

  it('sendMessage to several numbers (http_build_query) answers tracking_Code numbers', async () => {
    const example = seed.sendMany;
    const response = await send(sandbox.base + example.request.path, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: httpBuildQuery(example.request.fields),
    });
    expect(response.status).toBe(200);
    expect(mediaType(response.contentType)).toBe(example.response.contentType);
    expect(shapeOf(response.json)).toEqual(shapeOf(example.response.body));
    expect((response.json as Array<{ phonenumber: string }>).map((item) => item.phonenumber)).toEqual(example.request.fields.phonenumber);
  });

  it('getStatus of a read message', async () => {
    const id = await sendText('apikey', '989121234567', 'test');
    await sandbox.control.advance(60_000);
    const response = await send(`${sandbox.base}/getStatus/apikey?id=${id}`);
    expect(response.status).toBe(200);
    expect(shapeOf(response.json)).toEqual(shapeOf(seed.getStatus.response.body));
    expect(response.json).toMatchObject({
      status: 'OK',
      statusInfo: 'Message successfully sent',
      id,
      phonenumber: '989121234567',
      text: 'test',
      delivery: 'read',
    });
    expect(
      JSON.stringify(response.json)
        .replace(/"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"/g, '"T"')
        .replace(id, 'ID'),
    ).toBe(
      JSON.stringify(seed.getStatus.response.body)
        .replace(/"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d"/g, '"T"')
        .replace('80406105', 'ID'),
    );
  });

  it('showAllMessages filtered by the local prefix 0912', async () => {
    for (const text of ['test', 'test1', 'test2']) await sendText('apikey', '989121234567', text);
    await sendText('apikey', '989351234567', 'not 0912');
    await sandbox.control.advance(120_000);
    const response = await send(sandbox.base + seed.showAllMessages.request.path);
    expect(response.status).toBe(200);
    expect(shapeOf(response.json)).toEqual(shapeOf(seed.showAllMessages.response.body));
    const body = response.json as { count: number; pageCount: number; page: string; data: Array<{ text: string; delivery: string }> };
    expect({ count: body.count, pageCount: body.pageCount, page: body.page }).toEqual({ count: 3, pageCount: 1, page: 'page 1 from 1' });
    expect(body.data.map((item) => item.text).sort()).toEqual(['test', 'test1', 'test2']);
    expect(body.data.every((item) => item.delivery === 'read')).toBe(true);
  });

  it('pending with nothing queued is the plain text "No Pending Message"', async () => {
    const response = await send(sandbox.base + seed.pending.request.path);
    expect(response.status).toBe(200);
    expect(mediaType(response.contentType)).toBe('text/plain');
    expect(response.text).toBe(seed.pending.response.body);
  });

  it('showAllGetMessages lists a received chat with the slash date format', async () => {
    await send(`${sandbox.base}/receive/APIKEY?receive=on`);
    await sandbox.control.advance(30_000);
    const result = await sandbox.control.inbound('wamessenger', 'APIKEY', { from: '989121234567', text: 'test' });
    expect(result.received).toBe(true);
    const response = await send(sandbox.base + seed.showAllGetMessages.request.path);
    expect(shapeOf(response.json)).toEqual(shapeOf(seed.showAllGetMessages.response.body));
    const [item] = (response.json as { data: Array<Record<string, string>> }).data;
    expect(item).toMatchObject({ type: 'chat', from: '989121234567', chat: 'test' });
    expect(item!.date).toMatch(/^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d$/);
  });

  it.each(['webhookSet', 'webhookRemove', 'sendSeen', 'receive'])('%s answers exactly the documented body', async (name) => {
    const example = seed[name];
    const response = await send(sandbox.base + example.request.path);
    expect(response.status).toBe(200);
    expect(response.text).toBe(JSON.stringify(example.response.body));
  });

  it('webhook pending and resend answer the documented bodies', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      receiver.respondWith(503);
      await send(`${sandbox.base}/webhook/set/APIKEY?url=${encodeURIComponent(receiver.url)}`);
      await sendText('APIKEY', '989121234567', 'test');
      await sandbox.control.advance(2_000); // sent (event 1); delivered follows 1-4 s later
      await sandbox.control.advance(4_000);
      await sandbox.control.advance(30_000); // read
      const withReceiverUrl = (body: object) => JSON.parse(JSON.stringify(body).replaceAll('https://test.com', receiver.url));

      const pending = await send(`${sandbox.base}/webhook/pending/APIKEY`);
      expect(pending.json).toEqual(withReceiverUrl(seed.webhookPending.response.body));

      receiver.respondWith(200);
      const resend = await send(`${sandbox.base}/webhook/resend/APIKEY`);
      expect(resend.json).toEqual(withReceiverUrl(seed.webhookResend.response.body));
      await sandbox.control.advance(0);
      expect(received(receiver)).toHaveLength(3);
    } finally {
      await receiver.close();
    }
  });

  async function sendText(key: string, phone: string, text: string): Promise<string> {
    const response = await send(`${sandbox.base}/sendMessage/${key}`, { method: 'POST', body: phpMultipart({ phonenumber: phone, text }) });
    expect(response.status).toBe(200);
    return response.text;
  }
});
