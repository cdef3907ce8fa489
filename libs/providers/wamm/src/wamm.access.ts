import { KB, MB } from '#engine';
import { pathParam, type ProviderAccess } from '#http';
import { ERR, fallbackError, rateLimited, serverError, wammError } from './wamm.errors.js';
import { WAMM } from './wamm.profile.js';

/**
 * Tokens starting with this answer "acc not authorized": the account exists but its WhatsApp is not
 * connected (scanned) in WAMM's web settings. Any client reaches it by changing only its token.
 */
export const UNAUTHORIZED_TOKEN_PREFIX = 'unauthorized';

export const wammAccess: ProviderAccess = {
  /** The seed names no limit: its requests carry texts and media links, far below this. */
  bodyLimit: 2 * MB,
  /**
   * Request line and headers (Node's default is 16 KB). WAMM's texts go in the path or the query, up to
   * 1,500 characters: percent-encoded, 1,500 four-byte characters (emoji) take 18,000 bytes.
   */
  requestHeadLimit: 64 * KB,
  /** The account behind the token in the path (`…/api2/{method}/{token}/`), whose WhatsApp must be connected. */
  async authenticate(request, engine) {
    const token = pathParam(request, 'token');
    const lookup = await engine.accounts.resolve(WAMM, token);
    if (!lookup.ok) throw wammError(ERR.tokenFail, lookup.reason);
    if (token.toLowerCase().startsWith(UNAUTHORIZED_TOKEN_PREFIX)) {
      throw wammError(ERR.accNotAuthorized, `tokens starting with "${UNAUTHORIZED_TOKEN_PREFIX}" belong to an account whose WhatsApp is not connected`);
    }
    return lookup.account;
  },
  /** WAMM's only body is file_from_base64's form. */
  unreadableBody: (problem) => wammError(ERR.urlFail, `the form could not be read: ${problem}`),
  fallbackError,
  serverError,
  rateLimited,
};
