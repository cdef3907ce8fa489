import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import type { ChaosService } from '../chaos/chaos.service.js';
import type { WebhookFault } from '../chaos/chaos.rules.js';
import type { EngineClock } from '../clock/clock.js';
import type { Scheduler } from '../clock/scheduler.js';
import type { Account, ChaosMark, WebhookAttempt, WebhookEvent } from '../store/models.js';
import type { AttemptQuery, EngineStore, ScheduledJob } from '../store/store.js';
import { SELF_REQUEST_HEADER, SELF_REQUEST_TOKEN } from '../self-request.js';
import { parseAccountId } from '../world/accounts.js';
import type { ProviderProfile } from '../world/provider-profile.js';
import { DestinationPool } from './destination-pool.js';

export interface WebhookDispatcherOptions {
  /** How long one delivery attempt may take before it counts as failed. */
  timeoutMs: number;
  /**
   * Most requests in flight at once to one receiver (scheme, host and port of its url); default 8. The
   * benchmark's one receiver on loopback was no faster with 16, 32 or 64 (within this machine's noise).
   */
  perDestination?: number;
  /**
   * Most requests in flight at once over all receivers: a bound on open sockets. The default, 1,024, is
   * 128 receivers' budgets, so 64 receivers that never answer leave as many others untouched.
   */
  total?: number;
  /** Chaos rules for webhook attempts; none when absent. */
  chaos?: ChaosService;
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

/** One order key's undelivered events (one chat's, say), delivered strictly one after another. */
interface ChatQueue {
  readonly key: string;
  /** Event ids, oldest first; only the first is ever sent. */
  readonly events: string[];
  /** The first event's attempt is out. */
  sending: boolean;
  /** The id of the job the first event waits for (its next retry, a chaos delay or reorder), while there is one. */
  retry: string | undefined;
  /** Events a chaos rule already decided for (delayed, reordered): their attempt carries its mark and meets no other rule. */
  decided: Map<string, ChaosMark>;
  /** An event a chaos rule holds back until the chat's next event has gone out before it. */
  parked: string | undefined;
}

/** Jobs: a chat's first event goes out (`send`), several chats' at once (`resend`), a retry, an expiry. */
const SEND_JOB = 'webhook.send';
const RESEND_JOB = 'webhook.resend';
const RETRY_JOB = 'webhook.retry';
const EXPIRE_JOB = 'webhook.expire';
/** On a shared store: a chat's one job, which sends its events in order, then waits for a retry or an expiry. */
const CHAT_JOB = 'webhook.chat';
/** Chaos: an attempt delayed, and a reordered event going out alone when no next event came. */
const DELAY_JOB = 'webhook.chaos-delay';
const RELEASE_JOB = 'webhook.chaos-release';
/** How long a reordered event waits for its chat's next event to go out before it, in clock time. */
export const REORDER_WAIT_MS = 60_000;

/**
 * Delivers provider-shaped webhook payloads over HTTP. An event that cannot be delivered is retried on
 * the provider's schedule, then waits (pending) until its retention runs out or a resend is asked for.
 * Every attempt is written to the journal. Delivery is at-least-once: an attempt that times out may still
 * have reached the receiver.
 *
 * Events with the same order key (one chat's) are delivered strictly in order: an event is sent only once
 * the one before it was accepted or dropped, so while an event waits for its retry the chat's later
 * events wait behind it. Different chats' events go out concurrently, within a budget per receiver
 * (`DestinationPool`), so a receiver that never answers delays only its own events. Requests run beside
 * the clock (`clock.hold`), so a manual advance does not wait for each round trip in turn, yet a retry is
 * still made at its own virtual time (unless the advance ran out of patience first: then as soon as the
 * attempt has failed).
 *
 * Chaos rules (ChaosService) may play with an attempt: post it twice, lose it (a failed attempt, retried on
 * the schedule), delay it (the chat waits behind it), or hold its event back until the chat's next event
 * has gone out. The journal marks each attempt they touched.
 */
/**
 * Order holds per chat and per receiver: events to a url an account has since replaced (a receiver that
 * is gone, a test's previous one) never hold back the chat's events to its new url.
 */
function queueKeyOf(event: WebhookEvent): string {
  return `${event.url} ${event.orderKey}`;
}

export class WebhookDispatcher {
  /**
   * Kept-alive connections to receivers: a new connection per event, as `fetch` made, halved the delivery
   * rate in the benchmark. Idle sockets are unref'd by the agent, so they never hold the process open.
   */
  private readonly agents = { http: new HttpAgent({ keepAlive: true }), https: new HttpsAgent({ keepAlive: true }) };
  private readonly requests: DestinationPool;
  private chats = new Map<string, ChatQueue>();
  private readonly attemptListeners: Array<(attempt: WebhookAttempt) => void> = [];

  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
    private readonly scheduler: Scheduler,
    private readonly profileOf: (provider: string) => ProviderProfile,
    private readonly options: WebhookDispatcherOptions,
  ) {
    this.requests = new DestinationPool(options.perDestination ?? 8, options.total ?? 1_024);
    // A chat is named by its key in a job; one the engine's reset forgot is no longer there.
    const chat = (key: unknown) => this.chats.get(key as string);
    scheduler.handle(SEND_JOB, (payload) => this.sendFirst(chat(payload.key)));
    scheduler.handle(RESEND_JOB, async (payload) => {
      for (const key of payload.keys as string[]) await this.sendFirst(chat(key));
    });
    scheduler.handle(RETRY_JOB, (payload) => this.sendFirst(this.chatOf(payload.key as string, payload.eventId as string)));
    scheduler.handle(EXPIRE_JOB, (payload) => this.expire(payload.key as string, payload.eventId as string));
    scheduler.handle(CHAT_JOB, (payload) => this.runSharedChat(payload.key as string));
    // The job carries the rule's mark: the attempt is its, even after a restart.
    const decided = (payload: Record<string, unknown>) => {
      const target = this.chatOf(payload.key as string, payload.eventId as string);
      target?.decided.set(payload.eventId as string, payload.chaos as ChaosMark);
      return this.sendFirst(target);
    };
    scheduler.handle(DELAY_JOB, decided);
    scheduler.handle(RELEASE_JOB, decided);
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
    if (this.store.shared) {
      const key = queueKeyOf(event);
      await this.scheduler.enqueue(sharedQueueOf(key), id, now, CHAT_JOB, { key }, `${CHAT_JOB}:${key}`);
      return event;
    }
    let chat = this.chats.get(queueKeyOf(event));
    if (!chat) {
      chat = newChat(queueKeyOf(event));
      this.chats.set(chat.key, chat);
    }
    chat.events.push(id);
    if (chat.parked !== undefined) {
      // The event chaos held back goes out right after this one.
      chat.events.push(chat.parked);
      chat.parked = undefined;
      if (chat.retry !== undefined) this.scheduler.cancel(chat.retry);
      chat.retry = undefined;
    }
    if (chat.events[0] === id) this.scheduler.after(0, SEND_JOB, { key: chat.key });
    return event;
  }

