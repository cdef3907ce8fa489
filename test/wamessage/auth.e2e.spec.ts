import { SignJWT, UnsecuredJWT } from 'jose';
import { WhatsAppEngine } from '#engine';
import { startSandbox, type RunningSandbox, useSandbox } from '../support/sandbox.js';
import { WamessageClient } from './wamessage-client.js';

const OWNER = '905321112233';
const OTHER = '905321112244';
const DEVICE = '905551112233';
const DAY = 24 * 3_600_000;

const MISSING = { status: false, code: 401, description: 'Yetkilendirme gerekli: Authorization başlığında Bearer token gönderin', data: null };
const INVALID = { status: false, code: 401, description: 'Geçersiz token', data: null };
const EXPIRED = { status: false, code: 401, description: 'Oturum süresi doldu, lütfen tekrar giriş yapın', data: null };

describe('Wamessage users and tokens', () => {
  let owner: WamessageClient;
  let registrationId: number;

  const sandbox = useSandbox();
  beforeEach(async () => {
    owner = new WamessageClient(`${sandbox.origin}/wamessage`);
    await owner.signUp(OWNER);
    registrationId = await owner.linkDevice(sandbox.control, DEVICE);
  });

  /** Every route behind the token, called with `authorization` as the header (none when undefined). */
  async function everyRoute(authorization: string | undefined) {
    const call = (method: string, path: string, body?: unknown) =>
      fetch(`${owner.base}${path}`, {
        method,
        headers: { ...(authorization === undefined ? {} : { authorization }), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      }).then(async (response) => ({ status: response.status, json: await response.json(), reason: response.headers.get('x-sandbox-error') }));
    return Promise.all([
      call('POST', '/whatsapp/login/code', { phone: '905559998877' }),
      call('GET', `/whatsapp/ws/logincontrol?registrationId=${registrationId}`),
      call('GET', '/whatsapp/devices?page=-1'),
      call('POST', '/whatsapp/sendmessage/multi', { reg_id: registrationId, contacts: '905321234567', message: 'x' }),
      call('POST', '/whatsapp/logout', { reg_id: registrationId }),
    ]);
  }

  async function expectRefused(authorization: string | undefined, body: object) {
    const answers = await everyRoute(authorization);
    expect(answers.map(({ status, json }) => ({ status, json }))).toEqual(answers.map(() => ({ status: 401, json: body })));
    return answers.map((answer) => answer.reason);
  }

  it('refuses requests without a token, or with another scheme', async () => {
    expect(await expectRefused(undefined, MISSING)).toEqual(Array(5).fill('no Authorization header'));
    await expectRefused(`Basic ${Buffer.from(`${OWNER}:gizli-sifre-1`).toString('base64')}`, MISSING);
    await expectRefused(owner.token, MISSING);
    await expectRefused('Bearer', MISSING);
  });

  it('refuses forged tokens: another secret, alg none, a changed payload, junk', async () => {
    const claims = { user_id: 1, phone: OWNER };
    const now = Math.floor((await sandbox.control.clock()).nowMs / 1000);
    const otherSecret = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .sign(new TextEncoder().encode('guessed-secret'));
    const none = new UnsecuredJWT(claims)
      .setIssuedAt(now)
      .setExpirationTime(now + 3600)
      .encode();
    const [header, payload, signature] = owner.token.split('.') as [string, string, string];
    const longer = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload, 'base64url').toString()), exp: now + 365 * 86_400 })).toString('base64url');
    for (const forged of [otherSecret, none, `${header}.${longer}.${signature}`, 'abc.def.ghi', `${header}.${payload}.`]) {
      await expectRefused(`Bearer ${forged}`, INVALID);
    }
  });

  it('refuses a token once the clock passes its exp (24 h by default), and a new login works again', async () => {
    const login = await owner.json('POST', '/user/login', { phone: OWNER, password: 'gizli-sifre-1' });
    owner.token = (login.json as { token: string }).token;
    await sandbox.control.advance(DAY - 1_000);
    expect((await owner.get('/whatsapp/devices?page=-1')).status).toBe(200);
    await sandbox.control.advance(2_000);
    expect(await expectRefused(`Bearer ${owner.token}`, EXPIRED)).toEqual(Array(5).fill('the token has expired'));
    await owner.signIn(OWNER);
    expect((await owner.get('/whatsapp/devices?page=-1')).json).toMatchObject({ data: [{ registration_id: registrationId }] });
  });

  it('refuses a token whose user no longer exists (the sandbox was reset)', async () => {
    await sandbox.control.reset();
    await expectRefused(`Bearer ${owner.token}`, INVALID);
  });

  it('accepts "bearer" in any case', async () => {
    expect((await owner.get('/whatsapp/devices?page=-1', '')).status).toBe(401);
    const response = await fetch(`${owner.base}/whatsapp/devices?page=-1`, { headers: { authorization: `bearer  ${owner.token}` } });
    expect(response.status).toBe(200);
  });

  it("keeps users apart: another user neither sees nor uses the owner's device", async () => {
    const other = new WamessageClient(owner.base);
    await other.signUp(OTHER);
    expect((await other.get('/whatsapp/devices?page=-1')).json).toMatchObject({ data: [] });
    const notFound = { status: 404, json: { status: false, code: 404, description: 'Cihaz bulunamadı', data: null } };
    expect(await other.get(`/whatsapp/ws/logincontrol?registrationId=${registrationId}&phone=${DEVICE}`)).toMatchObject(notFound);
    expect(await other.json('POST', '/whatsapp/sendmessage/multi', { reg_id: registrationId, contacts: '905321234567', message: 'not mine' })).toMatchObject(
      notFound,
    );
    expect(await other.json('POST', '/whatsapp/logout', { reg_id: registrationId })).toMatchObject(notFound);
    // The other user may link the same number as a device of their own: a phone links several devices.
    const theirs = await other.linkDevice(sandbox.control, DEVICE);
    expect(theirs).not.toBe(registrationId);
    expect((await owner.get('/whatsapp/devices?page=-1')).json).toMatchObject({ data: [{ registration_id: registrationId, connected: true }] });
    expect(await owner.json('POST', '/whatsapp/logout', { reg_id: theirs })).toMatchObject(notFound);
  });

  it('stores passwords as salted hashes, one user per phone, and answers a wrong password like an unknown phone', async () => {
    const other = new WamessageClient(owner.base);
    await other.signUp(OTHER);
    const engine = sandbox.app.get(WhatsAppEngine);
    const hashes = await Promise.all([OWNER, OTHER].map(async (phone) => (await engine.accounts.find('wamessage', phone))!.settings.passwordHash as string));
    expect(hashes[0]).toMatch(/^scrypt\$/);
    expect(hashes[0]).not.toBe(hashes[1]);
    expect(JSON.stringify(await engine.accounts.list())).not.toContain('gizli-sifre-1');

    const again = await owner.json('POST', '/user/register', { phone: `+90 532 111 22 33`, password: 'baska-sifre' }, '');
    expect(again).toMatchObject({ status: 409, json: { status: false, code: 409, description: 'Bu telefon numarası zaten kayıtlı', data: null } });
    const wrong = await owner.json('POST', '/user/login', { phone: OWNER, password: 'yanlis-sifre' }, '');
    const unknown = await owner.json('POST', '/user/login', { phone: '905009998877', password: 'yanlis-sifre' }, '');
    expect(wrong.json).toEqual({ status: false, code: 401, description: 'Telefon numarası veya şifre hatalı', data: null });
    expect(unknown.json).toEqual(wrong.json);
  });
});

