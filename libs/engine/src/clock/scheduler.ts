import { randomUUID } from 'node:crypto';
import { serialKeyOf, type EngineStore, type ScheduledJob, type SharedWork } from '../store/store.js';
import type { ClockSnapshot, EngineClock, ScheduledTask } from './clock.js';
import { SharedJobRunner } from './shared-runner.js';

/** Runs a job of one kind; gets the job's payload, which is plain JSON. */
export type JobHandler = (payload: Record<string, unknown>) => unknown;

/** The state key the clock's snapshot is stored under. */
export const CLOCK_STATE_KEY = 'clock';

interface ArmedJob {
  job: ScheduledJob;
  task: ScheduledTask;
  /** Its task has started: cancelling the clock task now would miscount the clock's live tasks. */
  fired: boolean;
}

/**
 * The engine's promises of future work, as data. Every job is a row in the store (`schedule`) naming a
 * handler kind, a virtual due time and a JSON payload, and a task on the clock that runs the handler and
 * then deletes the row. The clock stays the executor, so a manual `advance()` runs jobs exactly as it ran
 * closures; the rows are what a restarted engine (`resume`) arms again, and what a store shared by
 * several instances could lease.
 *
 * Arming is synchronous, so jobs keep the clock's order (due time, then scheduling order) exactly as the
 * closures they replace; the store writes follow in the same order, one after another (`written`).
 *
 * On a store several instances share (`store.shared`), jobs are not armed on this instance's clock: they
 * are rows any instance claims when due (SharedJobRunner), and the clock's time is the store's anchor,
 * written once (WhatsAppEngine.resume), not on every move.
 */
export class Scheduler {
  private readonly handlers = new Map<string, JobHandler>();
  private readonly armed = new Map<string, ArmedJob>();
  /** Store writes run one after another, in the order they were asked for, so a delete never overtakes its put. */
  private writing: Promise<void> = Promise.resolve();
  /**
   * On a shared store, a job's writes run one after another (its put, a put by its handler, its finish),
   * and so do the writes of the jobs sharing a serial key, but other jobs' writes run at once over the
   * store's connections: one chain for all of them made every request wait for the instance's whole
   * backlog of job writes. Keyed by serial key, else by job id.
   */
  private readonly jobWrites = new Map<string, Promise<void>>();
  private clockWriteQueued = false;

  /** Present on a shared store: claims and runs due jobs instead of the clock. */
  private readonly runner: SharedJobRunner | undefined;

  constructor(
    private readonly clock: EngineClock,
    private readonly store: Pick<EngineStore, 'schedule' | 'state' | 'shared'>,
    private readonly onWriteError: (error: unknown) => void = (error) => console.error('[scheduler] store write failed', error),
  ) {
    const shared = store.shared;
    if (shared) {
      this.runner = new SharedJobRunner(
        clock,
        shared,
        (job) => this.runClaimed(job.kind, job.payload),
        // After every write asked for so far (the handler's jobs among them): a job finished before the jobs
        // it scheduled are in the store would leave nothing to carry on if this instance died in between.
        (job) => void this.jobsWritten().then(() => this.writeJob(serialKeyOf(job) ?? job.id, () => shared.finish(this.runner!.owner, job))),
        onWriteError,
      );
    } else clock.onMoved(() => this.saveClock());
  }

  /** Whether jobs are shared with other instances through the store (then see `ensure`). */
  get shared(): boolean {
    return this.runner !== undefined;
  }

  /** Registers the handler for a kind of job; each service registers its own when it is built. */
  handle(kind: string, handler: JobHandler): void {
    if (this.handlers.has(kind)) throw new Error(`a handler for ${kind} jobs is already registered`);
    this.handlers.set(kind, handler);
  }

