/**
 * The engine's one clock. Every timer in the engine (send pacing, delivery steps, webhook retries,
 * retention) is scheduled here, so a test can move 48 hours in milliseconds.
 *
 * - `real`: virtual time follows the wall clock, multiplied by `speed` (60 = one virtual minute per second).
 * - `manual`: time stands still until `advance()`; advancing runs every task that falls due, in order of
 *   due time, awaiting each one, so a retry scheduled by a failed delivery lands at the right virtual time.
 *   Work that should not make time wait (a webhook's HTTP request) runs beside the clock with `hold()`;
 *   an advance waits for it only up to `heldWorkPatienceMs` of wall time in all.
 *
 * Tasks due "now" run on the next turn of the event loop in both modes, without waiting for an advance.
 */
export type ClockMode = 'real' | 'manual';

export interface ClockState {
  mode: ClockMode;
  speed: number;
  nowMs: number;
  now: string;
  scheduled: number;
}

/**
 * Where the clock's time stood, as data: what a restarted engine reads to carry on (see `restore`).
 * `nowMs` is the virtual time at wall time `wallMs`.
 */
export interface ClockSnapshot {
  mode: ClockMode;
  speed: number;
  nowMs: number;
  wallMs: number;
}

/** The wall-clock functions the real mode needs; injectable so tests never wait for real time. */
export interface WallTime {
  now(): number;
  setTimeout(callback: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

export const systemWallTime: WallTime = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => {
    const handle = setTimeout(callback, ms);
    handle.unref();
    return handle;
  },
  clearTimeout: (handle) => clearTimeout(handle as NodeJS.Timeout),
};

export interface ClockOptions {
  mode: ClockMode;
  speed: number;
  /** Virtual time at start and after reset (epoch ms); defaults to the wall time at creation. */
  startAt?: number;
  wall?: WallTime;
  /**
   * The longest one `advance()` waits, in wall time and in all, for held work (default: no limit). Past
   * it, time moves on without the work still running: the engine sets one webhook timeout, so a receiver
   * that never answers holds an advance up no longer than one attempt may last.
   */
  heldWorkPatienceMs?: number;
  onTaskError?: (error: unknown, label: string) => void;
}

export type TaskFn = () => void | Promise<void>;

export interface ScheduledTask {
  readonly at: number;
  readonly label: string;
  cancel(): void;
}

interface Hold {
  /** The earliest virtual time the work may schedule a task for; time does not reach it until the work ends. */
  horizon: number;
  done: Promise<void>;
}

interface Task extends ScheduledTask {
  seq: number;
  run: TaskFn;
  cancelled: boolean;
}

/** Longest single wall timer; longer waits re-arm, which also keeps clear of setTimeout's 2^31 ms limit. */
const MAX_WALL_TIMER_MS = 60 * 60 * 1000;

export class EngineClock {
  private mode: ClockMode;
  private speed: number;
  private readonly startAt: number;
  private readonly wall: WallTime;
  private readonly heldWorkPatienceMs: number;
  private readonly onTaskError: (error: unknown, label: string) => void;

  /** Virtual time = virtualBase + (wall - wallBase) * speed in real mode; virtualBase alone in manual mode. */
  private virtualBase: number;
  private wallBase: number;

  private readonly heap: Task[] = [];
  private liveTasks = 0;
  private seq = 0;
  private wallTimer: unknown = undefined;
  private dueSoon = false;
  private advancing = false;
  private readonly running = new Set<Promise<void>>();
  private readonly holds = new Set<Hold>();
  private readonly movedListeners: Array<() => void> = [];
  /** Why the clock may not be changed, when it may not (see `lock`). */
  private lockedBecause: string | undefined;

  constructor(options: ClockOptions) {
    if (!(options.speed > 0)) throw new RangeError(`clock speed must be a positive number, got ${options.speed}`);
    this.wall = options.wall ?? systemWallTime;
    this.heldWorkPatienceMs = options.heldWorkPatienceMs ?? Infinity;
    this.mode = options.mode;
    this.speed = options.speed;
    this.startAt = options.startAt ?? this.wall.now();
    this.virtualBase = this.startAt;
    this.wallBase = this.wall.now();
    this.onTaskError = options.onTaskError ?? ((error, label) => console.error(`[clock] task ${label} failed`, error));
  }

  now(): number {
    if (this.mode === 'manual') return this.virtualBase;
    return Math.floor(this.virtualBase + (this.wall.now() - this.wallBase) * this.speed);
  }

  state(): ClockState {
    const nowMs = this.now();
    return { mode: this.mode, speed: this.speed, nowMs, now: new Date(nowMs).toISOString(), scheduled: this.liveTasks };
  }

  /** The clock's time as data, to be stored whenever it moves (see `onMoved`). */
  snapshot(): ClockSnapshot {
    return { mode: this.mode, speed: this.speed, nowMs: this.now(), wallMs: this.wall.now() };
  }

