import type { FastifyRequest } from 'fastify';
import type { Account, WhatsAppEngine } from '#engine';
import { parseAuthorization } from './devino.dto.js';
import { unauthorized } from './devino.errors.js';
import { DEVINO } from './devino.profile.js';

/** The account behind `Authorization: Key <api key>`; Devino refuses anything else with 401. */
export async function authenticate(request: FastifyRequest, engine: WhatsAppEngine): Promise<Account> {
  const lookup = await engine.accounts.resolve(DEVINO, parseAuthorization(request.headers.authorization));
  if (!lookup.ok) throw unauthorized(lookup.reason);
  return lookup.account;
}