  /**
   * Promises to run `kind`'s handler with `payload` at virtual time `dueAt`; returns the job's id. A job
   * with the same id is replaced: only its payload changes when its due time and kind are the same (it
   * keeps its place among jobs due at that time), otherwise it is rearmed.
   */
  at(dueAt: number, kind: string, payload: Record<string, unknown>, id: string = randomUUID()): string {
    if (!this.handlers.has(kind)) throw new Error(`no handler for ${kind} jobs`);
    const job: ScheduledJob = { id, kind, dueAt, payload };
    if (this.runner) {
      // A message's jobs are put one after another: put at once, a read receipt could be in the store (and
      // claimed) before the delivery due before it, and run beside it (see serialKeyOf).
      const written = this.writeJob(serialKeyOf(job) ?? id, () => this.store.schedule.put(job));
      if (dueAt <= this.clock.now()) void written.then(() => this.runner?.poke());
      return id;
    }
    const current = this.armed.get(id);
    if (current && !current.fired && current.job.dueAt === dueAt && current.job.kind === kind) current.job = job;
    else {
      this.disarm(current);
      this.arm(job);
    }
    this.write(() => this.store.schedule.put(job));
    return id;
  }

  /**
   * `at` for several jobs that belong together (what follows one step of a message). On a shared store they
   * are written in one statement (SharedWork.putAll): an instance that dies meanwhile leaves all or none.
   */
  atAll(jobs: ScheduledJob[]): void {
    const shared = this.store.shared;
    if (!this.runner || !shared || jobs.length < 2) {
      for (const job of jobs) this.at(job.dueAt, job.kind, job.payload, job.id);
      return;
    }
    for (const job of jobs) if (!this.handlers.has(job.kind)) throw new Error(`no handler for ${job.kind} jobs`);
    const [first] = jobs as [ScheduledJob];
    const written = this.writeJob(serialKeyOf(first) ?? first.id, () => shared.putAll(jobs));
    if (jobs.some((job) => job.dueAt <= this.clock.now())) void written.then(() => this.runner?.poke());
  }

  /**
   * Resolves once the job writes asked for so far are in the store (not those asked for meanwhile, which
   * `written` waits for too). What a shared queue's job waits for before it lets an item go: the item's
   * work must be in the store first, or an instance dying in between would lose it.
   */
  async jobsWritten(): Promise<void> {
    await Promise.all(this.jobWrites.values());
  }

  /**
   * Shared stores only: makes sure a job with this id is scheduled: inserted unless one is there (which keeps
   * its due time), and run once more if it is running now. What a line's send queue and a webhook chat use
   * to wake their one job without losing a wake-up to a run that is just ending on another instance.
   * Resolves once it is written.
   */
  async ensure(dueAt: number, kind: string, payload: Record<string, unknown>, id: string): Promise<void> {
    await this.sharedWrite(dueAt, kind, id, (shared) => shared.ensure({ id, kind, dueAt, payload }));
  }

  /** Shared stores only: appends `item` to a queue in the store and `ensure`s the job that works it, at once. */
  async enqueue(queue: string, item: string, dueAt: number, kind: string, payload: Record<string, unknown>, id: string): Promise<void> {
    await this.sharedWrite(dueAt, kind, id, (shared) => shared.enqueue(queue, item, { id, kind, dueAt, payload }));
  }

  private async sharedWrite(dueAt: number, kind: string, id: string, write: (shared: SharedWork) => Promise<void>): Promise<void> {
    const shared = this.store.shared;
    if (!this.runner || !shared) throw new Error('shared jobs need a store shared by several instances');
    if (!this.handlers.has(kind)) throw new Error(`no handler for ${kind} jobs`);
    await this.writeJob(id, () => write(shared));
    if (dueAt <= this.clock.now()) this.runner.poke();
  }

  /** The clock's time. */
  now(): number {
    return this.clock.now();
  }

  /** `at(now + delayMs)`. */
  after(delayMs: number, kind: string, payload: Record<string, unknown>, id?: string): string {
    return this.at(this.clock.now() + Math.max(0, delayMs), kind, payload, id);
  }

  /** Drops a job, whether or not it was ever armed here; nothing happens for one already gone. */
  cancel(id: string): void {
    if (this.runner) {
      void this.writeJob(id, () => this.store.schedule.delete(id));
      return;
    }
    const current = this.armed.get(id);
    this.disarm(current);
    this.armed.delete(id);
    this.write(() => this.store.schedule.delete(id));
  }