  /**
   * Carries on from a snapshot an earlier run stored: a manual clock resumes exactly where it stood; a real
   * one as if it had run on meanwhile (the downtime passes, at the speed it ran at), so it keeps following
   * the wall clock the way it did and a sandbox at speed 1 still tells the real time. Either way time never
   * goes back, even if the wall clock did. Mode and speed stay this clock's own (the configuration's).
   */
  restore(snapshot: ClockSnapshot): ClockState {
    const downtime = snapshot.mode === 'real' ? Math.max(0, this.wall.now() - snapshot.wallMs) * snapshot.speed : 0;
    this.jumpTo(Math.floor(snapshot.nowMs + downtime));
    this.rearm();
    if (this.peekLive() && this.heap[0]!.at <= this.now()) this.runDueSoon();
    return this.state();
  }

  /** Calls `listener` whenever the clock's time moves other than by the wall clock (advance, mode, speed, reset). */
  onMoved(listener: () => void): void {
    this.movedListeners.push(listener);
  }

  schedule(delayMs: number, run: TaskFn, label = 'task'): ScheduledTask {
    return this.scheduleAt(this.now() + Math.max(0, delayMs), run, label);
  }

  scheduleAt(at: number, run: TaskFn, label = 'task'): ScheduledTask {
    const task: Task = {
      at,
      label,
      seq: this.seq++,
      run,
      cancelled: false,
      cancel: () => {
        if (!task.cancelled) {
          task.cancelled = true;
          this.liveTasks--;
        }
      },
    };
    this.push(task);
    this.liveTasks++;
    if (at <= this.now()) this.runDueSoon();
    else if (this.mode === 'real' && this.heap[0] === task) this.armWallTimer();
    return task;
  }

  /**
   * Lets `work` run beside the clock instead of inside a task: `advance()` goes on running later tasks
   * while it runs, but does not move time to `horizon`, the earliest time the work may schedule a task
   * for, until it has ended (or the advance has run out of patience, see `heldWorkPatienceMs`). A webhook
   * attempt holds until its retry would be due: deliveries overlap, and a retry still runs at its own
   * virtual time. `settle()` waits for held work, however long it takes.
   */
  hold(work: Promise<void>, horizon: number, label = 'held work'): void {
    const done = work.catch((error: unknown) => this.onTaskError(error, label));
    const entry: Hold = { horizon, done };
    this.holds.add(entry);
    void done.finally(() => this.holds.delete(entry));
  }

  /**
   * Moves virtual time forward by `ms`, running every task that falls due in order and awaiting each,
   * then waits for work still in flight. Works in both modes (in real mode it is a jump forward).
   * Held work is waited for up to `heldWorkPatienceMs` of wall time in all; work still running then goes
   * on beside the clock, and a task it schedules for a time already passed runs as soon as it is scheduled.
   */
  async advance(ms: number): Promise<ClockState> {
    this.assertUnlocked();
    if (!(ms >= 0) || !Number.isFinite(ms)) throw new RangeError(`advance needs a non-negative number of ms, got ${ms}`);
    const patientUntil = this.wall.now() + this.heldWorkPatienceMs;
    // Held work is waited for below, only as far as its horizon asks.
    await this.settleTasks(-Infinity);
    const target = this.now() + ms;
    this.advancing = true;
    try {
      for (;;) {
        const next = this.peekLive();
        const blocking = this.wall.now() < patientUntil ? this.holdsReaching(next && next.at <= target ? next.at : target) : [];
        if (blocking.length > 0) {
          // Held work may schedule tasks before `next`: wait for it (or for patience to run out), then look again.
          await this.until(Promise.all(blocking), patientUntil);
          continue;
        }
        if (!next || next.at > target) break;
        this.pop();
        this.liveTasks--;
        this.jumpTo(Math.max(this.now(), next.at));
        await this.execute(next);
      }
      this.jumpTo(Math.max(this.now(), target));
    } finally {
      this.advancing = false;
    }
    await this.settleTasks(patientUntil);
    this.rearm();
    return this.state();
  }

  /**
   * Resolves once nothing is due and no task is still running (webhook deliveries included). Tasks due
   * now are started here rather than left for the next turn of the event loop, which may come later.
   */
  async settle(): Promise<void> {
    await this.settleTasks(Infinity);
  }

  /** Runs what is due and waits for running tasks, and for held work too until the wall time `heldUntil`. */
  private async settleTasks(heldUntil: number): Promise<void> {
    for (;;) {
      this.fireDue();
      const withHeld = this.holds.size > 0 && this.wall.now() < heldUntil;
      if (!withHeld && this.running.size === 0) return;
      const tasks = Promise.allSettled(this.running);
      const held = withHeld ? this.until(Promise.allSettled([...this.holds].map((entry) => entry.done)), heldUntil) : undefined;
      await Promise.all([tasks, held]);
    }
  }

