import type { Scheduler } from '../clock/scheduler.js';
import type { ScheduledJob } from '../store/store.js';
import type { Account } from '../store/models.js';
import type { WebhookBatch } from '../world/provider-profile.js';

const BATCH_JOB = 'webhook.batch';

/**
 * An open batch is its job's payload: what arrived so far and the body made of it, so the body goes out
 * even from an engine restarted after the provider's `wrap` (behaviour, not data) was last at hand.
 */
interface BatchPayload {
  accountId: string;
  url: string;
  key: string;
  payloads: unknown[];
  body: unknown;
}

/**
 * Collects webhook payloads that a provider sends together (Maytapi's acks, one array every 2 s of
 * clock time) and hands each batch to the dispatcher as one event when its window closes.
 */
export class WebhookBatcher {
  /** Open batches by key: when each closes and what arrived so far. */
  private readonly open = new Map<string, { dueAt: number; payloads: unknown[] }>();

  constructor(
    private readonly scheduler: Scheduler,
    /** `orderKey` is the batch's key: one batch stream's calls arrive in order. */
    private readonly deliver: (accountId: string, url: string, payload: unknown, orderKey: string) => Promise<void>,
  ) {
    scheduler.handle(BATCH_JOB, (payload) => {
      const { accountId, url, key, body } = payload as unknown as BatchPayload;
      this.open.delete(key);
      return this.deliver(accountId, url, body, key);
    });
  }

  add(account: Account, url: string, payload: unknown, batch: WebhookBatch): void {
    const key = `${account.id}\u0000${url}\u0000${batch.key}`;
    let current = this.open.get(key);
    // The window opens with the first payload; later ones only rewrite the job's payload (its due time stays).
    if (!current) this.open.set(key, (current = { dueAt: this.scheduler.now() + batch.windowMs, payloads: [] }));
    current.payloads.push(payload);
    // A copy: the job is data, which later payloads must not change before the store has written it.
    const payloads = [...current.payloads];
    const job: BatchPayload = { accountId: account.id, url, key, payloads, body: batch.wrap(payloads) };
    this.scheduler.at(current.dueAt, BATCH_JOB, { ...job }, `${BATCH_JOB}:${key}`);
  }

  /** Reopens the batches a stopped engine left open (call before the scheduler resumes). */
  restore(jobs: ScheduledJob[]): void {
    for (const job of jobs) {
      if (job.kind === BATCH_JOB) this.open.set(job.payload.key as string, { dueAt: job.dueAt, payloads: [...(job.payload.payloads as unknown[])] });
    }
  }

  /** Forgets open batches (their jobs go with the scheduler's reset). */
  clear(): void {
    this.open.clear();
  }
}
