import type { FastifyInstance } from 'fastify';
import type { EngineClock, RequestJournalRepository } from '#engine';
import { firstSegment } from './provider-answers.js';

/**
 * Records every request a client makes to a provider (WireMock-style journal, for verify counts).
 * Control API and docs requests are not recorded, so checking the journal does not change it.
 */
export function recordRequests(fastify: FastifyInstance, journal: RequestJournalRepository, clock: EngineClock, providers: string[]): void {
  // The registered names themselves are recorded, not the request's copies: the journal keeps what it records.
  const known = new Map(providers.map((name) => [name, name]));
  fastify.addHook('onResponse', async (request, reply) => {
    const segment = firstSegment(request.url);
    if (segment === '__sandbox' || segment === 'docs' || segment === 'contracts') return;
    await journal.record({
      at: clock.now(),
      method: request.method,
      url: request.url,
      provider: known.get(segment) ?? null,
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
    });
  });
}
