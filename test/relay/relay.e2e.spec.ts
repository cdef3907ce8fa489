import type { SandboxHandle } from '../support/sandbox.js';
import { send } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';
import { MaytapiClient } from '../maytapi/maytapi-client.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;
const CUSTOMER = '79001234567';
const OTHER_CUSTOMER = '79007654321';
/** The engine's magic number whose sends fail: the simulated phone never sees the chat's input field, and gives up. */
const SEND_FAILS = '79001000003';

interface Device {
  id: string;
  token: string;
  phone: string | null;
  line: { provider: string; key: string; session: string; phone: string } | null;
  queue: Array<{ id: string; offers: number }>;
}
type Json = Record<string, any>;

/** The control API and the device API, as JSON. */
async function call(sandbox: SandboxHandle, method: string, path: string, body?: unknown): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${sandbox.origin}${path}`, {
    method,
    ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  return { status: response.status, body: text ? (JSON.parse(text) as Json) : {} };
}

async function device(sandbox: SandboxHandle, spec: { simulated?: boolean; phone?: string } = {}): Promise<Device> {
  const created = await call(sandbox, 'POST', '/__sandbox/relay/devices', { name: 'Mi 9 SE', ...spec });
  expect(created.status).toBe(201);
  return created.body as Device;
}

const statusHistory = async (sandbox: SandboxHandle, id: string) => (await sandbox.control.message(id)).history.map((change) => change.status);

describe('the Android relay: a WAMM account linked to a phone', () => {
  const sandbox = useSandbox({ provider: 'wamm', receiver: true });
  const KEY = 'relayed';

  const msgTo = async (phone: string, text: string) => {
    const answer = (await send(`${sandbox.base}/api2/msg_to/${KEY}/?${new URLSearchParams({ phone, text })}`)).json as { err: unknown; msg_id: number };
    expect(answer.err).toBe(0);
    return String(answer.msg_id);
  };
  const stateOf = async (id: string) => ((await send(`${sandbox.base}/api2/msg_state/${KEY}/?msg_id=${id}`)).json as Json).msg_data.state as string;
  const link = async (phone: Device) => {
    const linked = await call(sandbox, 'POST', `/__sandbox/accounts/wamm/${KEY}/link`, { via: 'relay', device: phone.id });
    expect(linked.status).toBe(200);
    return linked.body;
  };
  const webhookStates = (id: string) =>
    sandbox.receiver.accepted
      .map((request) => request.json as Json)
      .filter((hook) => hook.tip === 'msg_state' && hook.msg_data.msg_id === id)
      .map((hook) => hook.msg_data.state);

  beforeEach(async () => {
    await sandbox.control.setWebhook('wamm', KEY, sandbox.receiver.url);
  });

  it('sends through a simulated phone at its pace; msg_state and webhooks say sent or error as the phone reports, never delivered', async () => {
    const phone = await device(sandbox, { simulated: true });
    const account = await sandbox.control.request<Json>('GET', `/accounts/wamm/${KEY}`);
    expect(await link(phone)).toMatchObject({ label: 'link', transport: 'relay', state: 'connected', phone: account.linePhone });

    const ids = [await msgTo(CUSTOMER, 'one'), await msgTo(OTHER_CUSTOMER, 'two'), await msgTo(SEND_FAILS, 'three')];
    const file = (
      await send(`${sandbox.base}/api2/file_to/${KEY}/?${new URLSearchParams({ phone: CUSTOMER, url: `${sandbox.origin}/__sandbox/media/sample.jpg` })}`)
    ).json as { err: unknown; msg_id: number };
    expect(file.err).toBe(0);
    const doneAt = new Map<string, number>();
    for (let elapsed = 0; elapsed < 3 * MINUTE; elapsed += SECOND) {
      await sandbox.control.advance(SECOND);
      for (const id of ids) if (!doneAt.has(id) && (await stateOf(id)) !== 'sending') doneAt.set(id, elapsed);
    }
    expect(await Promise.all(ids.map(stateOf))).toEqual(['sent', 'sent', 'error']);
    // One at a time, at the phone's pace: a poll 5 s after the previous result, then 4–6 s to send (9.6 s to give up).
    const [one, two, three] = ids.map((id) => doneAt.get(id)!);
    expect(two! - one!).toBeGreaterThanOrEqual(9 * SECOND);
    expect(three! - two!).toBeGreaterThanOrEqual(14 * SECOND);
    expect((await sandbox.control.message(ids[2]!)).failureCode).toBe('no_whatsapp');
    // A phone sees no ticks: sent is where its messages stay.
    await sandbox.control.advance(5 * MINUTE);
    for (const id of ids.slice(0, 2)) {
      expect(await statusHistory(sandbox, id)).toEqual(['queued', 'sent']);
      expect(webhookStates(id)).toEqual(['sent']);
    }
    expect(webhookStates(ids[2]!)).toEqual(['error']);
    // Media fails as WAMM fails a file it cannot send.
    const media = await sandbox.control.message(String(file.msg_id));
    expect(media).toMatchObject({ status: 'failed', failureCode: 'media_rejected' });
    expect(webhookStates(String(file.msg_id))).toEqual(['error']);
    expect((await call(sandbox, 'GET', `/__sandbox/relay/devices/${phone.id}`)).body.queue).toEqual([]);
  });

  it('offers a message again once the lease of a phone that never answered expires, and sends it once', async () => {
    const phone = await device(sandbox);
    await link(phone);
    const id = await msgTo(CUSTOMER, 'lease');
    await sandbox.control.advance(20 * SECOND);
    const first = await call(sandbox, 'GET', `/__relay/next?token=${phone.token}`);
    expect(first.body).toEqual({
      send: true,
      id,
      phone: CUSTOMER,
      text: 'lease',
      link: `https://api.whatsapp.com/send?phone=${CUSTOMER}&text=lease`,
    });
    expect((await call(sandbox, 'GET', `/__relay/next?token=${phone.token}`)).body).toEqual({ send: false });
    await sandbox.control.advance(30 * SECOND);
    expect((await call(sandbox, 'GET', `/__relay/next?token=${phone.token}`)).body).toMatchObject({ send: true, id });
    expect(await stateOf(id)).toBe('sending');
    // Automagic posts a form with text values.
    const result = await fetch(`${sandbox.origin}/__relay/result`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ token: phone.token, id, status: '1' }),
    });
    expect(await result.json()).toEqual({ ok: true });
    expect((await call(sandbox, 'POST', `/__relay/result?token=${phone.token}`, { id, status: 1 })).status).toBe(404);
    await sandbox.control.advance(MINUTE);
    expect(await statusHistory(sandbox, id)).toEqual(['queued', 'sent']);
    expect(webhookStates(id)).toEqual(['sent']);
  });

  it('leaves the messages of a phone that stops polling queued, none lost, and sends each once when it is back', async () => {
    const phone = await device(sandbox, { simulated: true });
    await link(phone);
    const ids = [await msgTo(CUSTOMER, 'a'), await msgTo(OTHER_CUSTOMER, 'b'), await msgTo(CUSTOMER, 'c')];
    const queue = async () => (await call(sandbox, 'GET', `/__sandbox/relay/devices/${phone.id}`)).body.queue as Array<{ id: string; offers: number }>;
    // It goes off with the first message in its hands: no result comes for it.
    while ((await queue())[0]?.offers !== 1) await sandbox.control.advance(SECOND);
    expect((await queue())[0]!.id).toBe(ids[0]);
    expect((await call(sandbox, 'PUT', `/__sandbox/relay/devices/${phone.id}/polling`, { polling: false })).body.polling).toBe(false);
    await sandbox.control.advance(30 * MINUTE);
    expect(await Promise.all(ids.map(stateOf))).toEqual(['sending', 'sending', 'sending']);
    expect((await queue()).map((queued) => queued.id)).toEqual(ids);

    await call(sandbox, 'PUT', `/__sandbox/relay/devices/${phone.id}/polling`, { polling: true });
    await sandbox.control.advance(2 * MINUTE);
    expect(await Promise.all(ids.map(stateOf))).toEqual(['sent', 'sent', 'sent']);
    for (const id of ids) expect(await statusHistory(sandbox, id)).toEqual(['queued', 'sent']);
  });

  it("turns a forwarded notification into an inbound message with WAMM's webhook, finding a saved contact by name", async () => {
    const phone = await device(sandbox);
    await link(phone);
    expect((await send(`${sandbox.base}/api2/contact_to/${KEY}/?${new URLSearchParams({ phone: OTHER_CUSTOMER, name: 'Anna' })}`)).json).toMatchObject({
      err: 0,
    });
    const notify = (title: string, text: string) =>
      call(sandbox, 'POST', `/__relay/notification?token=${phone.token}`, { title, text, package: 'com.whatsapp' });
    expect((await notify('+7 900 123-45-67', 'hello from a number')).body).toEqual({ ok: true, accepted: true });
    expect((await notify('Anna (2 messages)', 'hello from Anna')).body).toEqual({ ok: true, accepted: true });
    expect((await notify('WhatsApp', '2 new messages')).body).toMatchObject({ accepted: false });
    expect((await notify('Nobody Known', 'who?')).body).toMatchObject({ accepted: false });
    await sandbox.control.advance(5 * SECOND);
    const rows = sandbox.receiver.accepted.map((request) => request.json as Json).filter((hook) => hook.tip === 'msg');
    expect(rows.map(({ msg_data: row }) => [row.from_me, row.phone, row.msg_text])).toEqual([
      ['0', CUSTOMER, 'hello from a number'],
      ['0', OTHER_CUSTOMER, 'hello from Anna'],
    ]);
  });

  it('refuses a device that does not exist, and a device with another transport', async () => {
    const phone = await device(sandbox);
    expect((await call(sandbox, 'POST', `/__sandbox/accounts/wamm/${KEY}/link`, { via: 'relay', device: 'relay-nope' })).status).toBe(404);
    expect((await call(sandbox, 'POST', '/__sandbox/accounts/wamm/other/link', { via: 'simulated', device: phone.id })).status).toBe(400);
  });
});

