import { ProviderError, type ProviderErrorLike } from '#http';

/** WaMessenger answers every rejected request with the plain-text body `Bad Request`. */
export const BAD_REQUEST_BODY = 'Bad Request';

export function badRequest(reason: string): ProviderError {
  return new ProviderError(400, BAD_REQUEST_BODY, reason);
}

/** A JSON error for the settings routes, whose documented replies carry a set flag. */
export function settingRejected(body: object, reason: string): ProviderError {
  return new ProviderError(400, body, reason);
}

export function fallbackError(status: number, reason: string): ProviderErrorLike {
  if (status === 404) return { status, body: 'Not Found', reason };
  if (status >= 500) return { status, body: 'Internal Server Error', reason };
  return { status: 400, body: BAD_REQUEST_BODY, reason };
}
