/**
 * Runs jobs concurrently, at most `limit` at a time, except that jobs given the same key run one after
 * another in the order they were given. Webhooks use it so a receiver gets many chats' events at once,
 * but one chat's events in the order they happened.
 */
export class OrderedPool {
  private active = 0;
  /** Jobs waiting for a free slot, first come first served. */
  private readonly waiting: Array<() => void> = [];
  /** The last job given for each key, settled or not: the next job with that key starts after it. */
  private readonly tails = new Map<string, Promise<void>>();

  constructor(private readonly limit: number) {
    if (!(limit >= 1)) throw new RangeError(`a pool needs at least one slot, got ${limit}`);
  }

  run<T>(key: string, job: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key);
    const result = previous ? previous.then(() => this.inSlot(job)) : this.inSlot(job);
    const tail = result.then(ignore, ignore);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }

  private async inSlot<T>(job: () => Promise<T>): Promise<T> {
    if (this.active < this.limit) this.active++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve)); // the slot is handed over, still counted
    try {
      return await job();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.active--;
    }
  }
}

function ignore(): void {}
