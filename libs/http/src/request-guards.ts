import type { FastifyInstance } from 'fastify';
import type { ProviderDescriptor } from './provider-descriptor.js';
import { ProviderAnswers, sendError } from './provider-answers.js';

export interface SelfRequestRule {
  /** Whether the request was made by this sandbox itself (a media fetch, a webhook delivery), from its headers. */
  isSelf(headers: Record<string, string | string[] | undefined>): boolean;
  /** Paths the sandbox may still fetch from itself (its own media), e.g. `/__sandbox/media/`. */
  servedPrefix: string;
}

/**
 * The checks every request meets before routing, in one callback hook (it runs on every request and
 * almost always has nothing to do), each refusal in the provider's format under its prefix:
 * - request line and headers over `requestHeadLimit` (its provider's under a provider's prefix): 431 (Node's
 *   own limit is higher; see framework-errors.ts);
 * - a request the sandbox made itself (a media or webhook URL pointing at its own API, which would let one
 *   client change another's account, reset the sandbox, or send again and again through a link back
 *   into a send route): 403, except for the media the sandbox serves.
 */
export function guardRequests(
  fastify: FastifyInstance,
  providers: readonly ProviderDescriptor[],
  self: SelfRequestRule,
  requestHeadLimit: (request: { url: string }) => number,
): void {
  const answers = new ProviderAnswers(providers);
  fastify.addHook('onRequest', (request, reply, done) => {
    const url = request.raw.url ?? '/';
    let bytes = url.length;
    for (const field of request.raw.rawHeaders) bytes += field.length + 2;
    const limit = requestHeadLimit({ url });
    if (bytes > limit) return sendError(reply, answers.errorFor(url, 431, `request line and headers over ${limit} bytes`));
    // '..' would not stay under the prefix once resolved; fetch resolves it before sending anyway.
    if (self.isSelf(request.headers) && !(url.startsWith(self.servedPrefix) && !url.includes('..'))) {
      return sendError(
        reply,
        answers.errorFor(url, 403, 'the sandbox does not act on requests it made itself (a media or webhook URL pointing at its own API)'),
      );
    }
    done();
  });
}