describe('Wamessage token settings from the environment', () => {
  it('WAMESSAGE_TOKEN_TTL_SECONDS sets the lifetime on the sandbox clock; WAMESSAGE_JWT_SECRET the signing key', async () => {
    process.env.WAMESSAGE_TOKEN_TTL_SECONDS = '60';
    process.env.WAMESSAGE_JWT_SECRET = 'shared-test-secret';
    let sandbox: RunningSandbox | undefined;
    try {
      sandbox = await startSandbox();
      const client = new WamessageClient(`${sandbox.origin}/wamessage`);
      await client.signUp(OWNER);
      const { nowMs } = await sandbox.control.clock();
      const now = Math.floor(nowMs / 1000);
      // A token this sandbox did not issue but signed with the shared secret is accepted: the secret is the key.
      const own = await new SignJWT({ user_id: 1, phone: OWNER })
        .setProtectedHeader({ alg: 'HS256' })
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(new TextEncoder().encode('shared-test-secret'));
      expect((await client.get('/whatsapp/devices', own)).status).toBe(200);
      await sandbox.control.advance(61_000);
      expect((await client.get('/whatsapp/devices')).json).toEqual(EXPIRED);
      expect((await client.get('/whatsapp/devices', own)).status).toBe(200);
    } finally {
      delete process.env.WAMESSAGE_TOKEN_TTL_SECONDS;
      delete process.env.WAMESSAGE_JWT_SECRET;
      await sandbox?.close();
    }
  });
});