describe('the Android relay: a Maytapi phone linked to a phone', () => {
  const sandbox = useSandbox({ receiver: true });
  const PRODUCT = 'relay-product';
  let client: MaytapiClient;
  let phoneId: number;
  let sessionId: string;

  beforeEach(async () => {
    client = new MaytapiClient(`${sandbox.origin}/maytapi/api`, PRODUCT, 'relay-token');
    await client.post('/setWebhook', { webhook: sandbox.receiver.url });
    await client.post('/setAckPreference', { preference: true });
    phoneId = (await client.post('/addPhone')).json.id;
    await sandbox.control.advance(3 * SECOND);
    sessionId = (await sandbox.control.sessions('maytapi', PRODUCT))[0]!.id;
  });

  const sendMessage = async (body: Json) => {
    const response = await client.post(`/${phoneId}/sendMessage`, { to_number: CUSTOMER, type: 'text', ...body });
    expect(response.json).toMatchObject({ success: true });
    return response.json.data.msgId as string;
  };
  const acks = () =>
    sandbox.receiver.accepted
      .map((request) => request.json as Json)
      .filter((hook) => hook.type === 'ack')
      .flatMap((hook) => hook.data);

  it("sends through a simulated phone: Maytapi's status says connected, acks stop at delivered, failures are logged, notifications arrive", async () => {
    const phone = await device(sandbox, { simulated: true, phone: '905301112233' });
    const linked = await call(sandbox, 'POST', `/__sandbox/relay/devices/${phone.id}/link`, { session: sessionId });
    expect(linked.body.line).toEqual({ provider: 'maytapi', key: PRODUCT, session: sessionId, phone: '905301112233' });
    expect((await client.get(`/${phoneId}/status`)).json).toMatchObject({ success: true, status: { loggedIn: true } });

    const sent = await sendMessage({ message: 'through the phone' });
    const failed = await sendMessage({ message: 'to nobody', to_number: '905301000003' });
    const media = await sendMessage({ type: 'media', message: `${sandbox.origin}/__sandbox/media/sample.jpg` });
    expect((await client.get(`/${phoneId}/queue`)).json.stats.sending).toBeGreaterThan(0);
    await sandbox.control.advance(5 * MINUTE);
    expect((await client.get(`/${phoneId}/queue`)).json.stats.sending).toBe(0);
    expect(acks().map((ack) => [ack.msgId, ack.ackType])).toEqual([[sent, 'delivered']]);
    const errors = (await client.get('/logs')).json.data.list.filter((entry: Json) => entry.type === 'error').map((entry: Json) => entry.data.msgId);
    expect(errors).toEqual(expect.arrayContaining([failed, media]));

    const notified = await call(sandbox, 'POST', `/__relay/notification?token=${phone.token}`, { title: CUSTOMER, text: 'merhaba' });
    expect(notified.body).toEqual({ ok: true, accepted: true });
    await sandbox.control.advance(5 * SECOND);
    const incoming = sandbox.receiver.accepted.map((request) => request.json as Json).filter((hook) => hook.type === 'message' && !hook.message.fromMe);
    expect(incoming).toEqual([
      expect.objectContaining({ phone_id: phoneId, conversation: `${CUSTOMER}@c.us`, message: expect.objectContaining({ type: 'text', text: 'merhaba' }) }),
    ]);
  });

  it("unlinks with Maytapi's logout: the phone relays nothing more, and the session shows its QR screen", async () => {
    const phone = await device(sandbox);
    await call(sandbox, 'POST', `/__sandbox/relay/devices/${phone.id}/link`, { session: sessionId });
    await client.get(`/${phoneId}/logout`);
    await sandbox.control.advance(SECOND);
    expect((await call(sandbox, 'GET', `/__sandbox/relay/devices/${phone.id}`)).body.line).toBeNull();
    expect((await sandbox.control.session(sessionId)).state).toBe('qr');
  });
});
