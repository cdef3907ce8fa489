import { STATUS_CODES } from 'node:http';
import { ProviderError, retryAfter, type ProviderErrorLike } from '#http';

/** WaMessenger answers every rejected request with the plain-text body `Bad Request`. */
export const BAD_REQUEST_BODY = 'Bad Request';

export function badRequest(reason: string): ProviderError {
  return new ProviderError(400, BAD_REQUEST_BODY, reason);
}

/** A JSON error for the settings routes, whose documented replies carry a set flag. */
export function settingRejected(body: object, reason: string): ProviderError {
  return new ProviderError(400, body, reason);
}

/** Inferred: the seed shows no server failure; WaMessenger answers its errors as the status's plain-text phrase. */
export function serverError(status: 500 | 502 | 503, reason: string): ProviderError {
  return new ProviderError(status, STATUS_CODES[status]!, reason);
}

/** Inferred, as serverError: `Too Many Requests` in plain text. */
export function rateLimited(retryAfterSeconds: number, reason: string): ProviderError {
  return new ProviderError(429, STATUS_CODES[429]!, reason, retryAfter(retryAfterSeconds));
}

export function fallbackError(status: number, reason: string): ProviderErrorLike {
  if (status === 404) return { status, body: 'Not Found', reason };
  if (status >= 500) return { status, body: 'Internal Server Error', reason };
  return { status: 400, body: BAD_REQUEST_BODY, reason };
}
