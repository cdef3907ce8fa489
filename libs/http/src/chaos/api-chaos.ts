import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Socket } from 'node:net';
import type { Account, ApiFault, ChaosMark, ChaosService, EngineClock } from '#engine';
import type { ProviderDescriptor } from '../provider-descriptor.js';
import type { RequestJournalRepository } from '../request-journal.js';

/**
 * Chaos on provider requests: a rule that hits a request answers it as the provider's failing servers
 * would (a 500, 502 or 503, a 429 with `Retry-After`, in the provider's own format), answers it late,
 * never answers it, or resets its connection. The engine decides which requests a rule hits; this is
 * where an answer becomes a fault, once the route knows its provider and its caller's account.
 *
 * Latency is wall time, whatever the clock: the client waits in its own time, which the sandbox's clock
 * does not govern.
 */

/** What the exception filter lets go without an answer: the reply is chaos's (held open, or its connection reset). */
export class AnswerWithheld extends Error {
  override readonly name = 'AnswerWithheld';
}

/** The request journal's status for a request that got no answer (held until the client gave up, or reset). */
export const NO_ANSWER = 0;

const marks = new WeakMap<FastifyRequest, ChaosMark>();

/** The chaos rule that played with the request, for its journal entry. */
export function chaosMarkOf(request: FastifyRequest): ChaosMark | undefined {
  return marks.get(request);
}

/** Whether `route` ("METHOD /path", `*` matching any run of characters) names this request. */
export function routeMatches(route: string, method: string, path: string): boolean {
  return compiled(route).test(`${method.toUpperCase()} ${path}`);
}

const patterns = new Map<string, RegExp>();

function compiled(route: string): RegExp {
  let pattern = patterns.get(route);
  if (!pattern) {
    const space = route.indexOf(' ');
    const glob = (part: string) => part.split('*').map(escapeRegExp).join('.*');
    pattern = new RegExp(`^${glob(route.slice(0, space).toUpperCase())} ${glob(route.slice(space + 1))}$`, 's');
    patterns.set(route, pattern);
  }
  return pattern;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

export class ApiChaos {
  /** Connections of requests held without an answer: closed when the sandbox closes, so none outlives it. */
  private readonly held = new Set<Socket>();

  constructor(
    private readonly chaos: ChaosService,
    private readonly journal: RequestJournalRepository,
    private readonly clock: EngineClock,
  ) {}

  /** Closes the held connections before the server closes (it would wait for them otherwise). */
  install(fastify: FastifyInstance): void {
    fastify.addHook('preClose', (done) => {
      for (const socket of this.held) socket.destroy();
      this.held.clear();
      done();
    });
  }

  /**
   * Plays the fault of the rule that hits this request, if one does: throws the provider's error, waits,
   * or takes the reply over and throws AnswerWithheld.
   */
  async apply(request: FastifyRequest, reply: FastifyReply, provider: ProviderDescriptor, account: Account | undefined): Promise<void> {
    const query = request.url.indexOf('?');
    const path = query === -1 ? request.url : request.url.slice(0, query);
    const hit = this.chaos.decide<ApiFault>(
      'api',
      { provider: provider.name, account: account?.key },
      (rule) => rule.route === undefined || routeMatches(rule.route, request.method, path),
    );
    if (!hit) return;
    marks.set(request, hit.mark);
    const { fault } = hit;
    const reason = `chaos rule ${hit.rule}: ${fault.type}`;
    switch (fault.type) {
      case 'error':
        throw provider.serverError(fault.status, reason);
      case 'rate-limit':
        throw provider.rateLimited(fault.retryAfterSeconds, reason);
      case 'latency':
        await new Promise((resolve) => setTimeout(resolve, fault.ms));
        return;
      case 'timeout':
        this.hold(request, reply, provider, hit.mark);
        throw new AnswerWithheld(reason);
      case 'reset': {
        reply.hijack();
        // A TCP reset, not a clean close: the client sees ECONNRESET, as when a load balancer drops it.
        request.raw.socket.resetAndDestroy();
        await this.record(request, reply, provider, hit.mark);
        throw new AnswerWithheld(reason);
      }
    }
  }

  /** Never answers: the request stays open until the client gives up (or the sandbox closes). */
  private hold(request: FastifyRequest, reply: FastifyReply, provider: ProviderDescriptor, mark: ChaosMark): void {
    reply.hijack();
    const socket = request.raw.socket;
    this.held.add(socket);
    reply.raw.once('close', () => {
      this.held.delete(socket);
      void this.record(request, reply, provider, mark);
    });
  }

  private record(request: FastifyRequest, reply: FastifyReply, provider: ProviderDescriptor, mark: ChaosMark): Promise<void> {
    return this.journal.record({
      at: this.clock.now(),
      method: request.method,
      url: request.url,
      provider: provider.name,
      status: NO_ANSWER,
      durationMs: Math.round(reply.elapsedTime * 100) / 100,
      chaos: mark,
    });
  }
}
