import { postMessages } from '../devino/devino-client.js';
import { phpMultipart, send } from '../support/php-client.js';
import { received } from '../support/received.js';
import { WamessageClient } from '../wamessage/wamessage-client.js';
import { customerWrites, linkPhone, type LiveSandbox, startLiveSandbox, Status, tick } from './live-sandbox.js';

const PHONE = '905309876543';
const CUSTOMER = '79034567890';
const CUSTOMER_JID = `${CUSTOMER}@s.whatsapp.net`;

/**
 * WaMessenger, WAMM and Devino (linked through the control API) and Wamessage (through its own routes) in
 * live mode: each provider's real routes send through a (fake) Baileys socket, and WhatsApp's ticks and
 * customers' messages come back as the provider's own status answers and webhooks.
 */
describe('providers in live mode (fake Baileys sockets)', () => {
  let sandbox: LiveSandbox;
  beforeEach(async () => {
    sandbox = await startLiveSandbox();
  });
  afterEach(() => sandbox.close());

  const link = async (provider: string, key: string, body: Record<string, unknown> = {}) => {
    const response = await fetch(`${sandbox.control.url}/accounts/${provider}/${key}/link`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    expect(response.status).toBe(200);
    return (await response.json()) as { id: string; state: string; transport: string; qr: { payload: string } | null; pairingCode: string | null };
  };
  const linkState = async (provider: string, key: string) => (await (await fetch(`${sandbox.control.url}/accounts/${provider}/${key}/link`)).json()) as any;
  /** Links the account by a QR scan of its link session's socket. */
  const linkByQr = async (provider: string, key: string) => {
    const linked = await link(provider, key);
    await sandbox.flush();
    expect(linked).toMatchObject({ transport: 'live', state: 'qr' });
    expect((await linkState(provider, key)).qr).toEqual({ payload: '2@fake-ref,noise,identity,adv#1', rotatesAt: null });
    await linkPhone(sandbox, PHONE);
    expect(await linkState(provider, key)).toMatchObject({ state: 'connected', phone: PHONE });
    return sandbox.sockets.latest();
  };
  const bodies = () => received(sandbox.receiver) as any[];

  it('WaMessenger: linked by a pairing code; sendMessage reaches WhatsApp; ticks are getStatus and delivery webhooks; a customer message is a webhook', async () => {
    const linked = await link('wamessenger', 'K', { phone: PHONE });
    expect(linked).toMatchObject({ transport: 'live', state: 'qr', pairingCode: 'ABCD1234' });
    expect(sandbox.sockets.latest().pairingRequests).toEqual([PHONE]);
    const socket = await linkPhone(sandbox, PHONE);
    await send(`${sandbox.origin}/wamessenger/webhook/set/K?url=${encodeURIComponent(sandbox.receiver.url)}`);

    const sent = await send(`${sandbox.origin}/wamessenger/sendMessage/K`, {
      method: 'POST',
      body: phpMultipart({ phonenumber: CUSTOMER, text: 'hello live' }),
    });
    const id = sent.text;
    await sandbox.control.advance(2_000);
    expect(socket.sent.map(({ jid, content }) => ({ jid, content }))).toEqual([{ jid: CUSTOMER_JID, content: { text: 'hello live' } }]);
    expect(await sandbox.control.message(id)).toMatchObject({ from: PHONE, status: 'sent' });

    tick(socket, 0, Status.DELIVERY_ACK, Status.READ);
    await sandbox.flush();
    expect(((await send(`${sandbox.origin}/wamessenger/getStatus/K?id=${id}`)).json as { delivery: string }).delivery).toBe('read');
    expect(
      bodies()
        .filter((body) => body.type === 'delivery')
        .map((body) => [body.id, body.status]),
    ).toEqual([
      [id, 'server'],
      [id, 'phone'],
      [id, 'read'],
    ]);

    // Receiving is off for a new WaMessenger account, and a switch takes effect 30 s later.
    await send(`${sandbox.origin}/wamessenger/receive/K?receive=on`);
    await sandbox.control.advance(30_000);
    customerWrites(socket, CUSTOMER, { conversation: 'hi from a customer' });
    await sandbox.flush();
    expect(bodies().filter((body) => body.type !== 'delivery')).toEqual([
      expect.objectContaining({ type: 'chat', hash: 'K', from: CUSTOMER, to: PHONE, chat: 'hi from a customer' }),
    ]);
  });

  it('WAMM: linked by a QR scan; msg_to reaches WhatsApp; ticks are msg_state webhooks; a customer message is a msg webhook', async () => {
    const socket = await linkByQr('wamm', 'T');
    await sandbox.control.setWebhook('wamm', 'T', sandbox.receiver.url);
    const query = new URLSearchParams({ phone: CUSTOMER, text: 'hello live' }).toString();
    const id = String(((await send(`${sandbox.origin}/wamm/api2/msg_to/T/?${query}`)).json as { msg_id: number }).msg_id);
    await sandbox.control.advance(15_000);
    expect(socket.sent.map(({ jid, content }) => ({ jid, content }))).toEqual([{ jid: CUSTOMER_JID, content: { text: 'hello live' } }]);

    tick(socket, 0, Status.DELIVERY_ACK, Status.READ);
    await sandbox.flush();
    expect(
      bodies()
        .filter((body) => body.tip === 'msg_state')
        .map((body) => body.msg_data),
    ).toEqual([
      { msg_id: id, state: 'sent' },
      { msg_id: id, state: 'delivered' },
      { msg_id: id, state: 'viewed' },
    ]);

    customerWrites(socket, CUSTOMER, { conversation: 'hi from a customer' });
    await sandbox.flush();
    const incoming = bodies().filter((body) => body.tip === 'msg' && body.msg_data.from_me === '0');
    expect(incoming.map((body) => body.msg_data)).toEqual([expect.objectContaining({ phone: CUSTOMER, msg_text: 'hi from a customer' })]);
  });

  it('Devino: a customer message opens the window; a send reaches WhatsApp; ticks and a failure are status callbacks', async () => {
    const socket = await linkByQr('devino', 'D');
    await sandbox.control.setWebhook('devino', 'D', sandbox.receiver.url);
    customerWrites(socket, CUSTOMER, { conversation: 'I have a question' });
    await sandbox.flush();
    expect(bodies().flat()).toEqual([expect.objectContaining({ from: CUSTOMER, to: PHONE, text: 'I have a question', profileName: 'Ada Customer' })]);

    const message = (text: string) => ({ from: 'MyCompany', to: CUSTOMER, text, callbackUrl: sandbox.receiver.url });
    const answer = await postMessages(`${sandbox.origin}/devino`, { messages: [message('answer one'), message('answer two')] }, 'D');
    const [first, second] = answer.json.result.map((entry: { messageId: string }) => entry.messageId) as [string, string];
    await sandbox.control.advance(2_000);
    expect(socket.sent.map((call) => call.content)).toEqual([{ text: 'answer one' }, { text: 'answer two' }]);

    tick(socket, 0, Status.DELIVERY_ACK, Status.READ);
    tick(socket, 1, Status.ERROR);
    await sandbox.flush();
    // Each message's callbacks in order (two messages' callbacks may interleave).
    const statuses = (id: string) =>
      bodies()
        .flat()
        .filter((item) => item.messageId === id)
        .map((item) => item.status);
    expect([statuses(first), statuses(second)]).toEqual([
      ['SENT', 'DELIVERED', 'READ'],
      ['SENT', 'FAILED'],
    ]);
  });

  it("Wamessage: login/code answers the socket's pairing code, logincontrol the real connection; a multi-send reaches WhatsApp", async () => {
    const client = new WamessageClient(`${sandbox.origin}/wamessage`);
    await client.signUp('905321112233');
    const code = await client.json('POST', '/whatsapp/login/code', { phone: PHONE });
    expect(code.json).toMatchObject({ data: { code: 'ABCD1234' } });
    const { registrationId } = (code.json as { data: { registrationId: number } }).data;
    expect(sandbox.sockets.latest().pairingRequests).toEqual([PHONE]);
    const control = () => client.get(`/whatsapp/ws/logincontrol?registrationId=${registrationId}&phone=${PHONE}`);
    expect((await control()).json).toMatchObject({ data: { connected: false } });

    const socket = await linkPhone(sandbox, PHONE);
    expect((await control()).json).toMatchObject({ data: { connected: true } });

    const form = new FormData();
    form.append('reg_id', String(registrationId));
    form.append('contacts', `+${CUSTOMER}`);
    form.append('message', 'hello live');
    const sent = await client.form('/whatsapp/sendmessage/multi', form);
    const [{ id }] = (sent.json as { data: { messages: Array<{ id: string }> } }).data.messages;
    await sandbox.control.advance(2_000);
    expect(socket.sent.map(({ jid, content }) => ({ jid, content }))).toEqual([{ jid: CUSTOMER_JID, content: { text: 'hello live' } }]);
    tick(socket, 0, Status.DELIVERY_ACK, Status.READ);
    await sandbox.flush();
    expect(await sandbox.control.message(id!)).toMatchObject({ from: PHONE, status: 'read' });

    // The phone unlinks the device: WhatsApp logs the socket out, and logincontrol says so.
    socket.close(401);
    await sandbox.flush();
    expect((await control()).json).toMatchObject({ data: { connected: false } });
  });
});
