import type { EngineClock } from '../clock/clock.js';
import type { Account } from '../store/models.js';
import type { WebhookBatch } from '../world/provider-profile.js';

interface OpenBatch {
  payloads: unknown[];
}

/**
 * Collects webhook payloads that a provider sends together (Maytapi's acks, one array every 2 s of
 * clock time) and hands each batch to the dispatcher as one event when its window closes.
 */
export class WebhookBatcher {
  private readonly open = new Map<string, OpenBatch>();

  constructor(
    private readonly clock: EngineClock,
    /** `orderKey` is the batch's key: one batch stream's calls arrive in order. */
    private readonly deliver: (account: Account, url: string, payload: unknown, orderKey: string) => Promise<void>,
  ) {}

  add(account: Account, url: string, payload: unknown, batch: WebhookBatch): void {
    const key = `${account.id}\u0000${url}\u0000${batch.key}`;
    let current = this.open.get(key);
    if (!current) {
      const opened: OpenBatch = (current = { payloads: [] });
      this.open.set(key, opened);
      this.clock.schedule(batch.windowMs, () => {
        this.open.delete(key);
        return this.deliver(account, url, batch.wrap(opened.payloads), key);
      }, `webhook batch ${key}`);
    }
    current.payloads.push(payload);
  }

  /** Forgets open batches (their timers go with the clock's reset). */
  clear(): void {
    this.open.clear();
  }
}