  /**
   * Rebuilds every chat's queue from the pending events a stopped engine left (call before the scheduler
   * resumes). A chat whose first event waits for nothing stored (its retry, its first send) goes out now:
   * its attempt was out when the engine stopped, or never started. Delivery stays at-least-once: an
   * attempt out at the stop may have reached its receiver and is made again.
   */
  async restore(jobs: ScheduledJob[]): Promise<void> {
    const woken = new Set<string>();
    /** Jobs a chat's first event waits for: its retry, or a chaos delay or release. */
    const waits = new Set<string>();
    for (const job of jobs) {
      if (job.kind === SEND_JOB) woken.add(job.payload.key as string);
      if (job.kind === RESEND_JOB) for (const key of job.payload.keys as string[]) woken.add(key);
      if (job.kind === RETRY_JOB || job.kind === DELAY_JOB || job.kind === RELEASE_JOB) waits.add(job.id);
    }
    for (const account of await this.store.accounts.list()) {
      for (const event of await this.pending(account.id)) {
        const key = queueKeyOf(event);
        let chat = this.chats.get(key);
        if (!chat) this.chats.set(key, (chat = newChat(key)));
        if (chat.events.length === 0) {
          chat.retry = [RETRY_JOB, DELAY_JOB, RELEASE_JOB].map((kind) => `${kind}:${event.id}`).find((id) => waits.has(id));
          const { retryDelaysMs } = this.profileOf(parseAccountId(event.accountId).provider).webhooks;
          // Past its last retry an event waits for its expiry or a resend, as it did before the stop.
          const waitsForResend = event.attempts > 0 && retryDelaysMs[event.attempts - 1] === undefined;
          if (!woken.has(key) && chat.retry === undefined && !waitsForResend) this.scheduler.after(0, SEND_JOB, { key });
        }
        chat.events.push(event.id);
      }
    }
  }

