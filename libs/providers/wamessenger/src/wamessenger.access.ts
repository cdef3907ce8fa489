import type { FastifyRequest } from 'fastify';
import type { Account, WhatsAppEngine } from '#engine';
import { pathParam } from '#http';
import { badRequest } from './wamessenger.errors.js';
import { WAMESSENGER } from './wamessenger.profile.js';

/** The account behind the api key in the path (`…/sendMessage/{apikey}`); WaMessenger refuses any other as a Bad Request. */
export async function authenticate(request: FastifyRequest, engine: WhatsAppEngine): Promise<Account> {
  const lookup = await engine.accounts.resolve(WAMESSENGER, pathParam(request, 'apikey'));
  if (!lookup.ok) throw badRequest(lookup.reason);
  return lookup.account;
}
