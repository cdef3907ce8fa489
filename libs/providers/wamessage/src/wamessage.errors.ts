import { ProviderError, retryAfter, type ProviderErrorLike } from '#http';

/**
 * Wamessage documents no error format. Inferred: every answer, error or not, is the envelope the seen
 * success carries (`description`, `data`), with `status` false, the HTTP status again as `code`, a
 * Turkish `description` like the success text, and `data` null. The English reason goes in `x-sandbox-error`.
 */
export interface ErrorBody {
  status: false;
  code: number;
  description: string;
  data: null;
}

export function errorBody(code: number, description: string): ErrorBody {
  return { status: false, code, description, data: null };
}

export function wamessageError(status: number, description: string, reason: string): ProviderError {
  return new ProviderError(status, errorBody(status, description), reason);
}

export const badRequest = (description: string, reason: string) => wamessageError(400, description, reason);
export const unauthorized = (description: string, reason: string) => wamessageError(401, description, reason);
export const notFound = (description: string, reason: string) => wamessageError(404, description, reason);
export const conflict = (description: string, reason: string) => wamessageError(409, description, reason);

/** A body (JSON, form or multipart alike) that could not be read. */
export const unreadableBody = (problem: string) => badRequest('İstek gövdesi okunamadı', problem);

export const DEVICE_NOT_FOUND = 'Cihaz bulunamadı';

/** Inferred, as every Wamessage error: the envelope with a Turkish "server error, try again later". */
export function serverError(status: 500 | 502 | 503, reason: string): ProviderError {
  return wamessageError(status, SERVER_ERROR, reason);
}

/** Inferred: the envelope with "too many requests, try again later". */
export function rateLimited(retryAfterSeconds: number, reason: string): ProviderError {
  return new ProviderError(429, errorBody(429, 'Çok fazla istek, lütfen daha sonra tekrar deneyin'), reason, retryAfter(retryAfterSeconds));
}

const SERVER_ERROR = 'Sunucu hatası, lütfen daha sonra tekrar deneyin';

export function fallbackError(status: number, reason: string): ProviderErrorLike {
  if (status === 404) return { status, body: errorBody(404, 'İstenen kaynak bulunamadı'), reason };
  if (status >= 500) return { status, body: errorBody(status, SERVER_ERROR), reason };
  return { status: 400, body: errorBody(400, 'Geçersiz istek'), reason };
}