  /** Undelivered events still within their retention, oldest first (a chat's waiting events included). */
  async pending(accountId: string): Promise<WebhookEvent[]> {
    return this.store.webhooks.pending(accountId, this.clock.now());
  }

  /** Delivery attempts, oldest first; with a limit, the most recent ones. */
  async attempts(query: AttemptQuery): Promise<WebhookAttempt[]> {
    return this.store.webhooks.attempts(query);
  }

  /**
   * Re-sends every pending event to the account's current url: each chat's first event now (instead of
   * at its next retry), and the rest of the chat after it, in order. A resent attempt counts as one of the
   * event's attempts: if it fails, the schedule's next retry follows, and after the last none.
   */
  async resend(account: Account): Promise<ResendResult> {
    const url = account.webhookUrl;
    const events = await this.pending(account.id);
    if (!url || events.length === 0) return { resent: 0 };
    for (const event of events) await this.store.webhooks.save({ ...event, url });
    if (this.store.shared) {
      // Each chat's job now, instead of at its retry or expiry; the events keep their queues (see below).
      for (const key of new Set(events.map(queueKeyOf))) this.scheduler.after(0, CHAT_JOB, { key }, `${CHAT_JOB}:${key}`);
      return { resent: events.length };
    }
    const chats = new Set<ChatQueue>();
    for (const event of events) {
      // The queue the event waits in, under the url it had: a resend moves the events, not the queues.
      const chat = this.chats.get(queueKeyOf(event));
      if (chat) chats.add(chat);
    }
    this.scheduler.after(0, RESEND_JOB, { keys: [...chats].map((chat) => chat.key) });
    return { resent: events.length };
  }

  /** Calls `listener` with each attempt once the journal holds it (the dashboard's live feed). */
  onAttempt(listener: (attempt: WebhookAttempt) => void): void {
    this.attemptListeners.push(listener);
  }

  /** Keeps an attempt in the journal, then tells the listeners (the dashboard's live feed). */
  private async journal(attempt: WebhookAttempt): Promise<void> {
    await this.store.webhooks.recordAttempt(attempt);
    for (const listener of this.attemptListeners) listener(attempt);
  }

  /** Forgets every chat's queue (the engine's reset; their jobs go with the scheduler's). */
  clear(): void {
    this.chats = new Map();
  }

  /**
   * The chat a retry or expiry job names; a restarted engine queues an event that a resend moved to a new
   * url under that url, so the job's key may name no chat while the event heads another.
   */
  private chatOf(key: string, eventId: string): ChatQueue | undefined {
    const named = this.chats.get(key);
    if (named) return named;
    for (const chat of this.chats.values()) if (chat.events[0] === eventId) return chat;
    return undefined;
  }

  /**
   * Sends the chat's first event, unless it is already out; drops events that have expired on the way.
   * Returns once the attempt is out and held by the clock, not when it is answered.
   */
  private async sendFirst(chat: ChatQueue | undefined): Promise<void> {
    if (!chat || chat.sending || this.chats.get(chat.key) !== chat) return;
    chat.sending = true;
    if (chat.retry !== undefined) this.scheduler.cancel(chat.retry);
    chat.retry = undefined;
    if (chat.parked !== undefined) {
      // Its wait for a next event is over (or a resend asked for it): it goes out now.
      chat.events.unshift(chat.parked);
      chat.parked = undefined;
    }
    for (;;) {
      const eventId = chat.events[0];
      if (eventId === undefined) {
        this.chats.delete(chat.key);
        return;
      }
      const event = await this.store.webhooks.get(eventId);
      const at = this.clock.now();
      if (event && event.state === 'pending' && event.expiresAt > at) {
        if (this.playChaos(chat, event, at)) continue;
        return;
      }
      if (event) await this.store.webhooks.delete(eventId);
      chat.events.shift();
    }
  }

