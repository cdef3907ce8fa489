import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { EngineClock } from '../clock/clock.js';
import type { Account, WebhookEvent } from '../store/models.js';
import type { EngineStore } from '../store/store.js';
import { SELF_REQUEST_HEADER, SELF_REQUEST_TOKEN } from '../self-request.js';
import { parseAccountId } from '../world/accounts.js';
import type { ProviderProfile } from '../world/provider-profile.js';
import { OrderedPool } from './ordered-pool.js';

export interface WebhookDispatcherOptions {
  /** How long one delivery attempt may take before it counts as failed. */
  timeoutMs: number;
  /** Most requests in flight at once, over all receivers (default 64). */
  concurrency?: number;
}

interface AttemptOutcome {
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
}

export interface ResendResult {
  /** Events that were waiting and are now being re-sent. */
  resent: number;
}

/**
 * Delivers provider-shaped webhook payloads over HTTP. An event that cannot be delivered is retried on
 * the provider's schedule, then waits (pending) until its retention runs out or a resend is asked for.
 * Every attempt is written to the journal. Delivery is at-least-once: a resend racing a retry may
 * deliver an event twice, as real providers do.
 *
 * Events go out concurrently, except that events with the same order key (one chat's) are sent one
 * after another. Requests run beside the clock (`clock.hold`), so a manual advance does not wait for each
 * round trip in turn, yet a retry is still made at its own virtual time.
 */
export class WebhookDispatcher {
  /**
   * Kept-alive connections to receivers: a new connection per event, as `fetch` made, halved the delivery
   * rate in the benchmark. Idle sockets are unref'd by the agent, so they never hold the process open.
   */
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  private readonly requests: OrderedPool;

  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
    private readonly profileOf: (provider: string) => ProviderProfile,
    private readonly options: WebhookDispatcherOptions,
  ) {
    this.requests = new OrderedPool(options.concurrency ?? 64);
  }

  /** `orderKey`: events sharing it are delivered in the order they were enqueued (default: no order). */
  async enqueue(account: Account, url: string, payload: unknown, orderKey?: string): Promise<WebhookEvent> {
    const profile = this.profileOf(account.provider);
    const now = this.clock.now();
    const id = String(await this.store.sequences.next('webhook.event', 1));
    const event: WebhookEvent = {
      id,
      accountId: account.id,
      url,
      payload,
      orderKey: orderKey ?? `event ${id}`,
      createdAt: now,
      expiresAt: now + profile.webhooks.retentionMs,
      state: 'pending',
      attempts: 0,
    };
    await this.store.webhooks.save(event);
    this.clock.schedule(0, () => this.attempt(event.id, true), `webhook ${event.id}`);
    return event;
  }

  /** Undelivered events still within their retention, oldest first. */
  async pending(accountId: string): Promise<WebhookEvent[]> {
    return this.store.webhooks.pending(accountId, this.clock.now());
  }

  /** Re-sends every pending event to the account's current url, in order, one after the other. */
  async resend(account: Account): Promise<ResendResult> {
    const url = account.webhookUrl;
    const events = await this.pending(account.id);
    if (!url || events.length === 0) return { resent: 0 };
    for (const event of events) await this.store.webhooks.save({ ...event, url });
    this.clock.schedule(0, async () => {
      for (const event of events) await this.attempt(event.id, false);
    }, `webhook resend ${account.id}`);
    return { resent: events.length };
  }

  private async attempt(eventId: string, retryOnFailure: boolean): Promise<void> {
    const event = await this.store.webhooks.get(eventId);
    if (!event || event.state !== 'pending') return;
    const at = this.clock.now();
    if (event.expiresAt <= at) {
      await this.store.webhooks.delete(eventId);
      return;
    }
    const retryDelay = retryOnFailure ? this.profileOf(parseAccountId(event.accountId).provider).webhooks.retryDelaysMs[event.attempts] : undefined;
    const delivery = this.requests.run(event.orderKey, () => this.post(event.url, event.payload)).then((outcome) => this.record(event, at, outcome, retryDelay));
    // Nothing this attempt schedules falls before its retry or the event's expiry: time may run on to there.
    this.clock.hold(delivery, Math.min(event.expiresAt, retryDelay === undefined ? Infinity : at + retryDelay), `webhook ${eventId}`);
    if (!retryOnFailure) await delivery; // a resend sends one event after another
  }

  private async record(event: WebhookEvent, at: number, outcome: AttemptOutcome, retryDelay: number | undefined): Promise<void> {
    await this.store.webhooks.recordAttempt({
      eventId: event.id,
      accountId: event.accountId,
      url: event.url,
      at,
      ok: outcome.ok,
      status: outcome.status,
      latencyMs: outcome.latencyMs,
      error: outcome.error,
      body: event.payload,
    });
    if (outcome.ok) {
      // Delivered events are forgotten; the journal keeps the record.
      await this.store.webhooks.delete(event.id);
      return;
    }
    // Read again: a resend may have changed its url while the request was out.
    const current = await this.store.webhooks.get(event.id);
    if (!current || current.state !== 'pending') return;
    const attempts = current.attempts + 1;
    await this.store.webhooks.save({ ...current, attempts });
    if (attempts === 1) {
      this.clock.scheduleAt(current.expiresAt, () => this.expire(event.id), `webhook expiry ${event.id}`);
    }
    if (retryDelay !== undefined) {
      this.clock.scheduleAt(at + retryDelay, () => this.attempt(event.id, true), `webhook retry ${event.id}`);
    }
  }

  private async expire(eventId: string): Promise<void> {
    const event = await this.store.webhooks.get(eventId);
    if (event && event.state === 'pending' && event.expiresAt <= this.clock.now()) await this.store.webhooks.delete(eventId);
  }

  private post(url: string, payload: unknown): Promise<AttemptOutcome> {
    const started = performance.now();
    const body = JSON.stringify(payload);
    return new Promise((resolve) => {
      const finish = (status: number | null, error: string | null) => {
        clearTimeout(deadline);
        resolve({ ok: error === null, status, latencyMs: elapsed(started), error });
      };
      let target: URL;
      try {
        target = new URL(url);
      } catch {
        return resolve({ ok: false, status: null, latencyMs: 0, error: 'invalid url' });
      }
      const secure = target.protocol === 'https:';
      const options: RequestOptions = {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'wa-sandbox-webhooks', [SELF_REQUEST_HEADER]: SELF_REQUEST_TOKEN },
      };
      const request: ClientRequest = (secure ? httpsRequest : httpRequest)(target, options, (response) => {
        const status = response.statusCode ?? null;
        const ok = status !== null && status >= 200 && status < 300;
        // The receiver's body is not read, but it must be drained for the connection to be reused.
        response.resume();
        response.once('end', () => finish(status, ok ? null : `HTTP ${status}`));
        response.once('error', (error) => finish(status, describeError(error)));
      });
      // One deadline for the whole attempt (connect, send, answer), like the timeout fetch had.
      const deadline = setTimeout(() => request.destroy(new TimeoutError()), this.options.timeoutMs);
      request.once('error', (error) => finish(null, describeError(error)));
      request.end(body);
    });
  }
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function describeError(error: Error): string {
  if (error instanceof TimeoutError) return 'timed out';
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
