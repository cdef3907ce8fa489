import { INVALID_KEY_PREFIX, KB, MB, type Account, type Session, type WhatsAppEngine } from '#engine';
import { BODY_TOO_LARGE, pathParam, scopeDecorator, type ProviderAccess, type ProviderDescriptor } from '#http';
import { badRequest, fallbackError, invalidPhone, rateLimited, serverError, unauthorized } from './maytapi.errors.js';
import { MAYTAPI_PRODUCT, productOf, type PhoneSettings } from './maytapi.product.js';
import { MAYTAPI } from './maytapi.profile.js';

const KEY_HEADER = 'x-maytapi-key';

/** A phone of a product: its engine session and what Maytapi remembers about it. */
export interface Phone {
  id: string;
  session: Session;
  settings: PhoneSettings;
}

export const maytapiAccess: ProviderAccess = {
  /** Room for a base64 image of just under 1 MB (the seed's limit), which base64 makes about 1.37 MB. */
  bodyLimit: 2 * MB,
  /** Request line and headers: past Node's 16 KB, as for every provider; the seed names no limit. */
  requestHeadLimit: 64 * KB,
  /**
   * The product behind the product id in the url (`…/api/{product_id}/…`), checked against `x-maytapi-key`.
   * Zero-config: the first key used with a product id is bound to it; another key is refused from then on,
   * as a wrong token is.
   */
  async authenticate(request, engine) {
    const productId = pathParam(request, 'pid');
    const key = request.headers[KEY_HEADER] as string | undefined;
    if (key === undefined || key.trim() === '') throw unauthorized('x-maytapi-key header is required', 'no x-maytapi-key header');
    if (key.toLowerCase().startsWith(INVALID_KEY_PREFIX))
      throw unauthorized('Token is not valid', `keys starting with "${INVALID_KEY_PREFIX}" are always refused`);
    const lookup = await engine.accounts.resolve(MAYTAPI, productId);
    if (!lookup.ok) throw unauthorized('Product is not valid', lookup.reason);
    const product = productOf(lookup.account);
    if (product.apiKey !== null && product.apiKey !== key) {
      throw unauthorized('Token is not valid', `product ${productId} is bound to another x-maytapi-key (the first key used with it)`);
    }
    // Where the client reaches the sandbox, for the `reply` urls of webhooks.
    const apiBase = `${request.protocol}://${request.host}/${MAYTAPI}/api`;
    if (product.apiKey === null || product.apiBase !== apiBase) return engine.accounts.updateState(lookup.account, MAYTAPI_PRODUCT, { apiKey: key, apiBase });
    return lookup.account;
  },
  unreadableBody: (problem) => badRequest(`Invalid request body: ${problem}`, problem),
  fallbackError,
  serverError,
  rateLimited,
};

/** One of the product's phones; Maytapi's own error for an id it does not know. */
export async function findPhone(engine: WhatsAppEngine, account: Account, phoneId: string): Promise<Phone> {
  const settings = productOf(account).phones[phoneId];
  const session = settings && (await engine.sessions.get(settings.sessionId));
  if (!settings || !session) throw invalidPhone(phoneId);
  return { id: phoneId, session, settings };
}

/** The phone of a `…/api/{product_id}/{phone_id}/…` route, found once its product is authenticated. */
export const ProductPhone = scopeDecorator(async (account, request, engine): Promise<Phone> => {
  const phoneId = pathParam(request, 'phoneId');
  if (!/^\d+$/.test(phoneId)) throw invalidPhone(phoneId);
  return findPhone(engine, account, phoneId);
});

/** sendMessage tells a client whose base64 image made the body too large what to do instead. */
export function unreadableSendBody(problem: string, provider: ProviderDescriptor) {
  if (problem === BODY_TOO_LARGE) {
    return badRequest('Base64 media must be an image under 1 MB; send larger files as a link', 'the request body is over the 2 MB body limit');
  }
  return provider.unreadableBody(problem);
}