  /** Waits for `work`, or until the wall time `deadline`, whichever comes first. */
  private async until(work: Promise<unknown>, deadline: number): Promise<void> {
    if (deadline === Infinity) {
      await work;
      return;
    }
    let timer: unknown;
    const timeUp = new Promise<void>((resolve) => (timer = this.wall.setTimeout(resolve, Math.max(0, deadline - this.wall.now()))));
    try {
      await Promise.race([work, timeUp]);
    } finally {
      this.wall.clearTimeout(timer);
    }
  }

  /**
   * Refuses every later change of mode, speed or time (`ClockLockedError` with `reason`): a clock that
   * several instances share through their store moves only with the wall clock.
   */
  lock(reason: string): void {
    this.lockedBecause = reason;
  }

  private assertUnlocked(): void {
    if (this.lockedBecause !== undefined) throw new ClockLockedError(this.lockedBecause);
  }

  setMode(mode: ClockMode): ClockState {
    this.assertUnlocked();
    if (mode !== this.mode) {
      this.rebase();
      this.mode = mode;
      this.moved();
      this.rearm();
    }
    return this.state();
  }

  setSpeed(speed: number): ClockState {
    this.assertUnlocked();
    if (!(speed > 0) || !Number.isFinite(speed)) throw new RangeError(`clock speed must be a positive number, got ${speed}`);
    this.rebase();
    this.speed = speed;
    this.moved();
    this.rearm();
    return this.state();
  }

  /** Drops every scheduled task and returns to the start time; mode and speed are kept. */
  reset(): void {
    for (const task of this.heap) task.cancelled = true;
    this.heap.length = 0;
    this.liveTasks = 0;
    this.jumpTo(this.startAt);
    this.rearm();
  }

  private rebase(): void {
    this.jumpTo(this.now());
  }

  private jumpTo(virtualTime: number): void {
    this.virtualBase = virtualTime;
    this.wallBase = this.wall.now();
    this.moved();
  }

  private moved(): void {
    for (const listener of this.movedListeners) listener();
  }

  private holdsReaching(time: number): Promise<void>[] {
    const blocking: Promise<void>[] = [];
    for (const held of this.holds) if (held.horizon <= time) blocking.push(held.done);
    return blocking;
  }

  private runDueSoon(): void {
    if (this.dueSoon) return;
    this.dueSoon = true;
    setImmediate(() => {
      this.dueSoon = false;
      this.fireDue();
    });
  }

  /** Fires every task already due; they run concurrently and are tracked for settle(). */
  private fireDue(): void {
    if (this.advancing) return; // advance() runs due tasks itself, one at a time
    const now = this.now();
    for (;;) {
      const next = this.peekLive();
      if (!next || next.at > now) break;
      this.pop();
      this.liveTasks--;
      void this.execute(next);
    }
    this.rearm();
  }

  private execute(task: Task): Promise<void> {
    const running = (async () => {
      try {
        await task.run();
      } catch (error) {
        this.onTaskError(error, task.label);
      }
    })();
    this.running.add(running);
    void running.finally(() => this.running.delete(running));
    return running;
  }

  private rearm(): void {
    if (this.wallTimer !== undefined) {
      this.wall.clearTimeout(this.wallTimer);
      this.wallTimer = undefined;
    }
    if (this.mode === 'real') this.armWallTimer();
  }

  private armWallTimer(): void {
    const next = this.peekLive();
    if (!next) return;
    if (this.wallTimer !== undefined) this.wall.clearTimeout(this.wallTimer);
    const wait = Math.min(MAX_WALL_TIMER_MS, Math.max(0, Math.ceil((next.at - this.now()) / this.speed)));
    this.wallTimer = this.wall.setTimeout(() => {
      this.wallTimer = undefined;
      this.fireDue();
    }, wait);
  }

  private peekLive(): Task | undefined {
    while (this.heap.length > 0 && this.heap[0]!.cancelled) this.pop();
    return this.heap[0];
  }

  // A binary min-heap ordered by (at, seq): equal due times keep scheduling order.
  private push(task: Task): void {
    const heap = this.heap;
    heap.push(task);
    let i = heap.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!before(heap[i]!, heap[parent]!)) break;
      [heap[i], heap[parent]] = [heap[parent]!, heap[i]!];
      i = parent;
    }
  }

  private pop(): Task | undefined {
    const heap = this.heap;
    const top = heap[0];
    const last = heap.pop();
    if (heap.length > 0 && last) {
      heap[0] = last;
      let i = 0;
      for (;;) {
        const left = 2 * i + 1;
        const right = left + 1;
        let smallest = i;
        if (left < heap.length && before(heap[left]!, heap[smallest]!)) smallest = left;
        if (right < heap.length && before(heap[right]!, heap[smallest]!)) smallest = right;
        if (smallest === i) break;
        [heap[i], heap[smallest]] = [heap[smallest]!, heap[i]!];
        i = smallest;
      }
    }
    return top;
  }
}

function before(a: Task, b: Task): boolean {
  return a.at < b.at || (a.at === b.at && a.seq < b.seq);
}

/** A change asked of a clock that may not change (EngineClock.lock). */
export class ClockLockedError extends Error {}
