import type { FastifyReply } from 'fastify';
import type { ProviderDescriptor, ProviderErrorLike } from './provider-descriptor.js';
import { SANDBOX_ERROR_HEADER } from './provider-error.js';

/**
 * How an error is answered where no handler answered it: under a provider's prefix in the provider's
 * own format (its `fallbackError`), elsewhere (control API, docs) as plain JSON `{ error }`.
 */
export class ProviderAnswers {
  private readonly byPrefix: Map<string, ProviderDescriptor>;

  constructor(providers: readonly ProviderDescriptor[]) {
    this.byPrefix = new Map(providers.map((provider) => [provider.name, provider]));
  }

  /** The provider whose prefix `url` is under, if any. */
  providerOf(url: string): ProviderDescriptor | undefined {
    return this.byPrefix.get(firstSegment(url));
  }

  errorFor(url: string, status: number, reason: string): ProviderErrorLike {
    const provider = this.providerOf(url);
    return provider ? provider.fallbackError(status, reason) : { status, body: { error: reason }, reason };
  }
}

export function firstSegment(url: string): string {
  const end = url.indexOf('/', 1);
  const segment = end === -1 ? url.slice(1) : url.slice(1, end);
  const query = segment.indexOf('?');
  return query === -1 ? segment : segment.slice(0, query);
}

export function sendError(reply: FastifyReply, error: ProviderErrorLike): void {
  reply.status(error.status).header(SANDBOX_ERROR_HEADER, headerSafe(error.reason));
  if (error.headers) reply.headers(error.headers);
  if (typeof error.body === 'string') reply.type('text/plain; charset=utf-8').send(error.body);
  else reply.type('application/json; charset=utf-8').send(JSON.stringify(error.body));
}

/** The error as a whole HTTP/1.1 response, for a socket Fastify never made a request of. */
export function rawErrorResponse(error: ProviderErrorLike, statusText: string): string {
  const text = typeof error.body === 'string' ? error.body : JSON.stringify(error.body);
  const type = typeof error.body === 'string' ? 'text/plain; charset=utf-8' : 'application/json; charset=utf-8';
  return (
    `HTTP/1.1 ${error.status} ${statusText}\r\n` +
    `Content-Type: ${type}\r\n` +
    `Content-Length: ${Buffer.byteLength(text)}\r\n` +
    `${SANDBOX_ERROR_HEADER}: ${headerSafe(error.reason)}\r\n` +
    'Connection: close\r\n\r\n' +
    text
  );
}

/** Header values must be latin-1 without control characters. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
}
