import { randomBytes, scrypt, timingSafeEqual, type BinaryLike, type ScryptOptions } from 'node:crypto';

/**
 * Passwords are kept as `scrypt$<salt>$<hash>` (base64url), never in clear; tokens are HS256 JWTs
 * whose `iat`/`exp` are engine-clock times, so advancing the sandbox clock expires them.
 */

const KEY_LENGTH = 32;
const SALT_BYTES = 16;
// Node's defaults (N=16384, r=8, p=1): about 50 ms a hash, enough to make guessing slow.
const SCRYPT_OPTIONS: ScryptOptions = { N: 16_384, r: 8, p: 1 };

function derive(password: BinaryLike, salt: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password, salt, KEY_LENGTH, SCRYPT_OPTIONS, (error, key) => (error ? reject(error) : resolve(key)));
  });
}

export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const hash = await derive(password, salt);
  return `scrypt$${salt.toString('base64url')}$${hash.toString('base64url')}`;
}

/** A hash for unknown users, so a login for a phone nobody registered costs as much as a wrong password. */
const UNKNOWN_USER_HASH = `scrypt$${randomBytes(SALT_BYTES).toString('base64url')}$${randomBytes(KEY_LENGTH).toString('base64url')}`;

/** Compares in constant time; a stored value that is not a scrypt hash never matches. */
export async function verifyPassword(password: string, stored: string | undefined): Promise<boolean> {
  const [scheme, salt, hash] = (stored ?? UNKNOWN_USER_HASH).split('$');
  if (scheme !== 'scrypt' || !salt || !hash) return false;
  const expected = Buffer.from(hash, 'base64url');
  const actual = await derive(password, Buffer.from(salt, 'base64url'));
  return stored !== undefined && expected.length === actual.length && timingSafeEqual(expected, actual);
}

export interface TokenClaims {
  user_id: number;
  /** The user's login phone: the engine account key. */
  phone: string;
}

export type TokenCheck = { ok: true; claims: TokenClaims } | { ok: false; problem: 'expired' | 'invalid'; reason: string };

export interface TokenSettings {
  /** WAMESSAGE_JWT_SECRET; undefined = the issuer's stored secret. */
  secret: Uint8Array | undefined;
  ttlSeconds: number;
}

/** Environment variables read once at start; the lead may fold them into the sandbox config. */
export const JWT_SECRET_ENV = 'WAMESSAGE_JWT_SECRET';
export const TOKEN_TTL_ENV = 'WAMESSAGE_TOKEN_TTL_SECONDS';
export const DEFAULT_TOKEN_TTL_SECONDS = 24 * 60 * 60;

export function tokenSettingsFromEnv(env: NodeJS.ProcessEnv): TokenSettings {
  const secret = env[JWT_SECRET_ENV];
  const ttl = env[TOKEN_TTL_ENV];
  let ttlSeconds = DEFAULT_TOKEN_TTL_SECONDS;
  if (ttl !== undefined && ttl !== '') {
    if (!/^\d{1,9}$/.test(ttl.trim()) || Number(ttl) < 1) throw new Error(`invalid ${TOKEN_TTL_ENV} "${ttl}": expected a positive number of seconds`);
    ttlSeconds = Number(ttl);
  }
  return { secret: secret ? new TextEncoder().encode(secret) : undefined, ttlSeconds };
}

// Imported on the first login or token check, not at start-up, where importing jose took about 30 ms.
let joseModule: Promise<typeof import('jose')> | undefined;
const loadJose = () => (joseModule ??= import('jose'));

export class TokenIssuer {
  constructor(
    private readonly settings: TokenSettings,
    private readonly now: () => number,
    /**
     * The secret without a configured one: kept in the engine's store, so on a durable store a token
     * outlives a restart (a per-process secret refused every token a killed sandbox had issued).
     */
    private readonly storedSecret: () => Promise<Uint8Array>,
  ) {}

  private async signingSecret(): Promise<Uint8Array> {
    return this.settings.secret ?? (await this.storedSecret());
  }

  get ttlSeconds(): number {
    return this.settings.ttlSeconds;
  }

  /** A signed token and its expiry (clock ms). */
  async issue(claims: TokenClaims): Promise<{ token: string; expiresAt: number }> {
    const issuedAt = Math.floor(this.now() / 1000);
    const expiresAt = issuedAt + this.settings.ttlSeconds;
    const { SignJWT } = await loadJose();
    const token = await new SignJWT({ user_id: claims.user_id, phone: claims.phone })
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .setIssuedAt(issuedAt)
      .setExpirationTime(expiresAt)
      .sign(await this.signingSecret());
    return { token, expiresAt: expiresAt * 1000 };
  }

  async verify(token: string): Promise<TokenCheck> {
    const { errors, jwtVerify } = await loadJose();
    try {
      const { payload } = await jwtVerify(token, await this.signingSecret(), {
        algorithms: ['HS256'],
        currentDate: new Date(this.now()),
        requiredClaims: ['exp', 'user_id', 'phone'],
      });
      const { user_id: userId, phone } = payload;
      if (typeof userId !== 'number' || typeof phone !== 'string') return { ok: false, problem: 'invalid', reason: 'the token claims are malformed' };
      return { ok: true, claims: { user_id: userId, phone } };
    } catch (error) {
      if (error instanceof errors.JWTExpired) return { ok: false, problem: 'expired', reason: 'the token has expired' };
      if (error instanceof errors.JOSEError) return { ok: false, problem: 'invalid', reason: `the token is not valid: ${error.code}` };
      throw error;
    }
  }
}
