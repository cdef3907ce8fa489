import { ProviderError, retryAfter, type ProviderErrorLike } from '#http';

/**
 * Every error text of WAMM's documentation (the Russian seed), spelled exactly as it is there. WAMM answers
 * `{"err":"<text>"}`; clients test `err` for truthiness, so a success's `err` is the integer 0.
 */
export const ERR = {
  tokenFail: 'token fail',
  accNotAuthorized: 'acc not authorized',
  phoneFail: 'phone fail',
  noWhatsApp: 'no WhatsApp on the number',
  phoneNotChecked: 'phone not checked for WhatsApp, please retry',
  textFail: 'text fail',
  textTooLong: 'text fail, more 1500',
  urlFail: 'url fail',
  msgIdFail: 'msg_id fail',
  msgNotFound: 'msg not be',
  colFail: 'col fail or more 100',
  msgsNotFound: 'msgs not be',
  nameFail: 'name fail',
  nameTooLong: 'name fail, more 250',
  webTooLong: 'web fail, more 150',
  emailTooLong: 'email fail, more 150',
  phoneNotFound: 'phone not found',
  failExecution: 'fail execution',
} as const;

export type WammErrorText = (typeof ERR)[keyof typeof ERR];

/**
 * WAMM is a PHP script that echoes JSON: an error is still an HTTP 200 whose body says `err`
 * (inferred: the seed shows bodies only, and clients read `err`, never the status).
 */
export function wammError(text: WammErrorText, reason: string): ProviderError {
  return new ProviderError(200, { err: text }, reason);
}

/** check_phone's errors carry `"result":"error"` beside `err` (the seed's check_phone error example). */
export function checkPhoneError(text: WammErrorText, reason: string): ProviderError {
  return new ProviderError(200, { err: text, result: 'error' }, reason);
}

/** The route-independent errors of check_phone, rewritten into its shape (a failing server's status and headers kept). */
export function asCheckPhoneError(error: unknown): unknown {
  if (error instanceof ProviderError && typeof error.body === 'object' && 'err' in error.body) {
    return new ProviderError(error.status, { err: (error.body as { err: WammErrorText }).err, result: 'error' }, error.reason, error.headers);
  }
  return error;
}

/**
 * Inferred: the seed shows no server failure. WAMM is a PHP script whose clients read `err`, never the
 * status: its "fail execution" with the failing status.
 */
export function serverError(status: 500 | 502 | 503, reason: string): ProviderError {
  return new ProviderError(status, { err: ERR.failExecution }, reason);
}

/** Inferred, as serverError: the seed names no request limit; a 429 with "fail execution". */
export function rateLimited(retryAfterSeconds: number, reason: string): ProviderError {
  return new ProviderError(429, { err: ERR.failExecution }, reason, retryAfter(retryAfterSeconds));
}

/**
 * Outside the documented routes: an unknown method is a 404 with an `err` text the seed does not have
 * (no seed text names a missing method); anything unexpected is the seed's "fail execution".
 */
export function fallbackError(status: number, reason: string): ProviderErrorLike {
  if (status === 404) return { status, body: { err: 'not found' }, reason };
  if (status >= 500) return { status: 500, body: { err: ERR.failExecution }, reason };
  // WAMM answers its errors with HTTP 200, whatever went wrong.
  return { status: 200, body: { err: ERR.failExecution }, reason };
}
