import type { FastifyInstance } from 'fastify';
import type { ChaosMark, EngineClock } from '#engine';
import { chaosMarkOf } from './chaos/api-chaos.js';
import { firstSegment } from './provider-answers.js';

/** One request a client made to a provider, as the journal keeps it. */
export interface RequestRecord {
  id: number;
  at: number;
  method: string;
  url: string;
  path: string;
  provider: string | null;
  /** 0 when no answer was sent (chaos held the request until the client gave up, or reset its connection). */
  status: number;
  durationMs: number;
  /** The chaos rule that answered it (an error, a 429, latency, a timeout, a reset). */
  chaos?: ChaosMark;
}

export interface RequestQuery {
  provider?: string;
  method?: string;
  path?: string;
  pathPattern?: RegExp;
}

/**
 * The request journal (WireMock-style, for verify counts). It is the HTTP layer's, kept apart from the
 * engine's world as WireMock keeps its journal apart from its stubs; the sandbox's reset clears both.
 */
export interface RequestJournalRepository {
  /** The journal numbers the request and takes its path from its url. */
  record(entry: Omit<RequestRecord, 'id' | 'path'>): Promise<void>;
  /** Oldest first. */
  list(query: RequestQuery): Promise<RequestRecord[]>;
  count(query: RequestQuery): Promise<number>;
  clear(): Promise<number>;
}

export function matchesRequest(entry: RequestRecord, query: RequestQuery): boolean {
  if (query.provider !== undefined && entry.provider !== query.provider) return false;
  if (query.method !== undefined && entry.method !== query.method.toUpperCase()) return false;
  if (query.path !== undefined && entry.path !== query.path) return false;
  if (query.pathPattern !== undefined && !query.pathPattern.test(entry.path)) return false;
  return true;
}

/**
 * Records every request a client makes to a provider.
 * Control API, docs and dashboard requests (its page at `/`, its files under `/__dashboard/`) are not
 * recorded, so checking the journal, by hand or on the dashboard, does not change it.
 */
export function recordRequests(fastify: FastifyInstance, journal: RequestJournalRepository, clock: EngineClock, providers: string[]): void {
  // The registered names themselves are recorded, not the request's copies: the journal keeps what it records.
  const known = new Map(providers.map((name) => [name, name]));
  fastify.addHook('onResponse', async (request, reply) => {
    const segment = firstSegment(request.url);
    if (segment === '' || segment === '__sandbox' || segment === '__dashboard' || segment === 'docs' || segment === 'contracts') return;
    const chaos = chaosMarkOf(request);
    await journal.record({
      at: clock.now(),
      method: request.method,
      url: request.url,
      provider: known.get(segment) ?? null,
      status: reply.statusCode,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
      ...(chaos ? { chaos } : {}),
    });
  });
}
