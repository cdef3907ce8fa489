import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ProviderError } from './provider-error.js';
import type { ProviderDescriptor } from './provider-descriptor.js';
import { ProviderAnswers, sendError } from './provider-answers.js';
import { errorShapeOf } from './kit/provider-kit.js';
import { AnswerWithheld } from './chaos/api-chaos.js';

/**
 * The one place errors from handlers become responses. Under a provider's prefix they take the
 * provider's own format; elsewhere (control API, docs) they are plain JSON `{ error }`. Unexpected
 * errors are logged with their stack and answered without it. Errors Fastify raises before any
 * handler (bad URLs, oversized headers) are answered the same way by `framework-errors.ts`.
 */
@Catch()
export class SandboxExceptionFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');
  private readonly answers: ProviderAnswers;

  constructor(providers: ProviderDescriptor[]) {
    this.answers = new ProviderAnswers(providers);
  }

  catch(thrown: unknown, host: ArgumentsHost): void {
    // Chaos took the reply over: it is held open, or its connection is gone.
    if (thrown instanceof AnswerWithheld) return;
    const http = host.switchToHttp();
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    // A route with its own error shape (ProviderKit's @AnswerErrorsAs) rewrites every error it meets.
    const shape = errorShapeOf(request);
    const exception = shape ? shape(thrown) : thrown;
    const status = exception instanceof ProviderError ? exception.status : exception instanceof HttpException ? exception.getStatus() : 500;
    if (status >= 500) this.logger.error(`${request.method} ${request.url}`, exception instanceof Error ? exception.stack : String(exception));

    sendError(reply, exception instanceof ProviderError ? exception : this.answers.errorFor(request.url, status, describe(exception, status)));
  }
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
