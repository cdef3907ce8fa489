/**
 * Runs jobs concurrently, at most `perDestination` at a time for one destination and at most `total` over
 * all of them. Webhooks use it with the receiver's origin as the destination, so a receiver that never
 * answers ties up only its own slots, and the total still bounds the sockets open at once.
 *
 * A destination's jobs start in the order they were given. When the total is reached, freed slots go to
 * the waiting destinations in turn, one job each, so one destination's backlog cannot starve the others.
 */
export class DestinationPool {
  private active = 0;
  private readonly destinations = new Map<string, Destination>();
  /** Destinations with a job waiting and a slot of their own free, in the order they get the next free slot. */
  private readonly turns: Destination[] = [];

  constructor(
    readonly perDestination: number,
    readonly total: number,
  ) {
    if (!(perDestination >= 1) || !(total >= perDestination)) {
      throw new RangeError(`a pool needs at least one slot per destination and as many in total, got ${perDestination} and ${total}`);
    }
  }

  run<T>(destination: string, job: () => Promise<T>): Promise<T> {
    let state = this.destinations.get(destination);
    if (!state) {
      state = { key: destination, active: 0, waiting: [], inTurns: false };
      this.destinations.set(destination, state);
    }
    if (state.active < this.perDestination && this.active < this.total) {
      this.take(state);
      return this.inSlot(state, job);
    }
    return new Promise<void>((resolve) => {
      state.waiting.push(resolve);
      this.queueTurn(state);
    }).then(() => this.inSlot(state, job)); // the slot was taken for it when it was resolved
  }

  private async inSlot<T>(state: Destination, job: () => Promise<T>): Promise<T> {
    try {
      return await job();
    } finally {
      state.active--;
      this.active--;
      this.queueTurn(state);
      this.handOut();
      if (state.active === 0 && state.waiting.length === 0) this.destinations.delete(state.key);
    }
  }

  private take(state: Destination): void {
    state.active++;
    this.active++;
  }

  /** Puts a destination in line for a slot when it has a job waiting and may run one more. */
  private queueTurn(state: Destination): void {
    if (!state.inTurns && state.waiting.length > 0 && state.active < this.perDestination) {
      state.inTurns = true;
      this.turns.push(state);
    }
  }

  /** Starts waiting jobs while slots are free, one per destination in turn. */
  private handOut(): void {
    while (this.active < this.total && this.turns.length > 0) {
      const state = this.turns.shift()!;
      state.inTurns = false;
      const start = state.waiting.shift();
      if (!start) continue;
      this.take(state);
      start();
      this.queueTurn(state);
    }
  }
}

interface Destination {
  key: string;
  active: number;
  /** Jobs given while the destination or the pool was full, first come first served. */
  waiting: Array<() => void>;
  inTurns: boolean;
}
