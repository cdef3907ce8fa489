import { httpBuildQuery, send } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';

/**
 * What public WaMessenger clients do beyond the seed's examples: every message, text-only ones included,
 * goes out as an array (`phonenumber[0]=…`) without url, and the status is read right after the send.
 */
describe('WaMessenger as public clients use it', () => {
  const sandbox = useSandbox({ provider: 'wamessenger' });

  const form = (fields: Record<string, unknown>): RequestInit => ({
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: httpBuildQuery(fields),
  });

  it('takes a text-only send to an array of one number, without url, and answers tracking codes', async () => {
    const response = await send(`${sandbox.base}/sendMessage/K`, form({ phonenumber: ['989121234567'], text: 'hello' }));
    expect(response.status).toBe(200);
    expect(response.json).toEqual([{ phonenumber: '989121234567', tracking_Code: expect.any(Number) }]);
    const id = String((response.json as Array<{ tracking_Code: number }>)[0]!.tracking_Code);
    expect((await sandbox.control.message(id)).mediaUrl).toBeNull();
  });

  it('takes a text-only send to several numbers, without url (JSON too)', async () => {
    const response = await send(`${sandbox.base}/sendMessage/K`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ phonenumber: ['989121234567', '989121234568'], text: 'hello' }),
    });
    expect(response.status).toBe(200);
    expect((response.json as Array<{ phonenumber: string }>).map((item) => item.phonenumber)).toEqual(['989121234567', '989121234568']);
  });

  it('answers getStatus right after the send with status OK, empty execute and delivery', async () => {
    const sent = await send(`${sandbox.base}/sendMessage/K`, form({ phonenumber: '989121234567', text: 'hello' }));
    const status = (await send(`${sandbox.base}/getStatus/K?id=${sent.text}`)).json as Record<string, string>;
    expect(status).toEqual({
      status: 'OK',
      statusInfo: 'Message is in the send queue',
      id: sent.text,
      phonenumber: '989121234567',
      text: 'hello',
      created: expect.stringMatching(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/),
      execute: '',
      delivery: '',
    });
    // The pending method still lists it with its own documented status.
    expect((await send(`${sandbox.base}/pending/K`)).json).toEqual([expect.objectContaining({ status: 'pending', id: sent.text })]);
    const list = (await send(`${sandbox.base}/showAllMessages/K`)).json as { data: unknown[] };
    expect(list.data).toEqual([status]);
  });
});
