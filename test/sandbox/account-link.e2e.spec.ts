import { send } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';

const PHONE = '79160000123';
const LINK = '/accounts/wamm/linked/link';

/** WAMM, WaMessenger and Devino have no session API: the control API links their accounts to a phone. */
describe('control API: linking an account without a session API to a phone', () => {
  const sandbox = useSandbox({ provider: 'wamm' });

  const call = async (method: string, path: string, body?: unknown) => {
    const response = await fetch(`${sandbox.control.url}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    return { status: response.status, body: text ? (JSON.parse(text) as Record<string, any>) : null };
  };
  const msgTo = async (text: string) => {
    const query = new URLSearchParams({ phone: '79001000004', text }).toString();
    return String(((await send(`${sandbox.base}/api2/msg_to/linked/?${query}`)).json as { msg_id: number }).msg_id);
  };

  it('links a WAMM account by a QR scan: its messages then go through the link, as its phone', async () => {
    const linked = await call('POST', LINK);
    expect(linked.status).toBe(200);
    expect(linked.body).toMatchObject({
      provider: 'wamm',
      accountKey: 'linked',
      label: 'link',
      transport: 'simulated',
      state: 'qr',
      phone: null,
      qr: { payload: expect.stringMatching(/^2@/) },
      qrImage: expect.stringMatching(/^data:image\/png;base64,/),
      pairingCode: null,
    });
    // The same link again, not a second one.
    expect((await call('POST', LINK, {})).body).toMatchObject({ id: linked.body!.id });
    expect(await sandbox.control.sessions('wamm', 'linked')).toHaveLength(1);

    await sandbox.control.scan(linked.body!.id, PHONE);
    await sandbox.control.advance(5_000);
    expect((await call('GET', LINK)).body).toMatchObject({ state: 'connected', phone: PHONE, qr: null, qrImage: null });

    const id = await msgTo('through the link');
    await sandbox.control.advance(60_000);
    expect(await sandbox.control.message(id)).toMatchObject({ lineId: 'wamm:linked', from: PHONE, status: 'read' });

    // The phone drops: the account's messages fail at their turn rather than leave from elsewhere.
    await call('POST', `/sessions/${linked.body!.id}/disconnect`);
    const whileDown = await msgTo('while the phone is away');
    await sandbox.control.advance(60_000);
    expect(await sandbox.control.message(whileDown)).toMatchObject({ status: 'failed' });
  });

  it('answers a pairing code for a phone, and the link state on GET', async () => {
    const linked = await call('POST', LINK, { phone: '905321112233' });
    expect(linked.body).toMatchObject({ state: 'qr', pairingCode: expect.stringMatching(/^[1-9A-HJ-NP-TV-Z]{8}$/) });
    expect((await call('GET', LINK)).body).toMatchObject({ id: linked.body!.id, pairingCode: linked.body!.pairingCode });
    expect(await sandbox.control.pair(linked.body!.pairingCode, '905321112233')).toMatchObject({ state: 'loading', phone: '905321112233' });
    const again = await call('POST', LINK, { phone: '905321112233' });
    expect(again).toEqual({ status: 422, body: { error: 'the session is already linked (it is loading)' } });
  });

  it('unlinks on DELETE: the account sends on its own line again', async () => {
    const linked = await call('POST', LINK);
    await sandbox.control.scan(linked.body!.id, PHONE);
    await sandbox.control.advance(5_000);
    expect(await call('DELETE', LINK)).toEqual({ status: 204, body: null });
    expect(await sandbox.control.sessions('wamm', 'linked')).toEqual([]);
    expect(await call('GET', LINK)).toEqual({ status: 404, body: { error: 'the account is not linked to a phone (POST this path to link it)' } });
    expect(await call('DELETE', LINK)).toEqual({ status: 404, body: { error: 'the account is not linked to a phone' } });

    const id = await msgTo('on its own line');
    await sandbox.control.advance(60_000);
    const { linePhone } = (await sandbox.control.request('GET', '/accounts/wamm/linked')) as { linePhone: string };
    expect(await sandbox.control.message(id)).toMatchObject({ from: linePhone, status: 'read' });
  });

  it('refuses an unknown provider, a provider with its own session API, a bad phone and an unknown transport', async () => {
    expect(await call('POST', '/accounts/nope/k/link')).toMatchObject({ status: 404, body: { error: expect.stringContaining('unknown provider nope') } });
    expect(await call('POST', '/accounts/maytapi/k/link')).toEqual({
      status: 422,
      body: { error: 'maytapi links its sessions through its own API: link them there (its phones or devices), not here' },
    });
    expect(await call('POST', LINK, { phone: '+7916' })).toMatchObject({
      status: 400,
      body: { error: expect.stringContaining('phone must be a phone number') },
    });
    expect(await call('POST', LINK, { via: 'carrier-pigeon' })).toEqual({ status: 400, body: { error: 'via must be one of: simulated, relay' } });
    expect(await call('POST', LINK, { colour: 'red' })).toMatchObject({ status: 400 });
    expect(await sandbox.control.sessions('wamm', 'linked')).toEqual([]);
  });
});
