import { STATUS_CODES } from 'node:http';
import { ProviderError, retryAfter, type ProviderErrorLike } from '#http';

/** Maytapi answers every refusal as `{"success":false,"message":"…"}`; public client code reads `message`. */
export function maytapiError(status: number, message: string, reason: string = message): ProviderError {
  return new ProviderError(status, { success: false, message }, reason);
}

export const badRequest = (message: string, reason?: string) => maytapiError(400, message, reason);

/** A wrong, missing or foreign `x-maytapi-key`. */
export const unauthorized = (message: string, reason?: string) => maytapiError(401, message, reason);

/** Maytapi's own wording for a phone id it does not know, as seen in public client code. */
export function invalidPhone(phoneId: string): ProviderError {
  return badRequest(`[${phoneId}] is not a valid phone instance id`, `no phone ${phoneId} in this product`);
}

/** Inferred: the seed shows no server failure; Maytapi's refusal shape with the status's phrase. */
export function serverError(status: 500 | 502 | 503, reason: string): ProviderError {
  return maytapiError(status, STATUS_CODES[status]!, reason);
}

/** Inferred, as serverError: `Too Many Requests` in the refusal shape. */
export function rateLimited(retryAfterSeconds: number, reason: string): ProviderError {
  return new ProviderError(429, { success: false, message: STATUS_CODES[429]! }, reason, retryAfter(retryAfterSeconds));
}

export function fallbackError(status: number, reason: string): ProviderErrorLike {
  if (status === 404) return { status, body: { success: false, message: 'Not Found' }, reason };
  if (status >= 500) return { status, body: { success: false, message: 'Internal Server Error' }, reason };
  return { status: 400, body: { success: false, message: reason }, reason };
}
