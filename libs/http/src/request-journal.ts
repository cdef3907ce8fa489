import type { FastifyInstance } from 'fastify';
import type { EngineClock, RequestJournalRepository } from '#engine';
import { firstSegment } from './exception.filter.js';

/**
 * Records every request a client makes to a provider (WireMock-style journal, for verify counts).
 * Control API and docs requests are not recorded, so checking the journal does not change it.
 */
export function recordRequests(fastify: FastifyInstance, journal: RequestJournalRepository, clock: EngineClock, providers: string[]): void {
  const known = new Set(providers);
  fastify.addHook('onResponse', async (request, reply) => {
    const segment = firstSegment(request.url);
    if (segment === '__sandbox' || segment === 'docs' || segment === 'contracts') return;
    const query = request.url.indexOf('?');
    await journal.record({
      at: clock.now(),
      method: request.method,
      url: request.url,
      path: query === -1 ? request.url : request.url.slice(0, query),
      provider: known.has(segment) ? segment : null,
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    });
  });
}