  /**
   * The chat's first event goes out, as a chaos rule (if one hits the attempt) has it: posted twice, lost
   * on the way, delayed, or held back behind the chat's next event. True when the chat's first event
   * changed and the caller must look again; otherwise the attempt is out, or waits for its time.
   */
  private playChaos(chat: ChatQueue, event: WebhookEvent, at: number): boolean {
    const decided = chat.decided.get(event.id);
    chat.decided.delete(event.id);
    if (decided) {
      this.attempt(chat, event, at, { mark: decided });
      return false;
    }
    const { provider, key } = parseAccountId(event.accountId);
    const hit = this.options.chaos?.decide<WebhookFault>('webhook', { provider, account: key });
    if (hit?.fault.type === 'delay') {
      chat.sending = false;
      const payload = { key: chat.key, eventId: event.id, chaos: hit.mark };
      chat.retry = this.scheduler.at(at + hit.fault.ms, DELAY_JOB, payload, `${DELAY_JOB}:${event.id}`);
      return false;
    }
    if (hit?.fault.type === 'reorder') {
      chat.events.shift();
      chat.decided.set(event.id, hit.mark);
      if (chat.events.length > 0) {
        chat.events.splice(1, 0, event.id);
        return true;
      }
      // No next event yet: it waits for one (enqueue puts it behind), or goes out alone after a while.
      chat.parked = event.id;
      chat.sending = false;
      const payload = { key: chat.key, eventId: event.id, chaos: hit.mark };
      chat.retry = this.scheduler.at(at + REORDER_WAIT_MS, RELEASE_JOB, payload, `${RELEASE_JOB}:${event.id}`);
      return false;
    }
    this.attempt(chat, event, at, hit && { mark: hit.mark, duplicate: hit.fault.type === 'duplicate', drop: hit.fault.type === 'drop' });
    return false;
  }

  private attempt(chat: ChatQueue, event: WebhookEvent, at: number, chaos?: { mark: ChaosMark; duplicate?: boolean; drop?: boolean }): void {
    const retryDelay = this.profileOf(parseAccountId(event.accountId).provider).webhooks.retryDelaysMs[event.attempts];
    const target = parseUrl(event.url);
    const mark = chaos?.mark;
    const delivery = this.requests
      .run(target?.origin ?? event.url, async () => {
        if (chaos?.drop) return DROPPED;
        if (!chaos?.duplicate) return this.post(target, event.payload);
        // The receiver gets the event twice; both attempts are in the journal, the second one decides.
        const first = await this.post(target, event.payload);
        await this.journal(attemptRecord(event, at, first, mark));
        return this.post(target, event.payload);
      })
      .then((outcome) => this.record(chat, event, at, outcome, retryDelay, mark));
    // Nothing this attempt schedules falls before its retry or the event's expiry: time may run on to there.
    // On success the chat's next event goes out within `delivery`, so it is held before this hold ends.
    this.clock.hold(delivery, Math.min(event.expiresAt, retryDelay === undefined ? Infinity : at + retryDelay), `webhook ${event.id}`);
  }

  private async record(
    chat: ChatQueue,
    event: WebhookEvent,
    at: number,
    outcome: AttemptOutcome,
    retryDelay: number | undefined,
    mark: ChaosMark | undefined,
  ): Promise<void> {
    await this.journal(attemptRecord(event, at, outcome, mark));
    if (this.chats.get(chat.key) !== chat) return; // the engine was reset while the request was out
    // Read again: a resend may have changed its url while the request was out, or it may have expired.
    const current = outcome.ok ? undefined : await this.store.webhooks.get(event.id);
    if (current?.state !== 'pending') {
      // Delivered events are forgotten; the journal keeps the record. The chat moves on.
      if (outcome.ok) await this.store.webhooks.delete(event.id);
      chat.events.shift();
      chat.sending = false;
      await this.sendFirst(chat);
      return;
    }
    const attempts = current.attempts + 1;
    await this.store.webhooks.save({ ...current, attempts });
    chat.sending = false;
    if (attempts === 1) this.scheduler.at(current.expiresAt, EXPIRE_JOB, { key: chat.key, eventId: event.id }, `${EXPIRE_JOB}:${event.id}`);
    if (retryDelay !== undefined) chat.retry = this.scheduler.at(at + retryDelay, RETRY_JOB, { key: chat.key, eventId: event.id }, `${RETRY_JOB}:${event.id}`);
  }

