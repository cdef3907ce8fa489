import { PNG } from 'pngjs';
import QRCode from 'qrcode';
import { useMaytapi } from './use-maytapi.js';

/** The phone's session on the engine, as Maytapi shows it: status flags, listPhones, QR code, screen, status webhooks. */
describe('Maytapi phone sessions', () => {
  const sandbox = useMaytapi({ product: 'product-1', key: 'token-1' });

  /** A new phone, past its start-up (1–3 s of loading), on its QR screen. */
  async function addPhone(): Promise<{ phoneId: number; sessionId: string }> {
    const phoneId = (await sandbox.client.post('/addPhone')).json.id as number;
    await sandbox.control.advance(3_000);
    const session = (await sandbox.control.sessions('maytapi', sandbox.client.productId)).find((s) => s.label === String(phoneId))!;
    return { phoneId, sessionId: session.id };
  }
  const status = async (phoneId: number) => (await sandbox.client.get(`/${phoneId}/status`)).json.status;
  const flags = (s: Record<string, unknown>) => (['loggedIn', 'isQr', 'loading', 'connRetry'] as const).filter((f) => s[f]).join('+');
  const listed = async (phoneId: number) =>
    ((await sandbox.client.get('/listPhones')).json as Array<{ id: number; status: string }>).find((p) => p.id === phoneId)?.status;
  const screen = async (phoneId: number) => {
    const response = await sandbox.client.get(`/${phoneId}/screen`);
    expect(response.contentType).toBe('image/png');
    return PNG.sync.read(response.bytes);
  };
  const statusHooks = () =>
    sandbox.receiver.accepted.map((r) => r.json as { type: string; status?: string; phone_id?: number }).filter((b) => b.type === 'status');

  it('reports every step truthfully: QR, loading, logged in, connection retry, loading again, logged in, logout', async () => {
    const { phoneId, sessionId } = await addPhone();
    const steps: Array<[string, string | undefined, string]> = [];
    const record = async (label: string) => {
      const s = await status(phoneId);
      steps.push([flags(s), await listed(phoneId), `${label}:${s.state.state}`]);
    };
    await record('new');
    await sandbox.control.scan(sessionId, '905309876543');
    await record('scanned');
    await sandbox.control.advance(5_000);
    await record('loaded');
    await sandbox.control.request('POST', `/sessions/${sessionId}/disconnect`);
    await record('disconnected');
    await sandbox.control.request('POST', `/sessions/${sessionId}/reconnect`);
    await record('reconnecting');
    await sandbox.control.advance(5_000);
    await record('reconnected');
    expect((await sandbox.client.get(`/${phoneId}/logout`)).json).toEqual({ success: true });
    await record('logged out');
    expect(steps).toEqual([
      ['isQr', 'qr-code', 'new:UNPAIRED'],
      ['loading', 'loading', 'scanned:OPENING'],
      ['loggedIn', 'active', 'loaded:CONNECTED'],
      ['connRetry', 'phone-error', 'disconnected:TIMEOUT'],
      ['loading', 'loading', 'reconnecting:OPENING'],
      ['loggedIn', 'active', 'reconnected:CONNECTED'],
      ['isQr', 'qr-code', 'logged out:UNPAIRED'],
    ]);
    expect(statusHooks().map((b) => [b.phone_id, b.status])).toEqual(
      ['loading', 'qr-code', 'loading', 'active', 'phone-error', 'loading', 'active', 'qr-code'].map((s) => [phoneId, s]),
    );
    expect((await sandbox.client.get('/listPhones')).json).toEqual([{ id: phoneId, number: null, status: 'qr-code' }]);
  });

  it('turns idle after 3 minutes on the QR screen, and a restart brings a fresh QR screen', async () => {
    const { phoneId, sessionId } = await addPhone();
    const qrSince = Date.parse((await sandbox.control.session(sessionId)).stateSince);
    await sandbox.control.advance(qrSince + 3 * 60_000 - (await sandbox.control.clock()).nowMs - 1);
    expect(await listed(phoneId)).toBe('qr-code');
    await sandbox.control.advance(1);
    expect(await listed(phoneId)).toBe('idle');
    expect(await status(phoneId)).toMatchObject({ isQr: true, state: { state: 'UNPAIRED_IDLE' } });
    expect((await sandbox.client.post(`/${phoneId}/restart`)).json).toEqual({ success: true });
    expect(await listed(phoneId)).toBe('qr-code');
  });

  it('serves the QR code the sandbox shows as a PNG that encodes exactly that payload, and a new one after 20 s', async () => {
    const { phoneId, sessionId } = await addPhone();
    const first = await sandbox.client.get(`/${phoneId}/qrCode`);
    expect(first.status).toBe(200);
    expect(first.contentType).toBe('image/png');
    expect(first.bytes.subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
    const payload = (await sandbox.control.session(sessionId)).qr!.payload;
    expect(readQr(first.bytes)).toEqual(qrMatrix(payload));

    await sandbox.control.advance(20_000);
    const rotated = await sandbox.client.get(`/${phoneId}/qrCode`);
    const next = (await sandbox.control.session(sessionId)).qr!.payload;
    expect(next).not.toBe(payload);
    expect(readQr(rotated.bytes)).toEqual(qrMatrix(next));
    expect(rotated.bytes.equals(first.bytes)).toBe(false);

    await sandbox.control.scan(sessionId);
    const gone = await sandbox.client.get(`/${phoneId}/qrCode`);
    expect(gone.status).toBe(400);
    expect(gone.json).toEqual({ success: false, message: `Phone ${phoneId} is not on the QR code screen (status: loading)` });
  });

  it('shows a screen that differs per state, with the live QR code on the QR screen', async () => {
    const { phoneId, sessionId } = await addPhone();
    const qrScreen = await screen(phoneId);
    expect([qrScreen.width, qrScreen.height]).toEqual([480, 360]);
    // The QR screen carries the current code: its modules are drawn at 4 px from (24 + 16, top + 16).
    const payload = (await sandbox.control.session(sessionId)).qr!.payload;
    const matrix = qrMatrix(payload);
    const side = (matrix.length + 8) * 4;
    const top = 68 + Math.floor((360 - 80 - side) / 2);
    const drawn = matrix.map((row, r) => row.map((_dark, c) => isDark(qrScreen, 24 + (c + 4) * 4 + 2, top + (r + 4) * 4 + 2)));
    expect(drawn).toEqual(matrix);

    await sandbox.control.scan(sessionId);
    const loading = await screen(phoneId);
    await sandbox.control.advance(5_000);
    const chats = await screen(phoneId);
    await sandbox.control.request('POST', `/sessions/${sessionId}/disconnect`);
    const retrying = await screen(phoneId);
    const images = [qrScreen, loading, chats, retrying].map((image) => image.data.toString('base64'));
    expect(new Set(images).size).toBe(4);
  });

  it('backs up a logged-in session and restores it on a phone without a scan; a logout revokes the backup', async () => {
    const first = await addPhone();
    await sandbox.control.scan(first.sessionId, '905309876543');
    await sandbox.control.advance(5_000);
    const backup = await sandbox.client.post(`/${first.phoneId}/backup`);
    expect(backup.json).toEqual({
      success: true,
      data: { WABrowserId: expect.any(String), debugCursor: expect.any(String), 'remember-me': 'true', 'whatsapp-mutex': '"905309876543"' },
    });
    expect((await sandbox.client.get(`/${first.phoneId}/backup`)).status).toBe(200);

    // A second phone, still on its QR screen, logs in from the backup: loading, then the backed-up number.
    const second = await addPhone();
    expect((await sandbox.client.post(`/${second.phoneId}/restore`, backup.json.data)).json).toEqual({ success: true });
    expect(await status(second.phoneId)).toMatchObject({ loading: true, isQr: false });
    await sandbox.control.advance(5_000);
    expect(await status(second.phoneId)).toMatchObject({ loggedIn: true, number: '905309876543' });

    // The seed's form of the body (the storage keys themselves) works too, and so does a wrapped `data`.
    await sandbox.client.get(`/${second.phoneId}/logout`);
    expect((await sandbox.client.post(`/${second.phoneId}/restore`, { data: backup.json.data })).json).toEqual({ success: true });

    await sandbox.client.post(`/${first.phoneId}/logout`);
    const revoked = await sandbox.client.post(`/${second.phoneId}/restore`, backup.json.data);
    expect(revoked.status).toBe(400);
    expect(revoked.json).toEqual({ success: false, message: 'The backup data is not valid anymore: the phone logged out after it was taken' });
    const forged = await sandbox.client.post(`/${second.phoneId}/restore`, { ...backup.json.data, WABrowserId: '"forged.token"' });
    expect(forged.json).toEqual({ success: false, message: 'The backup data is not valid' });
    expect((await sandbox.client.get(`/${first.phoneId}/backup`)).json).toEqual({
      success: false,
      message: `Phone ${first.phoneId} is not logged in (status: qr-code): backup needs an active session`,
    });
  });

  it('redeploys and restarts a logged-in phone: it loads again, then is logged in without a new scan', async () => {
    const { phoneId, sessionId } = await addPhone();
    await sandbox.control.scan(sessionId);
    await sandbox.control.advance(5_000);
    expect((await sandbox.client.get(`/${phoneId}/redeploy`)).json).toEqual({ success: true, message: `Phone ${phoneId} is restarted.` });
    expect(flags(await status(phoneId))).toBe('loading');
    await sandbox.control.advance(5_000);
    expect(flags(await status(phoneId))).toBe('loggedIn');
    expect((await sandbox.client.get(`/${phoneId}/restart`)).json).toEqual({ success: true });
    await sandbox.control.advance(5_000);
    expect(flags(await status(phoneId))).toBe('loggedIn');
  });

  it('respects phone_limit', async () => {
    for (let i = 0; i < 5; i++) expect((await sandbox.client.post('/addPhone', i === 0 ? { number: '905301112233' } : {})).status).toBe(200);
    const over = await sandbox.client.post('/addPhone');
    expect(over.status).toBe(400);
    expect(over.json).toEqual({ success: false, message: 'Phone limit reached: this product can have 5 phones' });
    expect(((await sandbox.client.get('/listPhones')).json as unknown[]).length).toBe(5);
    expect(((await sandbox.client.get('/listPhones')).json as Array<{ number: string | null }>)[0]!.number).toBe('905301112233');
  });
});

function qrMatrix(payload: string): boolean[][] {
  const { modules } = QRCode.create(payload, { errorCorrectionLevel: 'L' });
  return Array.from({ length: modules.size }, (_, r) => Array.from({ length: modules.size }, (_, c) => Boolean(modules.get(r, c))));
}

/** Reads the module grid back out of a served QR image: 4 px modules inside a 4-module quiet zone. */
function readQr(bytes: Buffer): boolean[][] {
  const image = PNG.sync.read(bytes);
  const size = image.width / 4 - 8;
  expect(image.height).toBe(image.width);
  return Array.from({ length: size }, (_, r) => Array.from({ length: size }, (_, c) => isDark(image, (c + 4) * 4 + 2, (r + 4) * 4 + 2)));
}

function isDark(image: PNG, x: number, y: number): boolean {
  const at = (y * image.width + x) * 4;
  return image.data[at]! + image.data[at + 1]! + image.data[at + 2]! < 3 * 128;
}
