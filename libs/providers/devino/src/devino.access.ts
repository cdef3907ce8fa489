import { KB, MB } from '#engine';
import type { ProviderAccess } from '#http';
import { parseAuthorization } from './devino.dto.js';
import { fallbackError, rateLimited, serverError, unauthorized, unreadableBody } from './devino.errors.js';
import { DEVINO } from './devino.profile.js';

export const devinoAccess: ProviderAccess = {
  /** The seed names no limit: its JSON carries texts, template parameters and media links, far below this. */
  bodyLimit: 2 * MB,
  /** Request line and headers: past Node's 16 KB, as for every provider; the seed names no limit. */
  requestHeadLimit: 64 * KB,
  /** The account behind `Authorization: Key <api key>`; Devino refuses anything else with 401. */
  async authenticate(request, engine) {
    const lookup = await engine.accounts.resolve(DEVINO, parseAuthorization(request.headers.authorization));
    if (!lookup.ok) throw unauthorized(lookup.reason);
    return lookup.account;
  },
  unreadableBody,
  fallbackError,
  serverError,
  rateLimited,
};
