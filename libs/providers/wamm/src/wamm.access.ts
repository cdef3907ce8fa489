import type { FastifyRequest } from 'fastify';
import type { Account, WhatsAppEngine } from '#engine';
import { pathParam } from '#http';
import { ERR, wammError } from './wamm.errors.js';
import { WAMM } from './wamm.profile.js';

/**
 * Tokens starting with this answer "acc not authorized": the account exists but its WhatsApp is not
 * connected (scanned) in WAMM's web settings. Any client reaches it by changing only its token.
 */
export const UNAUTHORIZED_TOKEN_PREFIX = 'unauthorized';

/** The account behind the token in the path (`…/api2/{method}/{token}/`), whose WhatsApp must be connected. */
export async function authenticate(request: FastifyRequest, engine: WhatsAppEngine): Promise<Account> {
  const token = pathParam(request, 'token');
  const lookup = await engine.accounts.resolve(WAMM, token);
  if (!lookup.ok) throw wammError(ERR.tokenFail, lookup.reason);
  if (token.toLowerCase().startsWith(UNAUTHORIZED_TOKEN_PREFIX)) {
    throw wammError(ERR.accNotAuthorized, `tokens starting with "${UNAUTHORIZED_TOKEN_PREFIX}" belong to an account whose WhatsApp is not connected`);
  }
  return lookup.account;
}

/** WAMM's only body is file_from_base64's form. */
export function unreadableBody(problem: string) {
  return wammError(ERR.urlFail, `the form could not be read: ${problem}`);
}
