import type { FastifyInstance } from 'fastify';
import { ProviderAnswers, sendError } from './provider-answers.js';
import type { ProviderDescriptor } from './provider-descriptor.js';

export interface SelfRequestRule {
  /** Whether the request was made by this sandbox itself (a media fetch, a webhook delivery), from its headers. */
  isSelf(headers: Record<string, string | string[] | undefined>): boolean;
  /** Paths the sandbox may still fetch from itself (its own media), e.g. `/__sandbox/media/`. */
  servedPrefix: string;
}

/**
 * The sandbox never acts on a request it made itself: a media or webhook URL pointing at its own API would
 * otherwise let one client change another's account (a `webhook/set` link), reset the sandbox, or send
 * again and again (a link back into a send route). Such requests are refused with 403 before routing, in
 * the provider's error format under a provider's prefix, except for the media the sandbox serves.
 */
export function refuseSelfRequests(fastify: FastifyInstance, providers: ProviderDescriptor[], rule: SelfRequestRule): void {
  const answers = new ProviderAnswers(providers);
  // A callback hook: it runs on every request and almost always has nothing to do.
  fastify.addHook('onRequest', (request, reply, done) => {
    // '..' would not stay under the prefix once resolved; fetch resolves it before sending anyway.
    if (!rule.isSelf(request.headers) || (request.url.startsWith(rule.servedPrefix) && !request.url.includes('..'))) return done();
    const reason = 'the sandbox does not act on requests it made itself (a media or webhook URL pointing at its own API)';
    sendError(reply, answers.errorFor(request.url, 403, reason));
  });
}
