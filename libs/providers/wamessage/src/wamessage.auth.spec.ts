import { SignJWT, UnsecuredJWT } from 'jose';
import { DEFAULT_TOKEN_TTL_SECONDS, hashPassword, TokenIssuer, tokenSettingsFromEnv, verifyPassword } from './wamessage.auth.js';

describe('passwords', () => {
  test('are stored as salted scrypt hashes and verified', async () => {
    const first = await hashPassword('gizli-sifre');
    const second = await hashPassword('gizli-sifre');
    expect(first).toMatch(/^scrypt\$[\w-]+\$[\w-]+$/);
    expect(first).not.toContain('gizli-sifre');
    expect(first).not.toBe(second);
    expect(await verifyPassword('gizli-sifre', first)).toBe(true);
    expect(await verifyPassword('gizli-sifrE', first)).toBe(false);
    expect(await verifyPassword('gizli-sifre', undefined)).toBe(false);
    expect(await verifyPassword('gizli-sifre', 'plain-text')).toBe(false);
  });
});

describe('tokens on the engine clock', () => {
  const secret = new TextEncoder().encode('test-secret');
  let now = Date.UTC(2026, 0, 1, 9, 0, 0, 500);
  const unused = () => Promise.reject(new Error('a configured secret is used, never the stored one'));
  const issuer = new TokenIssuer({ secret, ttlSeconds: 3600 }, () => now, unused);

  test('carry user_id and exp, and expire when the clock passes exp', async () => {
    now = Date.UTC(2026, 0, 1, 9, 0, 0, 500);
    const { token, expiresAt } = await issuer.issue({ user_id: 7, phone: '905321112233' });
    const payload = JSON.parse(Buffer.from(token.split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(payload).toEqual({ user_id: 7, phone: '905321112233', iat: 1767258000, exp: 1767261600 });
    expect(expiresAt).toBe(1767261600_000);
    now += 3_598_000;
    expect(await issuer.verify(token)).toEqual({ ok: true, claims: { user_id: 7, phone: '905321112233' } });
    now += 2_000;
    expect(await issuer.verify(token)).toMatchObject({ ok: false, problem: 'expired' });
  });

  test('refuse another secret, alg none, a changed payload and junk', async () => {
    now = Date.UTC(2026, 0, 1, 9, 0, 0);
    const iat = Math.floor(now / 1000);
    const claims = { user_id: 7, phone: '905321112233' };
    const other = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .sign(new TextEncoder().encode('other'));
    const none = new UnsecuredJWT(claims)
      .setIssuedAt(iat)
      .setExpirationTime(iat + 60)
      .encode();
    const { token } = await issuer.issue(claims);
    const [header, , signature] = token.split('.');
    const changed = `${header}.${Buffer.from(JSON.stringify({ ...claims, user_id: 8, iat, exp: iat + 60 })).toString('base64url')}.${signature}`;
    for (const forged of [other, none, changed, 'not-a-jwt', `${header}..`]) {
      expect(await issuer.verify(forged)).toMatchObject({ ok: false, problem: 'invalid' });
    }
  });

  test('without a configured secret, sign with the stored one: a token outlives the issuer (a restart)', async () => {
    const stored = new TextEncoder().encode('kept-in-the-store');
    const settings = tokenSettingsFromEnv({});
    const { token } = await new TokenIssuer(
      settings,
      () => now,
      async () => stored,
    ).issue({ user_id: 7, phone: '905321112233' });
    expect(
      await new TokenIssuer(
        settings,
        () => now,
        async () => stored,
      ).verify(token),
    ).toMatchObject({ ok: true });
    expect(
      await new TokenIssuer(
        settings,
        () => now,
        async () => new TextEncoder().encode('after a reset'),
      ).verify(token),
    ).toMatchObject({ ok: false, problem: 'invalid' });
  });

  test('settings come from the environment, with no secret (the stored one) and a day-long lifetime by default', () => {
    const defaults = tokenSettingsFromEnv({});
    expect(defaults).toEqual({ secret: undefined, ttlSeconds: DEFAULT_TOKEN_TTL_SECONDS });
    const configured = tokenSettingsFromEnv({ WAMESSAGE_JWT_SECRET: 'shared', WAMESSAGE_TOKEN_TTL_SECONDS: '60' });
    expect(configured).toEqual({ secret: new TextEncoder().encode('shared'), ttlSeconds: 60 });
    expect(() => tokenSettingsFromEnv({ WAMESSAGE_TOKEN_TTL_SECONDS: 'soon' })).toThrow(/WAMESSAGE_TOKEN_TTL_SECONDS/);
  });
});
