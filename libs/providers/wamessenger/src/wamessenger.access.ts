import { KB, MB } from '#engine';
import { pathParam, type ProviderAccess } from '#http';
import { badRequest, fallbackError, rateLimited, serverError } from './wamessenger.errors.js';
import { WAMESSENGER } from './wamessenger.profile.js';

export const wamessengerAccess: ProviderAccess = {
  /** The seed names no limit: its requests carry texts and media links, far below this. */
  bodyLimit: 2 * MB,
  /** Request line and headers: past Node's 16 KB, as for every provider; the seed names no limit. */
  requestHeadLimit: 64 * KB,
  /** The account behind the api key in the path (`…/sendMessage/{apikey}`); WaMessenger refuses any other as a Bad Request. */
  async authenticate(request, engine) {
    const lookup = await engine.accounts.resolve(WAMESSENGER, pathParam(request, 'apikey'));
    if (!lookup.ok) throw badRequest(lookup.reason);
    return lookup.account;
  },
  unreadableBody: badRequest,
  fallbackError,
  serverError,
  rateLimited,
};
