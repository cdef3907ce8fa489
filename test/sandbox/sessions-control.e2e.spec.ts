import { readFile } from 'node:fs/promises';
import { WhatsAppEngine, type Account } from '#engine';
import { useSandbox } from '../support/sandbox.js';

/** The control API as the phone and the provider's back office: sessions, webhook urls, caps, uploads. */
describe('control API: sessions, webhook urls, limits and uploads', () => {
  let engine: WhatsAppEngine;

  const sandbox = useSandbox();
  beforeAll(async () => {
    engine = sandbox.app.get(WhatsAppEngine);
  });

  const account = async (key = 'K'): Promise<Account> => {
    const lookup = await engine.accounts.resolve('wamessenger', key);
    if (!lookup.ok) throw new Error(lookup.reason);
    return lookup.account;
  };
  const post = (path: string, body: unknown) =>
    fetch(`${sandbox.control.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });

  it('scans a QR code: the session loads, then connects on the clock', async () => {
    const session = await engine.sessions.create(await account(), '501');
    const [listed] = await sandbox.control.sessions('wamessenger', 'K');
    expect(listed).toMatchObject({ id: session.id, label: '501', state: 'qr', phone: null, qr: { payload: expect.stringMatching(/^2@/) } });

    expect(await sandbox.control.scan(session.id, '79160000123')).toMatchObject({ state: 'loading', phone: '79160000123', qr: null });
    await sandbox.control.advance(5_000);
    expect(await sandbox.control.session(session.id)).toMatchObject({ state: 'connected', linkedAt: expect.any(String) });

    const again = await post(`/sessions/${session.id}/scan`, {});
    expect(again.status).toBe(422);
    expect(await again.json()).toEqual({ error: 'the session is not showing a QR code (it is connected)' });
  });

  it('types a pairing code on the phone, and refuses a wrong one', async () => {
    const session = await engine.sessions.create(await account());
    const issued = await engine.sessions.requestPairingCode(session, '905321112233');
    if (!issued.ok) throw new Error(issued.reason);
    expect((await sandbox.control.session(session.id)).pairing).toMatchObject({ code: issued.code, phone: '905321112233' });

    const wrong = await post('/sessions/pair', { code: 'AAAA-AAAA' });
    expect(wrong.status).toBe(422);
    expect(await sandbox.control.pair(`${issued.code.slice(0, 4)}-${issued.code.slice(4)}`)).toMatchObject({
      state: 'loading',
      phone: '905321112233',
      pairing: null,
    });
  });

  it('drops and restores the connection', async () => {
    const session = await engine.sessions.create(await account());
    await sandbox.control.scan(session.id);
    await sandbox.control.advance(5_000);
    expect(await sandbox.control.request('POST', `/sessions/${session.id}/disconnect`)).toMatchObject({ state: 'disconnected' });
    expect(await sandbox.control.request('POST', `/sessions/${session.id}/reconnect`)).toMatchObject({ state: 'loading' });
    const missing = await post('/sessions/nope/scan', {});
    expect(missing.status).toBe(404);
  });

  it("sets an account's webhook url and send caps", async () => {
    expect(await sandbox.control.setWebhook('wamessenger', 'K', 'http://127.0.0.1:9/hook')).toMatchObject({ webhookUrl: 'http://127.0.0.1:9/hook' });
    expect(await sandbox.control.setLimits('wamessenger', 'K', { dailyMessages: 30 })).toMatchObject({ limits: { dailyMessages: 30, perSecond: null } });
    expect(await sandbox.control.setLimits('wamessenger', 'K', { dailyMessages: null, perSecond: 15 })).toMatchObject({
      limits: { dailyMessages: null, perSecond: 15 },
    });
    expect(await sandbox.control.setWebhook('wamessenger', 'K', null)).toMatchObject({ webhookUrl: null });

    for (const [path, body] of [
      ['webhook', { url: 'not a url' }],
      ['limits', { dailyMessages: -1 }],
      ['limits', { perSecond: 1.5 }],
    ] as const) {
      const res = await fetch(`${sandbox.control.url}/accounts/wamessenger/K/${path}`, {
        method: 'PUT',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      expect(res.status).toBe(400);
    }
  });

  it('lets a virtual customer send a location or contacts, and validates them', async () => {
    await engine.accounts.setFeature(await account(), 'receive', true);
    const location = { latitude: 55.75, longitude: 37.61, name: 'Red Square' };
    const sent = await sandbox.control.inbound('wamessenger', 'K', { from: '79161234567', location });
    expect(await sandbox.control.message(sent.messageId!)).toMatchObject({ kind: 'location', direction: 'inbound' });
    const card = await sandbox.control.inbound('wamessenger', 'K', { from: '79161234567', contacts: [{ name: 'Ivan', phones: ['+79160000001'] }] });
    expect((await engine.messages.get(card.messageId!))!.contacts).toEqual([{ name: 'Ivan', phones: ['79160000001'] }]);

    const bad = await post('/accounts/wamessenger/K/inbound', { from: '79161234567', location: { latitude: 91, longitude: 0 } });
    expect(bad.status).toBe(400);
  });

  it('serves a file a client uploaded, and nothing else under uploads', async () => {
    const pdf = await readFile(new URL('../../fixtures/media/sample.pdf', import.meta.url));
    const result = await engine.messages.send(await account(), {
      recipients: ['79161110001'],
      text: '',
      mediaUpload: { bytes: pdf, fileName: 'offer.pdf' },
      mediaPolicy: { rules: [{ format: 'pdf', maxBytes: 1_000_000 }] },
    });
    if (!result.ok) throw new Error(result.reason);
    const id = result.messages[0]!.mediaUrl!.split('/').pop()!;
    const served = await fetch(`${sandbox.control.url}/media/uploads/${id}`);
    expect(served.headers.get('content-type')).toBe('application/pdf');
    expect(Buffer.from(await served.arrayBuffer()).equals(pdf)).toBe(true);
    expect((await fetch(`${sandbox.control.url}/media/uploads/u999`)).status).toBe(404);
  });
});