  /**
   * A chat's events on a store several instances share: the chat's queue is in the store and its one job
   * runs on one instance at a time, so its events go out strictly in order whichever instance made them.
   * Sends the first event and waits for the answer (the job's lease is renewed meanwhile); on success the
   * next, and so on. On failure the job is put again for the retry, or past the last retry for the event's
   * expiry, and later events wait behind it. An event leaves the queue only once answered or dropped: an
   * instance that dies with an attempt out leaves it to be sent again (at-least-once).
   */
  private async runSharedChat(key: string): Promise<void> {
    const shared = this.store.shared!;
    const queue = sharedQueueOf(key);
    for (;;) {
      const [head] = await shared.peek(queue, 1);
      if (!head) return;
      const event = await this.store.webhooks.get(head.item);
      const at = this.clock.now();
      if (event?.state !== 'pending' || event.expiresAt <= at) {
        if (event) await this.store.webhooks.delete(event.id);
        await shared.remove(queue, head.seq);
        continue;
      }
      const retryDelay = this.profileOf(parseAccountId(event.accountId).provider).webhooks.retryDelaysMs[event.attempts];
      const target = parseUrl(event.url);
      const outcome = await this.requests.run(target?.origin ?? event.url, () => this.post(target, event.payload));
      await this.store.webhooks.recordAttempt({ eventId: event.id, accountId: event.accountId, url: event.url, at, ...outcome, body: event.payload });
      const current = outcome.ok ? undefined : await this.store.webhooks.get(event.id);
      if (current?.state !== 'pending') {
        if (outcome.ok) await this.store.webhooks.delete(event.id);
        await shared.remove(queue, head.seq);
        continue;
      }
      await this.store.webhooks.save({ ...current, attempts: current.attempts + 1 });
      this.scheduler.at(retryDelay === undefined ? current.expiresAt : at + retryDelay, CHAT_JOB, { key }, `${CHAT_JOB}:${key}`);
      return;
    }
  }

  /** Drops an event that was never accepted within its retention; its chat moves on to the next one. */
  private async expire(key: string, eventId: string): Promise<void> {
    const event = await this.store.webhooks.get(eventId);
    if (event?.state !== 'pending' || event.expiresAt > this.clock.now()) return;
    await this.store.webhooks.delete(eventId);
    // An attempt still out moves the chat on when it ends; otherwise it moves on now.
    const chat = this.chatOf(key, eventId);
    if (chat && !chat.sending && chat.events[0] === eventId) await this.sendFirst(chat);
  }

  private post(target: URL | undefined, payload: unknown): Promise<AttemptOutcome> {
    if (!target) return Promise.resolve({ ok: false, status: null, latencyMs: 0, error: 'invalid url' });
    const started = performance.now();
    const body = JSON.stringify(payload);
    return new Promise((resolve) => {
      const finish = (status: number | null, error: string | null) => {
        clearTimeout(deadline);
        resolve({ ok: error === null, status, latencyMs: elapsed(started), error });
      };
      const secure = target.protocol === 'https:';
      const options: RequestOptions = {
        method: 'POST',
        agent: secure ? this.agents.https : this.agents.http,
        headers: {
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(body),
          'user-agent': 'wa-sandbox-webhooks',
          [SELF_REQUEST_HEADER]: SELF_REQUEST_TOKEN,
        },
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

/** An attempt chaos lost on the way: the receiver never saw it, the sender counts it as failed. */
const DROPPED: AttemptOutcome = { ok: false, status: null, latencyMs: 0, error: 'dropped by chaos' };

function newChat(key: string): ChatQueue {
  return { key, events: [], sending: false, retry: undefined, decided: new Map(), parked: undefined };
}

function attemptRecord(event: WebhookEvent, at: number, outcome: AttemptOutcome, mark: ChaosMark | undefined): WebhookAttempt {
  return {
    eventId: event.id,
    accountId: event.accountId,
    url: event.url,
    at,
    ok: outcome.ok,
    status: outcome.status,
    latencyMs: outcome.latencyMs,
    error: outcome.error,
    body: event.payload,
    ...(mark ? { chaos: mark } : {}),
  };
}

class TimeoutError extends Error {
  override readonly name = 'TimeoutError';
}

/** A chat's queue of event ids in a shared store. */
function sharedQueueOf(key: string): string {
  return `webhook:${key}`;
}

/** The url, if it is one this dispatcher can post to. */
function parseUrl(url: string): URL | undefined {
  try {
    const parsed = new URL(url);
    return parsed.protocol === 'http:' || parsed.protocol === 'https:' ? parsed : undefined;
  } catch {
    return undefined;
  }
}

function elapsed(started: number): number {
  return Math.round((performance.now() - started) * 10) / 10;
}

function describeError(error: Error): string {
  if (error instanceof TimeoutError) return 'timed out';
  return (error as NodeJS.ErrnoException).code ?? error.message;
}
