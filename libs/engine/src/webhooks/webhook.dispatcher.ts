import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { EngineClock } from '../clock/clock.js';
import type { Account, WebhookEvent } from '../store/models.js';
import type { EngineStore } from '../store/store.js';
import { parseAccountId } from '../world/accounts.js';
import type { ProviderProfile } from '../world/provider-profile.js';

export interface WebhookDispatcherOptions {
  /** How long one delivery attempt may take before it counts as failed. */
  timeoutMs: number;
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
 */
export class WebhookDispatcher {
  /**
   * Kept-alive connections to receivers: a new connection per event, as `fetch` made, halved the delivery
   * rate in the benchmark. Idle sockets are unref'd by the agent, so they never hold the process open.
   */
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };

  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
    private readonly profileOf: (provider: string) => ProviderProfile,
    private readonly options: WebhookDispatcherOptions,
  ) {}

  async enqueue(account: Account, url: string, payload: unknown): Promise<WebhookEvent> {
    const profile = this.profileOf(account.provider);
    const now = this.clock.now();
    const event: WebhookEvent = {
      id: String(await this.store.sequences.next('webhook.event', 1)),
      accountId: account.id,
      url,
      payload,
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
    if (event.expiresAt <= this.clock.now()) {
      await this.store.webhooks.delete(eventId);
      return;
    }
    const outcome = await this.post(event.url, event.payload);
    await this.store.webhooks.recordAttempt({
      eventId,
      accountId: event.accountId,
      url: event.url,
      at: this.clock.now(),
      ok: outcome.ok,
      status: outcome.status,
      latencyMs: outcome.latencyMs,
      error: outcome.error,
      body: event.payload,
    });
    if (outcome.ok) {
      // Delivered events are forgotten; the journal keeps the record.
      await this.store.webhooks.delete(eventId);
      return;
    }
    const attempts = event.attempts + 1;
    await this.store.webhooks.save({ ...event, attempts });
    if (attempts === 1) {
      this.clock.scheduleAt(event.expiresAt, () => this.expire(eventId), `webhook expiry ${eventId}`);
    }
    const retryDelay = this.profileOf(parseAccountId(event.accountId).provider).webhooks.retryDelaysMs[attempts - 1];
    if (retryOnFailure && retryDelay !== undefined) {
      this.clock.schedule(retryDelay, () => this.attempt(eventId, true), `webhook retry ${eventId}`);
    }
  }

  private async expire(eventId: string): Promise<void> {
    const event = await this.store.webhooks.get(eventId);
    if (event && event.state === 'pending' && event.expiresAt <= this.clock.now()) await this.store.webhooks.delete(eventId);
  }

  private post(url: string, payload: unknown): Promise<{ ok: boolean; status: number | null; latencyMs: number; error: string | null }> {
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
        headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), 'user-agent': 'wa-sandbox-webhooks' },
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
