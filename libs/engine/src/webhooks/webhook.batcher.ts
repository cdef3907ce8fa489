import type { Scheduler } from '../clock/scheduler.js';
import type { ScheduledJob, SharedWork } from '../store/store.js';
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

/** A batch's job on a shared store: the body's shape, with PAYLOADS_PLACEHOLDER where the payloads go. */
interface SharedBatchPayload {
  accountId: string;
  url: string;
  key: string;
  envelope: unknown;
}

/** What `wrap` is given in place of the payloads (WebhookBatch.wrap places the array it gets as it is). */
const PAYLOADS_PLACEHOLDER = '\u0000wa-sandbox batched payloads';
/** Payloads one shared batch body carries at most; more go in the next. */
const MAX_SHARED_BATCH = 1_000;

function sharedQueueOf(key: string): string {
  return `batch:${key}`;
}

/** `envelope` with the placeholder array replaced by `payloads`. */
function fillPlaceholder(envelope: unknown, payloads: unknown[]): unknown {
  if (Array.isArray(envelope)) {
    if (envelope.length === 1 && envelope[0] === PAYLOADS_PLACEHOLDER) return payloads;
    return envelope.map((item) => fillPlaceholder(item, payloads));
  }
  if (envelope !== null && typeof envelope === 'object') {
    return Object.fromEntries(Object.entries(envelope).map(([name, value]) => [name, fillPlaceholder(value, payloads)]));
  }
  return envelope;
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
    /** On a store several instances share, a batch's payloads are collected there (see `addShared`). */
    private readonly shared?: SharedWork,
  ) {
    scheduler.handle(BATCH_JOB, (payload) => {
      if (shared) return this.closeShared(shared, payload as unknown as SharedBatchPayload);
      const { accountId, url, key, body } = payload as unknown as BatchPayload;
      this.open.delete(key);
      return this.deliver(accountId, url, body, key);
    });
  }

  async add(account: Account, url: string, payload: unknown, batch: WebhookBatch): Promise<void> {
    // JSON, not a NUL-separated string: PostgreSQL's text (a shared store's job ids, queue names) holds no NUL.
    const key = JSON.stringify([account.id, url, batch.key]);
    if (this.shared) return this.addShared(account, url, key, payload, batch);
    let current = this.open.get(key);
    // The window opens with the first payload; later ones only rewrite the job's payload (its due time stays).
    if (!current) this.open.set(key, (current = { dueAt: this.scheduler.now() + batch.windowMs, payloads: [] }));
    current.payloads.push(payload);
    // A copy: the job is data, which later payloads must not change before the store has written it.
    const payloads = [...current.payloads];
    const job: BatchPayload = { accountId: account.id, url, key, payloads, body: batch.wrap(payloads) };
    this.scheduler.at(current.dueAt, BATCH_JOB, { ...job }, `${BATCH_JOB}:${key}`);
  }

  /**
   * Several instances may add to one batch: its payloads are a queue in the store, and its job (inserted by
   * the first payload, so the window opens then) keeps the body's shape as data: `wrap` applied to a
   * placeholder that closing replaces with the payloads, so any instance can close it.
   */
  private async addShared(account: Account, url: string, key: string, payload: unknown, batch: WebhookBatch): Promise<void> {
    const job: SharedBatchPayload = { accountId: account.id, url, key, envelope: batch.wrap([PAYLOADS_PLACEHOLDER]) };
    await this.scheduler.enqueue(
      sharedQueueOf(key),
      JSON.stringify(payload),
      this.scheduler.now() + batch.windowMs,
      BATCH_JOB,
      { ...job },
      `${BATCH_JOB}:${key}`,
    );
  }

  /** Sends what the batch collected; payloads added meanwhile stay for the job's next run (ensure ran it again). */
  private async closeShared(shared: SharedWork, { accountId, url, key, envelope }: SharedBatchPayload): Promise<void> {
    const items = await shared.peek(sharedQueueOf(key), MAX_SHARED_BATCH);
    if (items.length === 0) return;
    const payloads = items.map((item) => JSON.parse(item.item) as unknown);
    await this.deliver(accountId, url, fillPlaceholder(envelope, payloads), key);
    await shared.remove(sharedQueueOf(key), items.at(-1)!.seq);
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