  /**
   * Carries on where the store says an earlier run stopped: the clock resumes from its stored time, and
   * every stored job not armed yet is armed (one already due runs at once; due order, then insertion order).
   * Call once at start, after the services have rebuilt what they keep in memory (their own jobs included).
   */
  async resume(): Promise<void> {
    await this.written();
    if (this.runner) {
      this.runner.start();
      return;
    }
    for (const job of await this.store.schedule.list()) {
      if (this.armed.has(job.id)) continue;
      if (!this.handlers.has(job.kind)) throw new Error(`stored job ${job.id} is of kind ${job.kind}, which no service handles`);
      this.arm(job);
    }
  }

  /** The clock's stored snapshot, if an earlier run left one. */
  async storedClock(): Promise<ClockSnapshot | undefined> {
    return this.recall<ClockSnapshot>(CLOCK_STATE_KEY);
  }

  /** A small named value stored with `remember`, once the writes asked for so far are in. */
  async recall<T>(key: string): Promise<T | undefined> {
    await this.written();
    return this.store.state.get<T>(key);
  }

  /** Stores a small named value, in order with the job writes. */
  remember(key: string, value: unknown): void {
    this.write(() => this.store.state.set(key, value));
  }

  /** Forgets the armed jobs (the engine's reset: the clock drops their tasks, the store its rows). */
  clear(): void {
    this.armed.clear();
  }

  /** Stops claiming shared jobs (the engine is closing); its leases run out and others take over. */
  stop(): void {
    this.runner?.stop();
  }

  /** Resolves once every write asked for so far is in the store. */
  async written(): Promise<void> {
    let pending: Promise<void>;
    do {
      pending = this.writing;
      await pending;
      await Promise.all(this.jobWrites.values());
    } while (pending !== this.writing || this.jobWrites.size > 0);
  }

  private arm(job: ScheduledJob): void {
    const entry: ArmedJob = {
      job,
      fired: false,
      task: this.clock.scheduleAt(job.dueAt, () => this.run(entry), `${job.kind} ${job.id}`),
    };
    this.armed.set(job.id, entry);
  }

  private disarm(entry: ArmedJob | undefined): void {
    if (entry && !entry.fired) entry.task.cancel();
  }

  private async runClaimed(kind: string, payload: Record<string, unknown>): Promise<void> {
    const handler = this.handlers.get(kind);
    if (!handler) throw new Error(`a claimed job is of kind ${kind}, which no service here handles`);
    try {
      await handler(payload);
    } catch (error) {
      console.error(`[scheduler] job ${kind} failed`, error);
    }
  }

  private async run(entry: ArmedJob): Promise<void> {
    entry.fired = true;
    try {
      await this.handlers.get(entry.job.kind)!(entry.job.payload);
    } finally {
      // The handler may have put a job under the same id (a send line's next turn): that one stays.
      if (this.armed.get(entry.job.id) === entry) {
        this.armed.delete(entry.job.id);
        this.write(() => this.store.schedule.delete(entry.job.id));
      }
    }
  }

  /** The clock's time is written once per burst of moves: the write reads the latest snapshot when its turn comes. */
  private saveClock(): void {
    if (this.clockWriteQueued) return;
    this.clockWriteQueued = true;
    this.write(() => {
      this.clockWriteQueued = false;
      return this.store.state.set(CLOCK_STATE_KEY, this.clock.snapshot());
    });
  }

  /** A shared job's write, after the writes asked for that job (or its serial key) before it; resolves once it is in the store. */
  private writeJob(id: string, operation: () => Promise<unknown>): Promise<void> {
    const written = (this.jobWrites.get(id) ?? Promise.resolve())
      .then(async () => {
        await operation();
      })
      .catch(this.onWriteError);
    this.jobWrites.set(id, written);
    void written.then(() => {
      if (this.jobWrites.get(id) === written) this.jobWrites.delete(id);
    });
    return written;
  }

  private write(operation: () => Promise<unknown>): void {
    this.writing = this.writing
      .then(async () => {
        await operation();
      })
      .catch(this.onWriteError);
  }
}
