import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProviderError, SANDBOX_ERROR_HEADER } from './provider-error.js';
import type { ProviderDescriptor, ProviderErrorLike } from './provider-descriptor.js';

/**
 * The one place errors become responses. Under a provider's prefix they take the provider's own
 * format; elsewhere (control API, docs) they are plain JSON `{ error }`. Unexpected errors are logged
 * with their stack and answered without it.
 */
@Catch()
export class SandboxExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private readonly byPrefix: Map<string, ProviderDescriptor>;

  constructor(providers: ProviderDescriptor[]) {
    this.byPrefix = new Map(providers.map((provider) => [provider.name, provider]));
  }

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    const provider = this.byPrefix.get(firstSegment(request.url));
    const status = exception instanceof ProviderError ? exception.status : exception instanceof HttpException ? exception.getStatus() : 500;
    if (status >= 500) this.logger.error(`${request.method} ${request.url}`, exception instanceof Error ? exception.stack : String(exception));

    if (exception instanceof ProviderError) return sendError(reply, exception);
    sendError(reply, errorFor(provider, status, describe(exception, status)));
  }
}

/** The provider's own fallback error under its prefix; plain JSON `{ error }` elsewhere. */
export function errorFor(provider: ProviderDescriptor | undefined, status: number, reason: string): ProviderErrorLike {
  return provider ? provider.fallbackError(status, reason) : { status, body: { error: reason }, reason };
}

export function firstSegment(url: string): string {
  const end = url.indexOf('/', 1);
  const segment = end === -1 ? url.slice(1) : url.slice(1, end);
  const query = segment.indexOf('?');
  return query === -1 ? segment : segment.slice(0, query);
}

function describe(exception: unknown, status: number): string {
  if (exception instanceof HttpException) {
    const response = exception.getResponse();
    if (typeof response === 'object' && response && 'message' in response) {
      const message = (response as { message: unknown }).message;
      return Array.isArray(message) ? message.join('; ') : String(message);
    }
    return exception.message;
  }
  return status >= 500 ? 'internal error (see the sandbox log)' : String(exception);
}

export function sendError(reply: FastifyReply, error: ProviderErrorLike): void {
  reply.status(error.status).header(SANDBOX_ERROR_HEADER, headerSafe(error.reason));
  if (typeof error.body === 'string') reply.type('text/plain; charset=utf-8').send(error.body);
  else reply.type('application/json; charset=utf-8').send(JSON.stringify(error.body));
}

/** Header values must be latin-1 without control characters. */
function headerSafe(text: string): string {
  return text.replace(/[^\x20-\x7e]/g, '?').slice(0, 500);
}
