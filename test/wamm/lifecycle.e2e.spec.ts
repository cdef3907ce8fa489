import { readFileSync } from 'node:fs';
import { WhatsAppEngine } from '#engine';
import { received } from '../support/received.js';
import { useSandbox } from '../support/sandbox.js';
import { send } from '../support/php-client.js';

const PHONE = '79001234567';
const q = (fields: Record<string, string>) => `?${new URLSearchParams(fields).toString()}`;

interface Row {
  msg_id: string;
  from_me: string;
  phone: string;
  chat_name: string;
  tip_msg: string;
  msg_text: string;
  msg_link: string;
  date_ins: string;
  date_upd: string;
  state: string;
}

describe('WAMM on the simulated engine', () => {
  const sandbox = useSandbox({ provider: 'wamm', receiver: true, media: true });

  const json = async (path: string) => (await send(sandbox.base + path)).json as any;
  const msgTo = async (token: string, phone: string, text: string) =>
    ((await json(`/api2/msg_to/${token}/${q({ phone, text })}`)) as { msg_id: number }).msg_id;
  const rows = async (path: string) => ((await json(path)) as { msg_data: Row[] }).msg_data;

  it('posts {"tip":"msg_state"} for each status change and {"tip":"msg"} for the send and the reply, to the url set through the control API', async () => {
    await sandbox.control.setWebhook('wamm', 'hooks', sandbox.receiver.url);
    // …000004 reads the message, then replies with a text.
    const id = await msgTo('hooks', '79001000004', 'ping');
    await sandbox.control.advance(120_000);
    const events = received(sandbox.receiver) as Array<{ tip: string; msg_data: Record<string, string> }>;
    const states = events.filter((event) => event.tip === 'msg_state');
    expect(states.map((event) => event.msg_data)).toEqual([
      { msg_id: String(id), state: 'sent' },
      { msg_id: String(id), state: 'delivered' },
      { msg_id: String(id), state: 'viewed' },
    ]);
    expect(JSON.stringify(states[0])).toBe(`{"tip":"msg_state","msg_data":{"msg_id":"${id}","state":"sent"}}`);
    const { linePhone } = (await sandbox.control.request('GET', '/accounts/wamm/hooks')) as { linePhone: string };
    const messages = events.filter((event) => event.tip === 'msg');
    expect(messages.map((event) => event.msg_data.from_me)).toEqual(['1', '0']);
    // The send is announced as a "msg" when it leaves the line, right before its first msg_state.
    expect(events.findIndex((event) => event.tip === 'msg')).toBe(events.indexOf(states[0]!) - 1);
    const [sent, reply] = messages.map((event) => event.msg_data) as [Record<string, string>, Record<string, string>];
    const keys = ['msg_id', 'from_me', 'phone', 'chat_name', 'tip_msg', 'msg_text', 'msg_link', 'date_ins', 'date_upd', 'state', 'id', 'from_api', 'phone_acc'];
    expect(Object.keys(sent)).toEqual(keys);
    expect(sent).toMatchObject({
      msg_id: String(id),
      id: String(id),
      from_me: '1',
      from_api: '1',
      phone_acc: linePhone,
      phone: '79001000004',
      msg_text: 'ping',
      state: 'sent',
    });
    expect(Object.keys(reply)).toEqual(keys);
    expect(reply).toMatchObject({
      id: reply.msg_id,
      from_me: '0',
      from_api: '0',
      phone_acc: linePhone,
      phone: '79001000004',
      tip_msg: 'textMessage',
      msg_link: '',
      state: 'received',
    });
    expect(reply.chat_name).not.toBe('');
    // Both name the chat as msg_get does.
    expect(sent.chat_name).toBe(reply.chat_name);
    expect(linePhone).toMatch(/^7\d{10}$/);
    // The reply is a row of msg_get too, with the same id.
    expect((await rows(`/api2/msg_get/hooks/?phone=79001000004&col=10`)).map((row) => [row.msg_id, row.from_me])).toEqual([
      [reply.msg_id, '0'],
      [String(id), '1'],
    ]);
  });

  it("names the chat in a message webhook after the saved contact, else the sender's WhatsApp name", async () => {
    await sandbox.control.setWebhook('wamm', 'named', sandbox.receiver.url);
    await send(`${sandbox.base}/api2/contact_to/named/${q({ phone: '79005556677', name: 'Олег Иванов' })}`);
    await sandbox.control.inbound('wamm', 'named', { from: '79005556677', text: 'saved', profileName: 'Oleg on WhatsApp' });
    await sandbox.control.inbound('wamm', 'named', { from: '79005556688', text: 'stranger', profileName: 'Anna' });
    await sandbox.control.advance(1_000);
    const names = (received(sandbox.receiver) as Array<{ tip: string; msg_data: Record<string, string> }>).map((event) => [
      event.msg_data.msg_text,
      event.msg_data.chat_name,
    ]);
    // Webhook calls may arrive in either order.
    expect(names.sort()).toEqual([
      ['saved', 'Олег Иванов'],
      ['stranger', 'Anna'],
    ]);
  });

  it('reports a failed send as "error" in msg_state and the webhook', async () => {
    await sandbox.control.setWebhook('wamm', 'fails', sandbox.receiver.url);
    const id = await msgTo('fails', '79001000003', 'doomed');
    await sandbox.control.advance(15_000);
    expect((await json(`/api2/msg_state/fails/?msg_id=${id}`)).msg_data.state).toBe('error');
    expect(received(sandbox.receiver)).toEqual([{ tip: 'msg_state', msg_data: { msg_id: String(id), state: 'error' } }]);
  });

  it('lists sent and received messages newest first, filters with from_me, and caps at col', async () => {
    const first = await msgTo('inbox', PHONE, 'first');
    await sandbox.control.advance(1_000);
    const inbound = await sandbox.control.inbound('wamm', 'inbox', { from: '79005556677', text: 'hello from a customer', profileName: 'Anna' });
    await sandbox.control.advance(1_000);
    const second = await msgTo('inbox', PHONE, 'second');
    expect((await rows('/api2/msg_get_last/inbox/?col=100')).map((row) => row.msg_id)).toEqual([String(second), inbound.messageId, String(first)]);
    expect((await rows('/api2/msg_get_last/inbox/?col=2')).map((row) => row.msg_id)).toEqual([String(second), inbound.messageId]);
    expect((await rows('/api2/msg_get_last/inbox/?col=100&from_me=1')).map((row) => row.msg_id)).toEqual([String(second), String(first)]);
    const received = await rows('/api2/msg_get_last/inbox/?col=100&from_me=0');
    expect(received).toEqual([
      expect.objectContaining({
        msg_id: inbound.messageId,
        from_me: '0',
        phone: '79005556677',
        chat_name: 'Anna',
        msg_text: 'hello from a customer',
        state: 'received',
      }),
    ]);
    expect(received[0]!.date_ins).toBe('2026-01-01 12:00:01');
  });

  it('gives saved contact names to rows as chat_name, and the WhatsApp name again once the contact is deleted', async () => {
    await msgTo('names', PHONE, 'hi');
    const before = (await rows(`/api2/msg_get/names/?phone=${PHONE}&col=1`))[0]!.chat_name;
    expect(before).not.toBe('');
    expect(
      (await send(`${sandbox.base}/api2/contact_to/names/${q({ phone: '+7 (900) 123-45-67', name: 'Олег Иванов', info: '', email: '', web: '' })}`)).text,
    ).toBe('{"err":0,"result":"insert"}');
    expect((await rows(`/api2/msg_get/names/?phone=${PHONE}&col=1`))[0]!.chat_name).toBe('Олег Иванов');
    expect((await send(`${sandbox.base}/api2/contact_to/names/${q({ phone: PHONE, name: 'Oleg' })}`)).text).toBe('{"err":0,"result":"update"}');
    expect((await rows('/api2/msg_get_last/names/?col=1'))[0]!.chat_name).toBe('Oleg');
    expect((await send(`${sandbox.base}/api2/contact_delete/names/?phone=7-900-123-45-67`)).text).toBe('{"err":0,"result":"delete"}');
    expect((await rows(`/api2/msg_get/names/?phone=${PHONE}&col=1`))[0]!.chat_name).toBe(before);
  });

  it('keeps contact details on a name-only update', async () => {
    const account = 'details';
    await send(
      `${sandbox.base}/api2/contact_to/${account}/${q({ phone: PHONE, name: 'Oleg', info: 'VIP', email: 'oleg@example.com', web: 'https://example.com' })}`,
    );
    await send(`${sandbox.base}/api2/contact_to/${account}/${q({ phone: PHONE, name: 'Oleg I.', info: '', email: '', web: '' })}`);
    const engine = sandbox.app.get(WhatsAppEngine);
    const contacts = await engine.contacts.list((await engine.accounts.find('wamm', account))!);
    expect(contacts.map(({ phone, name, info, email, web }) => ({ phone, name, info, email, web }))).toEqual([
      { phone: PHONE, name: 'Oleg I.', info: 'VIP', email: 'oleg@example.com', web: 'https://example.com' },
    ]);
  });

  it('reads phones with spaces, brackets and dashes, %0A as a newline, and numbers and text in the path', async () => {
    const spaced = await msgTo('format', '+7 (900) 123-45-67', 'line one%0Aline two');
    expect(await sandbox.control.message(String(spaced))).toMatchObject({ to: PHONE, text: 'line one\nline two' });
    // PHP clients that urlencode "%0A" themselves send %250A: the same newline.
    const doubled = (await send(`${sandbox.base}/api2/msg_to/format/?phone=${PHONE}&text=a%250Ab`)).json as { msg_id: number };
    expect((await sandbox.control.message(String(doubled.msg_id))).text).toBe('a\nb');
    const inPath = (await send(`${sandbox.base}/api2/msg_to/format/${PHONE}/?text=${encodeURIComponent('phone in the path')}`)).text;
    expect(inPath).toMatch(/^\{"err":0,"msg_id":\d+\}$/);
    const bothInPath = (await send(`${sandbox.base}/api2/msg_to/format/${PHONE}/${encodeURIComponent('text in the path :sm16:')}`)).json as { msg_id: number };
    expect(await sandbox.control.message(String(bothInPath.msg_id))).toMatchObject({ to: PHONE, text: 'text in the path 👍' });
    expect((await send(`${sandbox.base}/api2/msg_to/format/abc/${encodeURIComponent('x')}`)).text).toBe('{"err":"phone fail"}');
  });

  it('sends to a group by its numeric id', async () => {
    const id = await msgTo('groups', '120363160875851590', 'to the group');
    expect((await sandbox.control.message(String(id))).to).toBe('120363160875851590@g.us');
    await sandbox.control.advance(15_000);
    const { msg_data: data } = await json(`/api2/msg_state/groups/?msg_id=${id}`);
    expect(data).toEqual({ msg_id: String(id), phone: '120363160875851590', state: expect.any(String) });
    expect(['sent', 'delivered', 'viewed']).toContain(data.state);
  });

  it('sends a file from a link (file_link rows) and one posted as base64', async () => {
    const fromLink = (await json(`/api2/file_to/files/${q({ phone: PHONE, url: `${sandbox.media.url}/sample.pdf` })}`)) as { msg_id: number };
    const png = readFileSync('fixtures/media/sample.png').toString('base64');
    const posted = await send(`${sandbox.base}/api2/file_from_base64/files/?phone=${PHONE}`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ file_name: 'chart.png', file_base64: png }).toString(),
    });
    expect(posted.text).toMatch(/^\{"err":0,"msg_id":\d+\}$/);
    await sandbox.control.advance(15_000);
    const listed = await rows('/api2/msg_get_last/files/?col=10');
    expect(listed.map((row) => [row.tip_msg, row.msg_text])).toEqual([
      ['file_link', ''],
      ['file_link', ''],
    ]);
    expect(listed[1]!.msg_link).toBe(`${sandbox.media.url}/sample.pdf`);
    expect(listed[0]!.msg_link).toMatch(/\/__sandbox\/media\/uploads\/u\d+$/);
    expect(listed.every((row) => row.state === 'sent' || row.state === 'delivered')).toBe(true);
    const upload = await sandbox.control.message(String((posted.json as { msg_id: number }).msg_id));
    expect(upload).toMatchObject({ kind: 'media' });
    expect(fromLink.msg_id).toBeLessThan((posted.json as { msg_id: number }).msg_id);
  });

  it('accepts a link it cannot fetch now and fails the message when its turn comes', async () => {
    const id = ((await json(`/api2/file_to/deadlink/${q({ phone: PHONE, url: `${sandbox.media.url}/status/404` })}`)) as { msg_id: number }).msg_id;
    expect((await json(`/api2/msg_state/deadlink/?msg_id=${id}`)).msg_data.state).toBe('sending');
    await sandbox.control.advance(15_000);
    expect((await json(`/api2/msg_state/deadlink/?msg_id=${id}`)).msg_data.state).toBe('error');
  });

  it('answers "not checked" for a slow-check number (…000009) until its check ends 10 clock-seconds later', async () => {
    const slow = '79001000009';
    expect((await send(`${sandbox.base}/api2/check_phone/slow/?phone=${slow}`)).text).toBe('{"err":"fail execution","result":"error"}');
    await sandbox.control.advance(9_999);
    expect((await send(`${sandbox.base}/api2/msg_to/slow/${q({ phone: slow, text: 'too soon' })}`)).text).toBe(
      '{"err":"phone not checked for WhatsApp, please retry"}',
    );
    await sandbox.control.advance(1);
    expect((await send(`${sandbox.base}/api2/check_phone/slow/?phone=${slow}`)).text).toBe('{"err":0,"result":"exists"}');
    expect((await send(`${sandbox.base}/api2/msg_to/slow/${q({ phone: slow, text: 'retried' })}`)).text).toMatch(/^\{"err":0,"msg_id":\d+\}$/);
    // Each account checks for itself.
    expect((await send(`${sandbox.base}/api2/msg_to/other/${q({ phone: slow, text: 'first try' })}`)).text).toBe(
      '{"err":"phone not checked for WhatsApp, please retry"}',
    );
  });

  it("answers check_phone from the engine's world: other magic numbers have WhatsApp", async () => {
    for (const phone of ['79001000001', '79001000003', '79001000005']) {
      expect((await send(`${sandbox.base}/api2/check_phone/world/?phone=${phone}`)).text).toBe('{"err":0,"result":"exists"}');
    }
    expect((await send(`${sandbox.base}/api2/check_phone/world/?phone=${encodeURIComponent('+7 (900) 000-00-00')}`)).text).toBe('{"err":0,"result":"none"}');
    expect((await send(`${sandbox.base}/api2/check_phone/world/?phone=x`)).text).toBe('{"err":"phone fail","result":"error"}');
  });
});
