import type { FastifyRequest } from 'fastify';
import type { Account, WhatsAppEngine } from '#engine';
import { tokenSettingsFromEnv, TokenIssuer } from './wamessage.auth.js';
import { unauthorized } from './wamessage.errors.js';
import { WAMESSAGE, WAMESSAGE_USER, type UserState } from './wamessage.profile.js';

const BEARER = /^Bearer\s+(\S+)\s*$/i;

const issuers = new WeakMap<WhatsAppEngine, TokenIssuer>();

/** The engine's one token issuer: login signs with it, authentication verifies with it, on the engine's clock. */
export function tokenIssuerOf(engine: WhatsAppEngine): TokenIssuer {
  let issuer = issuers.get(engine);
  if (!issuer) {
    issuer = new TokenIssuer(tokenSettingsFromEnv(process.env), () => engine.clock.now());
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

/** The user behind an `Authorization: Bearer` header; anything else is refused with 401. */
export async function authenticate(request: FastifyRequest, engine: WhatsAppEngine): Promise<Account> {
  const header = request.headers.authorization;
  const token = header === undefined ? undefined : BEARER.exec(header)?.[1];
  if (!token) {
    throw unauthorized('Yetkilendirme gerekli: Authorization başlığında Bearer token gönderin', header ? 'the Authorization header is not "Bearer <token>"' : 'no Authorization header');
  }
  const check = await tokenIssuerOf(engine).verify(token);
  if (!check.ok) {
    if (check.problem === 'expired') throw unauthorized('Oturum süresi doldu, lütfen tekrar giriş yapın', check.reason);
    throw unauthorized('Geçersiz token', check.reason);
  }
  const account = await engine.accounts.find(WAMESSAGE, check.claims.phone);
  if (!account || userOf(account)?.userId !== check.claims.user_id) throw unauthorized('Geçersiz token', "the token's user does not exist (was the sandbox reset?)");
  return account;
}
