import { STATUS_CODES, type ServerOptions } from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionError, FastifyError, FastifyInstance, FastifyReply, FastifyRequest, FastifyServerOptions } from 'fastify';
import type { ProviderDescriptor } from './provider-descriptor.js';
import { ProviderAnswers, rawErrorResponse, sendError } from './provider-answers.js';
import { findRequestLine, replayWithEncodedTarget, type ParserError } from './raw-utf8-target.js';

/**
 * What Node's parser itself accepts. It is larger than every provider's `requestHeadLimit` because a
 * request Node refuses reaches us as bytes without its path (the parser keeps only the chunk it failed
 * on), so it cannot be answered in a provider's format; up to here, `guardRequests` refuses it as a
 * request with a path.
 */
const NODE_HEADER_LIMIT = 1024 * 1024;

/**
 * Fastify options that answer the errors it raises before any route or handler (a malformed
 * percent-escape in the path, an over-long segment, oversized headers, an unparseable request) in the
 * format of the provider whose prefix the request is under, with the reason in `x-sandbox-error`, as
 * every other error: never Fastify's own JSON. A target with raw UTF-8, which Node's parser refuses,
 * is first replayed percent-encoded (raw-utf8-target.ts) and answered as any request.
 */
export function frameworkErrorOptions(
  providers: readonly ProviderDescriptor[],
): Pick<FastifyServerOptions, 'frameworkErrors' | 'clientErrorHandler'> & { http: ServerOptions } {
  const answers = new ProviderAnswers(providers);
  return {
    http: { maxHeaderSize: NODE_HEADER_LIMIT },
    frameworkErrors(error: FastifyError, request: FastifyRequest, reply: FastifyReply) {
      const status = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 414 : (error.statusCode ?? 400);
      sendError(reply, answers.errorFor(request.raw.url ?? '/', status, describeFrameworkError(error)));
    },
    // A request Node's parser refused never becomes a Fastify request: only its raw bytes are left.
    clientErrorHandler(this: FastifyInstance, error: ConnectionError, socket: Socket) {
      if (error.code === 'ECONNRESET' || socket.destroyed || !socket.writable) return;
      if (replayWithEncodedTarget(this.server, error as unknown as ParserError, socket)) return;
      const [status, reason] = clientErrorStatus(error.code);
      // Typed as a JSON-serialised Buffer; Node hands the Buffer itself.
      const answer = answers.errorFor(requestTarget(error.rawPacket as unknown as Buffer | undefined), status, reason);
      socket.end(rawErrorResponse(answer, STATUS_CODES[answer.status] ?? ''));
    },
  };
}

function describeFrameworkError(error: FastifyError): string {
  if (error.code === 'FST_ERR_BAD_URL') return 'malformed percent-escape in the path';
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return 'path segment too long';
  return error.message;
}

function clientErrorStatus(code: string | undefined): [number, string] {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return [408, 'request timed out'];
  if (code === 'HPE_HEADER_OVERFLOW') return [431, `request line and headers over ${NODE_HEADER_LIMIT} bytes`];
  return [400, `malformed HTTP request${code ? ` (${code})` : ''}`];
}

/** The path of the request line in what the client sent (`GET /wamm/api2/… HTTP/1.1`), or `/`. */
function requestTarget(raw: Buffer | undefined): string {
  return (raw && findRequestLine(raw)?.target) || '/';
}
