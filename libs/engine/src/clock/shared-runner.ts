import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { ClaimedJob, SharedWork } from '../store/store.js';
import type { EngineClock } from './clock.js';

/**
 * How long a claimed job stays an instance's without a renewal (wall time): how long the others wait
 * before taking over the jobs of an instance that died. Renewed every third of it while the job runs, so a
 * busy instance keeps what it runs; an instance stalled for longer loses it and the job may run twice
 * (at-least-once, as webhook delivery already is).
 */
export const LEASE_MS = 10_000;
/** Wall time between two looks for due jobs when the last look found no more than it took. */
const POLL_MS = 20;
/** Jobs one instance runs at once (a webhook's request, a media fetch may take seconds). */
const MAX_RUNNING = 256;
/** Jobs claimed per statement. */
const CLAIM_BATCH = 64;

/**
 * Runs the schedule of a store that several instances share: instead of arming each job on its own clock,
 * an instance claims due jobs (`SharedWork.claim`, SKIP LOCKED) under a lease, runs them, and finishes them
 * (deleted, or released when put again meanwhile). Whichever instance is free takes the next due job; one
 * job id is never run by two live instances at once, which is what keeps a send line's pacing and a
 * webhook chat's order (their work is one job per line, per chat). Due is judged on the instance's clock,
 * which all instances anchor on the store's (see WhatsAppEngine.resume).
 */
export class SharedJobRunner {
  /** Names this instance in the leases it holds (host, process, and a random part for restarts). */
  readonly owner = `${hostname()}:${process.pid}:${randomUUID().slice(0, 8)}`;
  private readonly running = new Map<string, ClaimedJob>();
  private polling = false;
  private pollAgain = false;
  private stopped = true;
  private timer: NodeJS.Timeout | undefined;
  private renewTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly clock: EngineClock,
    private readonly shared: SharedWork,
    /** Runs the job's handler. */
    private readonly execute: (job: ClaimedJob) => Promise<void>,
    /** Finishes the job once its handler is done, after the writes the handler asked for. */
    private readonly finish: (job: ClaimedJob) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    this.renewTimer = setInterval(() => this.renew(), LEASE_MS / 3);
    this.renewTimer.unref();
    this.poke();
  }

  /** Stops claiming; jobs still running finish, and what is left is taken over when their leases run out. */
  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    clearInterval(this.renewTimer);
  }

  /** Looks for due jobs on the next turn of the event loop (a job was just put due now). */
  poke(): void {
    if (this.stopped) return;
    if (this.polling) {
      this.pollAgain = true;
      return;
    }
    clearTimeout(this.timer);
    this.timer = setTimeout(() => void this.poll(), 0);
    this.timer.unref();
  }

  private async poll(): Promise<void> {
    this.polling = true;
    try {
      for (;;) {
        this.pollAgain = false;
        const room = Math.min(CLAIM_BATCH, MAX_RUNNING - this.running.size);
        if (room <= 0 || this.stopped) break;
        const jobs = await this.shared.claim(this.owner, this.clock.now(), LEASE_MS, room);
        for (const job of jobs) this.run(job);
        if (jobs.length < room && !this.pollAgain) break;
      }
    } catch (error) {
      this.onError(error);
    } finally {
      this.polling = false;
      if (!this.stopped) {
        this.timer = setTimeout(() => void this.poll(), POLL_MS);
        this.timer.unref();
      }
    }
  }

  private run(job: ClaimedJob): void {
    this.running.set(job.id, job);
    void this.execute(job).finally(() => {
      this.running.delete(job.id);
      this.finish(job);
    });
  }

  private renew(): void {
    if (this.running.size === 0) return;
    this.shared.renew(this.owner, [...this.running.keys()], LEASE_MS).catch(this.onError);
  }
}
