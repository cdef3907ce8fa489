import { KB, MB, type Account, type WhatsAppEngine } from '#engine';
import type { ProviderAccess } from '#http';
import { tokenSettingsFromEnv, TokenIssuer } from './wamessage.auth.js';
import { fallbackError, rateLimited, serverError, unauthorized, unreadableBody } from './wamessage.errors.js';
import { WAMESSAGE, WAMESSAGE_USER, type UserState } from './wamessage.profile.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

const issuers = new WeakMap<WhatsAppEngine, TokenIssuer>();

/** The engine's one token issuer: login signs with it, authentication verifies with it, on the engine's clock. */
export function tokenIssuerOf(engine: WhatsAppEngine): TokenIssuer {
  let issuer = issuers.get(engine);
  if (!issuer) {
    issuer = new TokenIssuer(
      tokenSettingsFromEnv(process.env),
      () => engine.clock.now(),
      () => engine.secret('wamessage.jwt'),
    );
    issuers.set(engine, issuer);
  }
  return issuer;
}

/** A user a sign-up made: what the account keeps about it, with its id and password hash. */
export type User = UserState & { userId: number; passwordHash: string };

/** The user an account is, if a sign-up made it. */
export function userOf(account: Account): User | undefined {
  const user = WAMESSAGE_USER.read(account.settings);
  const { userId, passwordHash } = user;
  return userId !== null && passwordHash !== null ? { ...user, userId, passwordHash } : undefined;
}

export const wamessageAccess: ProviderAccess = {
  /** Bytes of a body's fields (the uploaded file has its own limit). The seed names none: its fields are short texts. */
  bodyLimit: 2 * MB,
  /** Request line and headers: past Node's 16 KB, as for every provider; the seed names no limit. */
  requestHeadLimit: 64 * KB,
  /** The user behind an `Authorization: Bearer` header; anything else is refused with 401. */
  async authenticate(request, engine) {
    const header = request.headers.authorization;
    const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
    if (!token) {
      throw unauthorized(
        'Yetkilendirme gerekli: Authorization başlığında Bearer token gönderin',
        header ? 'the Authorization header is not "Bearer <token>"' : 'no Authorization header',
      );
    }
    const check = await tokenIssuerOf(engine).verify(token);
    if (!check.ok) {
      if (check.problem === 'expired') throw unauthorized('Oturum süresi doldu, lütfen tekrar giriş yapın', check.reason);
      throw unauthorized('Geçersiz token', check.reason);
    }
    const account = await engine.accounts.find(WAMESSAGE, check.claims.phone);
    if (!account || userOf(account)?.userId !== check.claims.user_id)
      throw unauthorized('Geçersiz token', "the token's user does not exist (was the sandbox reset?)");
    return account;
  },
  unreadableBody,
  fallbackError,
  serverError,
  rateLimited,
};
