import { readFileSync } from 'node:fs';
import { send, type WireResponse } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';

/**
 * Every request in Wamessage's documentation, sent as the seed describes it with only the base URL changed,
 * in the seed's order: login, login/code, logincontrol, devices, sendmessage/multi, logout. The seed's
 * example registration id (1111111) exists only at the provider: the id login/code answered replaces it.
 */
const seed = JSON.parse(readFileSync('fixtures/examples/wamessage/seed-examples.json', 'utf8'));
const SEED_REGISTRATION_ID = '1111111';

interface Example {
  request: {
    method: string;
    path: string;
    encoding?: 'json' | 'form' | 'multipart';
    fields?: Record<string, string>;
    file?: { field: string; fixture: string; filename: string };
  };
}

describe('Wamessage seed examples, with only the base URL changed', () => {
  const sandbox = useSandbox({ provider: 'wamessage', reset: false });

  /** Sends an example as its encoding says, with the Bearer token, the sandbox's registration id in place of the seed's. */
  function call(example: Example, token: string, registrationId = SEED_REGISTRATION_ID): Promise<WireResponse> {
    const { method, path, encoding, fields = {}, file } = example.request;
    const values = Object.fromEntries(Object.entries(fields).map(([name, value]) => [name, value === SEED_REGISTRATION_ID ? registrationId : value]));
    const headers: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    const url = sandbox.base + path.replace(SEED_REGISTRATION_ID, registrationId);
    if (encoding === 'json') return send(url, { method, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify(values) });
    if (encoding === 'form') return send(url, { method, headers, body: new URLSearchParams(values) });
    if (encoding === 'multipart') {
      const form = new FormData();
      for (const [name, value] of Object.entries(values)) form.append(name, value);
      if (file) form.append(file.field, new Blob([readFileSync(file.fixture)]), file.filename);
      return send(url, { method, headers, body: form });
    }
    return send(url, { method, headers });
  }

  it('follows the documented flow end to end', async () => {
    const { phone, password } = seed.login.request.fields as { phone: string; password: string };
    // The undocumented sign-up the seed asks for first ("hesabımız yoksa kayıt olmalıyız").
    expect(
      (
        await send(`${sandbox.base}/user/register`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ phone, password }),
        })
      ).status,
    ).toBe(201);

    const login = await call(seed.login, '');
    expect(login.status).toBe(200);
    const token = (login.json as { token: string }).token;
    expect(token.split('.')).toHaveLength(3);

    const code = await call(seed.loginCode, token);
    expect(code.json).toMatchObject({ status: true, data: { code: expect.stringMatching(/^[1-9A-HJ-NP-TV-Z]{8}$/), registrationId: expect.any(Number) } });
    const { code: pairingCode, registrationId } = (code.json as { data: { code: string; registrationId: number } }).data;
    const id = String(registrationId);

    expect((await call(seed.loginControl, token, id)).json).toMatchObject({ data: { connected: false } });
    // The seed's phone types the code in WhatsApp › Linked devices › Link with phone number.
    await sandbox.control.pair(pairingCode, phone);
    await sandbox.control.advance(5_000);
    expect((await call(seed.loginControl, token, id)).json).toMatchObject({ data: { registrationId, connected: true } });

    const devices = await call(seed.devices, token, id);
    expect(devices.json).toMatchObject({ status: true, data: [{ registration_id: registrationId, phone, connected: true }] });

    const sent = await call(seed.sendMulti, token, id);
    expect(sent.status).toBe(200);
    expect(sent.json).toMatchObject({
      description: 'Mesaj gönderildi',
      data: { contacts: seed.sendMulti.request.fields.contacts, message: 'Merhaba', send_time: null, file: { name: 'dosya.pdf', mime: 'application/pdf' } },
    });

    const client = await call(seed.clientSend, token, id);
    const body = client.json as { description: string; data: { contacts: string; message: string } };
    expect([client.status, body.description, body.data.contacts, body.data.message]).toEqual([
      200,
      seed.clientSend.reads.description,
      '+994501234567',
      'Salam',
    ]);

    expect((await call(seed.logout, token, id)).json).toMatchObject({ status: true, data: { registrationId, phone } });
    expect((await call(seed.devices, token, id)).json).toMatchObject({ data: [] });
  });
});
