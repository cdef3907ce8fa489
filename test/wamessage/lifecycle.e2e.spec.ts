import { readFileSync } from 'node:fs';
import { WhatsAppEngine } from '#engine';
import { useSandbox, TEST_START } from '../support/sandbox.js';
import { WamessageClient } from './wamessage-client.js';

const PDF = readFileSync('fixtures/media/sample.pdf');
const USER = '905321112233';
const DEVICE = '905551112233';
const HOUR = 3_600_000;

interface Sent {
  status: boolean;
  description: string;
  data: {
    reg_id: number;
    contacts: string;
    message: string;
    send_time: string | null;
    file: { name: string; mime: string; size: number; url: string } | null;
    messages: Array<{ id: string; contact: string }>;
  };
}

describe('Wamessage on the simulated engine', () => {
  let client: WamessageClient;

  const sandbox = useSandbox();
  beforeEach(async () => {
    client = new WamessageClient(`${sandbox.origin}/wamessage`);
  });

  const statusOf = async (id: string) => (await sandbox.control.message(id)).status;
  const sendForm = (fields: Record<string, string | Blob>, fileName?: string) => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields)) {
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, value, fileName);
    }
    return client.form('/whatsapp/sendmessage/multi', form);
  };

  it('registers, logs in, links a device by code, sends a PDF to three contacts and a send scheduled for tomorrow goes out tomorrow', async () => {
    const registered = await client.json('POST', '/user/register', { phone: `+${USER}`, password: 'gizli-sifre-1', name: 'Ayşe' });
    expect(registered).toMatchObject({
      status: 201,
      json: { status: true, code: 201, description: 'Kayıt başarılı', data: { user_id: 1, phone: USER, name: 'Ayşe', email: null } },
    });
    const login = await client.json('POST', '/user/login', { phone: USER, password: 'gizli-sifre-1' });
    expect(login).toMatchObject({
      status: 200,
      json: { status: true, description: 'Giriş başarılı', data: { token_type: 'Bearer', expires_in: 86_400, expires_at: '2026-01-02 12:00:00', user_id: 1 } },
    });
    const { token, data } = login.json as { token: string; data: { token: string } };
    expect(data.token).toBe(token);
    expect(JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString())).toEqual({ alg: 'HS256', typ: 'JWT' });
    client.token = token;

    // Device linking: code → not linked → the phone types the code → loading → connected and registered.
    const code = await client.json('POST', '/whatsapp/login/code', { phone: DEVICE });
    expect(code).toMatchObject({
      status: 200,
      json: { status: true, description: 'Kod oluşturuldu', data: { phone: DEVICE, expires_at: '2026-01-01 12:03:00' } },
    });
    const { code: pairingCode, registrationId } = (code.json as { data: { code: string; registrationId: number } }).data;
    expect(pairingCode).toMatch(/^[1-9A-HJ-NP-TV-Z]{8}$/);
    expect(registrationId).toBe(1_000_001);
    const logincontrol = () => client.get(`/whatsapp/ws/logincontrol?registrationId=${registrationId}&phone=${DEVICE}`);
    expect((await logincontrol()).json).toEqual({
      status: true,
      code: 200,
      description: 'Cihaz henüz bağlanmadı',
      data: { registrationId, phone: DEVICE, connected: false, status: 'waiting_for_code' },
    });
    expect((await client.get('/whatsapp/devices?page=-1')).json).toEqual({ status: true, code: 200, description: 'Cihazlar listelendi', data: [] });

    await sandbox.control.pair(pairingCode, DEVICE);
    expect((await logincontrol()).json).toMatchObject({ description: 'Cihaz bağlanıyor', data: { connected: false, status: 'loading' } });
    // Loading is not registration: the device is listed only once logincontrol saw it connected.
    await sandbox.control.advance(5_000);
    expect((await client.get('/whatsapp/devices?page=-1')).json).toMatchObject({ data: [] });
    expect((await logincontrol()).json).toEqual({
      status: true,
      code: 200,
      description: 'Cihaz bağlandı',
      data: { registrationId, phone: DEVICE, connected: true, status: 'connected' },
    });
    expect((await client.get('/whatsapp/devices?page=-1')).json).toEqual({
      status: true,
      code: 200,
      description: 'Cihazlar listelendi',
      data: [{ registration_id: registrationId, phone: DEVICE, status: 'connected', connected: true, registered_at: '2026-01-01 12:00:05' }],
    });

    // Three contacts, written three ways, and a PDF upload.
    const sent = await sendForm(
      {
        reg_id: String(registrationId),
        contacts: '+905321234567, 905321234568,+994 50 123 45 67',
        message: 'Teklif ektedir',
        file: new Blob([PDF], { type: 'application/pdf' }),
      },
      'teklif.pdf',
    );
    expect(sent.status).toBe(200);
    const body = sent.json as Sent;
    expect(body).toMatchObject({
      status: true,
      description: 'Mesaj gönderildi',
      data: {
        reg_id: registrationId,
        contacts: '+905321234567, 905321234568,+994 50 123 45 67',
        message: 'Teklif ektedir',
        send_time: null,
        file: { name: 'teklif.pdf', mime: 'application/pdf', size: PDF.length },
      },
    });
    expect(body.data.messages.map((message) => message.contact)).toEqual(['905321234567', '905321234568', '994501234567']);
    await sandbox.control.advance(60_000);
    for (const { id, contact } of body.data.messages) {
      const message = await sandbox.control.message(id);
      expect({ from: message.from, to: message.to, text: message.text, kind: message.kind, status: message.status, mediaUrl: message.mediaUrl }).toEqual({
        from: DEVICE,
        to: contact,
        text: 'Teklif ektedir',
        kind: 'media',
        status: 'read',
        mediaUrl: body.data.file!.url,
      });
    }
    const served = await fetch(`${sandbox.origin}${new URL(body.data.file!.url).pathname}`);
    expect(Buffer.from(await served.arrayBuffer()).equals(PDF)).toBe(true);

    // Tomorrow at noon, Turkey time: 2026-01-02 09:00 UTC.
    const tomorrow = Date.UTC(2026, 0, 2, 9, 0, 0);
    const scheduled = await client.json('POST', '/whatsapp/sendmessage/multi', {
      reg_id: registrationId,
      contacts: '905321234569',
      message: 'Yarın görüşelim',
      send_time: '2026-01-02 12:00:00',
    });
    expect(scheduled.json).toMatchObject({
      description: 'Mesaj gönderildi',
      data: { contacts: '905321234569', message: 'Yarın görüşelim', send_time: '2026-01-02 12:00:00' },
    });
    const { id } = (scheduled.json as Sent).data.messages[0]!;
    expect(await sandbox.control.message(id)).toMatchObject({ status: 'queued', sendAt: new Date(tomorrow).toISOString() });
    const { nowMs } = await sandbox.control.clock();
    await sandbox.control.advance(tomorrow - nowMs - 1_000);
    expect(await statusOf(id)).toBe('queued');
    await sandbox.control.advance(5_000);
    const history = (await sandbox.control.message(id)).history;
    expect(history.map((change) => change.status).slice(0, 2)).toEqual(['queued', 'sent']);
    expect(Date.parse(history[1]!.at)).toBeGreaterThanOrEqual(tomorrow);
    // Registering and logging in each hash a password with scrypt, slow on purpose: room for a busy machine.
  }, 30_000);

  describe('with a linked device', () => {
    let registrationId: number;
    beforeEach(async () => {
      await client.signUp(USER);
      registrationId = await client.linkDevice(sandbox.control, DEVICE);
    });

    it('reads send_time in Turkey time: 12:00:30 on the day the clock starts at 12:00 (09:00 UTC) is 30 seconds away', async () => {
      expect(new Date(TEST_START).toISOString()).toBe('2026-01-01T09:00:00.000Z');
      const { nowMs } = await sandbox.control.clock();
      const sendAt = Math.ceil((nowMs + 30_000) / 1000) * 1000;
      const turkey = new Date(sendAt + 3 * HOUR).toISOString().replace('T', ' ').slice(0, 19);
      const response = await client.json('POST', '/whatsapp/sendmessage/multi', {
        reg_id: registrationId,
        contacts: '905321234567',
        message: 'yakında',
        send_time: turkey,
      });
      const { id } = (response.json as Sent).data.messages[0]!;
      expect(await sandbox.control.message(id)).toMatchObject({ sendAt: new Date(sendAt).toISOString() });
      await sandbox.control.advance(sendAt - nowMs - 500);
      expect(await statusOf(id)).toBe('queued');
      await sandbox.control.advance(2_000);
      expect(await statusOf(id)).not.toBe('queued');
    });

    it('refuses a send_time already past, in Turkey time, and sends nothing', async () => {
      const { nowMs } = await sandbox.control.clock();
      const justPast = new Date(nowMs - 1_000 + 3 * HOUR).toISOString().replace('T', ' ').slice(0, 19);
      const response = await client.json('POST', '/whatsapp/sendmessage/multi', {
        reg_id: registrationId,
        contacts: '905321234567',
        message: 'dün',
        send_time: justPast,
      });
      expect(response).toMatchObject({ status: 400, json: { status: false, code: 400, description: 'Gönderim zamanı geçmiş bir tarih olamaz', data: null } });
      const outbound = await sandbox.app
        .get(WhatsAppEngine)
        .messages.query({ accountId: `wamessage:${USER}`, direction: 'outbound', order: 'newest', offset: 0, limit: 10 });
      expect(outbound.total).toBe(0);
    });

    it("answers the public client's form-urlencoded send (one +994 number, send_speed) as it reads it", async () => {
      const response = await client.form(
        '/whatsapp/sendmessage/multi',
        new URLSearchParams({ reg_id: String(registrationId), contacts: '+994501234567', message: 'Salam', send_speed: '1' }),
      );
      expect(response.status).toBe(200);
      const body = response.json as {
        description: string;
        data: { contacts: string; message: string; send_speed: number; messages: Array<{ contact: string }> };
      };
      // data.contacts echoes the field as sent, + included (integrations store it and look the number up by it);
      // the message goes to the normalised number.
      expect([body.description, body.data.contacts, body.data.message, body.data.send_speed]).toEqual(['Mesaj gönderildi', '+994501234567', 'Salam', 1]);
      expect(body.data.messages.map((message) => message.contact)).toEqual(['994501234567']);
    });

    it('logout unlinks and forgets the device: no longer listed, refused for sends, and its scheduled sends fail', async () => {
      const later = await client.json('POST', '/whatsapp/sendmessage/multi', {
        reg_id: registrationId,
        contacts: '905321234567',
        message: 'sonra',
        send_time: '2026-01-01 13:00:00',
      });
      const { id } = (later.json as Sent).data.messages[0]!;
      const logout = await client.json('POST', '/whatsapp/logout', { reg_id: String(registrationId), phone: DEVICE });
      expect(logout.json).toEqual({ status: true, code: 200, description: 'Oturum kapatıldı', data: { registrationId, phone: DEVICE } });
      expect((await client.get('/whatsapp/devices?page=-1')).json).toMatchObject({ data: [] });
      const refused = await client.json('POST', '/whatsapp/sendmessage/multi', { reg_id: registrationId, contacts: '905321234567', message: 'x' });
      expect(refused).toMatchObject({ status: 404, json: { status: false, description: 'Cihaz bulunamadı' } });
      await sandbox.control.advance(HOUR);
      expect(await sandbox.control.message(id)).toMatchObject({ status: 'failed', failureCode: 'session_closed' });
      // The number can be linked again, under a new registration id.
      expect(await client.linkDevice(sandbox.control, DEVICE)).not.toBe(registrationId);
    });

    it('a device whose phone lost its connection is listed as disconnected and refuses sends until it is back', async () => {
      const [session] = await sandbox.control.sessions('wamessage', USER);
      await sandbox.control.request('POST', `/sessions/${session!.id}/disconnect`);
      expect((await client.get('/whatsapp/devices')).json).toMatchObject({
        data: [{ registration_id: registrationId, status: 'disconnected', connected: false }],
      });
      const send = () => client.json('POST', '/whatsapp/sendmessage/multi', { reg_id: registrationId, contacts: '905321234567', message: 'x' });
      expect(await send()).toMatchObject({ status: 409, json: { description: 'Cihaz bağlı değil' } });
      await sandbox.control.request('POST', `/sessions/${session!.id}/reconnect`);
      await sandbox.control.advance(5_000);
      expect((await send()).status).toBe(200);
    });

    it('refuses login/code for a number that is already linked', async () => {
      const again = await client.json('POST', '/whatsapp/login/code', { phone: DEVICE });
      expect(again).toMatchObject({ status: 409, json: { status: false, description: 'Bu numara zaten bağlı' } });
    });

    it('pages devices by 10 with page=1, 2; page=-1 lists all', async () => {
      for (let n = 1; n <= 10; n++) await client.linkDevice(sandbox.control, `90555000${String(n).padStart(4, '0')}`);
      const count = async (page: string) => ((await client.get(`/whatsapp/devices?page=${page}`)).json as { data: unknown[] }).data.length;
      expect([await count('-1'), await count('1'), await count('2'), await count('3')]).toEqual([11, 10, 1, 0]);
    });
  });

  it('asking login/code twice for a waiting number gives a new code for the same registrationId; the old code stops working; codes expire after 3 minutes', async () => {
    await client.signUp(USER);
    const ask = async () =>
      ((await client.json('POST', '/whatsapp/login/code', { phone: DEVICE })).json as { data: { code: string; registrationId: number } }).data;
    const first = await ask();
    await sandbox.control.advance(1_000);
    const second = await ask();
    expect(second.registrationId).toBe(first.registrationId);
    expect(second.code).not.toBe(first.code);
    await expect(sandbox.control.pair(first.code, DEVICE)).rejects.toThrow(/no session is waiting for this code/);
    await sandbox.control.advance(3 * 60_000);
    const check = await client.get(`/whatsapp/ws/logincontrol?registrationId=${second.registrationId}&phone=${DEVICE}`);
    expect(check.json).toMatchObject({ description: 'Kodun süresi doldu, yeni kod isteyin', data: { connected: false, status: 'code_expired' } });
    await expect(sandbox.control.pair(second.code, DEVICE)).rejects.toThrow(/expired/);
    const third = await ask();
    expect(third.registrationId).toBe(first.registrationId);
    await sandbox.control.pair(third.code, DEVICE);
  });
});
