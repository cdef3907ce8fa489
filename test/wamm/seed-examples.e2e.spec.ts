import { readFileSync } from 'node:fs';
import { useSandbox } from '../support/sandbox.js';
import { send, shapeOf } from '../support/php-client.js';

/**
 * Every example in WAMM's documentation, requested as documented with only the base URL changed, answers
 * in the documented shape: key order, types (integer `err` and `msg_id`, string ids in rows) and fixed texts.
 * The raw response text is compared, not only the parsed JSON: clients split it on commas.
 */
const seed = JSON.parse(readFileSync('fixtures/examples/wamm/seed-examples.json', 'utf8'));

describe('WAMM seed examples, with only the base URL changed', () => {
  const sandbox = useSandbox({ provider: 'wamm' });

  /** The seed's path, percent-encoded as a browser or PHP's file_get_contents would send it. */
  const get = (path: string) => send(sandbox.base + encodeURI(path));
  const masked = (text: string) => text.replace(/\d{7,}/g, 'N');

  it('msg_to answers {"err":0,"msg_id":<unquoted integer>}', async () => {
    const response = await get(seed.msgTo.request.path);
    expect(response.status).toBe(200);
    expect(response.contentType).toMatch(/^application\/json/);
    expect(response.text).toMatch(/^\{"err":0,"msg_id":1\d{6}\}$/);
    expect(masked(response.text)).toBe(masked(seed.msgTo.response.body));
  });

  it('file_to answers like msg_to', async () => {
    const response = await get(seed.fileTo.request.path);
    expect(response.text).toMatch(/^\{"err":0,"msg_id":1\d{6}\}$/);
  });

  it('msg_state of a viewed message: msg_data keys in the order msg_id, phone, state, the id quoted', async () => {
    const { msg_id: id } = (await get(seed.msgTo.request.path)).json as { msg_id: number };
    await sandbox.control.advance(60_000);
    const response = await get(seed.msgState.request.path.replace('1000000', String(id)));
    expect(response.text).toBe(`{"err":0,"msg_data":{"msg_id":"${id}","phone":"79001234567","state":"viewed"}}`);
    expect(masked(response.text).replace(/"7\d+"/, '"P"')).toBe(masked(seed.msgState.response.body).replace(/"7\d+"/, '"P"'));
  });

  it("check_phone answers exists, none (the magic number …000000), and the seed's error", async () => {
    expect((await get(seed.checkPhone.request.path)).text).toBe(seed.checkPhone.responses.exists);
    expect((await get(seed.checkPhone.request.path.replace('79001234567', '79000000000'))).text).toBe(seed.checkPhone.responses.none);
    // The seed writes its error example with a space after the comma; WAMM's other bodies are compact.
    expect((await get(seed.checkPhone.request.path.replace('79001234567', '79001000009'))).text).toBe(seed.checkPhone.responses.error.replace(', ', ','));
  });

  it("msg_get_last and msg_get rows have the seed's keys, order and types", async () => {
    await get(seed.contactTo.requests[0]);
    await get(seed.msgTo.request.path);
    await sandbox.control.advance(5_000);
    for (const example of [seed.msgGetLast, seed.msgGet]) {
      const response = await get(example.request.path);
      expect(shapeOf(response.json)).toEqual(shapeOf(example.response.body));
      expect(Object.keys((response.json as { msg_data: object[] }).msg_data[0]!)).toEqual(Object.keys(example.response.body.msg_data[0]));
      expect((response.json as { msg_data: unknown[] }).msg_data[0]).toMatchObject({
        from_me: '1',
        phone: '79001234567',
        chat_name: 'Олег Иванов',
        tip_msg: 'textMessage',
        msg_text: 'Hello',
        msg_link: '',
      });
      expect(response.text.startsWith('{"err":0,"msg_data":[{"msg_id":"')).toBe(true);
    }
  });

  it('contact_to inserts, then updates; contact_delete deletes', async () => {
    expect((await get(seed.contactTo.requests[0])).text).toBe(seed.contactTo.responses.insert);
    expect((await get(seed.contactTo.requests[1])).text).toBe(seed.contactTo.responses.update);
    expect((await get(seed.contactDelete.request.path)).text).toBe(seed.contactDelete.response.body);
    expect((await get(seed.contactDelete.request.path)).text).toBe('{"err":"phone not found"}');
  });

  it("replaces every :smNN: of the seed's table with its emoji (and leaves :sm22:, which has none there)", async () => {
    const codes = Object.keys(seed.smileys);
    const { msg_id: id } = (await get(`/api2/msg_to/TOKEN/?phone=79001234567&text=${codes.join('|')}`)).json as { msg_id: number };
    const expected = codes.map((code) => seed.smileys[code] || code).join('|');
    expect((await sandbox.control.message(String(id))).text).toBe(expected);
  });
});
