import type { Scheduler } from '../clock/scheduler.js';
import type { ScheduledJob, SharedWork } from '../store/store.js';
import { pickDuration, seededRandom, type DurationRange } from '../random.js';

/** Time between two messages leaving one line, for providers that do not set their own. */
export const DEFAULT_SEND_PACING: DurationRange = { minMs: 200, maxMs: 1_000 };

/** The job that hands a line's next message to WhatsApp. */
export const SEND_NEXT_JOB = 'send.next';
/** Each line's count of messages handed on, stored when the line runs dry (its pacing draws go on from it). */
const DISPATCHED_STATE_KEY = 'send-queue.dispatched';

interface Line {
  pacing: DurationRange;
  ids: string[];
  head: number;
  /** The line's next turn is a job in the schedule. */
  armed: boolean;
  dispatched: number;
}

/** What a restarted engine knows of a line: its queued messages in order, and whether its next turn is a stored job. */
export interface RestoredLine {
  lineId: string;
  pacing: DurationRange;
  messageIds: string[];
}

/** What the message service hands accepted messages to: a SendQueue, or a SharedSendQueue on a shared store. */
export interface SendLines {
  /** Appends a message to its line; `pacing` is the line's provider's interval between sends. Resolves once the message is in the queue. */
  enqueue(lineId: string, messageId: string, pacing: DurationRange): void | Promise<void>;
}

/**
 * One queue per line: a line hands one message at a time to WhatsApp, each after a pacing interval.
 * Only the head of each line has a job, so a deep queue costs an array slot per message, not a job. The
 * queue itself is not stored: the queued messages are (their status says so), and `restore` rebuilds it.
 */
export class SendQueue implements SendLines {
  private readonly lines = new Map<string, Line>();

  constructor(
    private readonly scheduler: Scheduler,
    private readonly seed: number,
    private readonly dispatch: (messageId: string) => Promise<void>,
  ) {
    scheduler.handle(SEND_NEXT_JOB, (payload) => this.next(payload.lineId as string));
  }

  /** Appends a message to its line; `pacing` is the line's provider's interval between sends. */
  enqueue(lineId: string, messageId: string, pacing: DurationRange): void {
    const line = this.line(lineId, pacing);
    line.ids.push(messageId);
    if (!line.armed) this.arm(lineId, line);
  }

  clear(): void {
    this.lines.clear();
  }

  /**
   * Rebuilds the lines a stopped engine left (call before the scheduler resumes): each line's queued
   * messages, its count of messages handed on, and its next turn, which is the stored job when there is one
   * (`dispatched` is in its payload) and a new one otherwise.
   */
  async restore(lines: RestoredLine[], storedTurns: Map<string, number>): Promise<void> {
    const dispatched = (await this.scheduler.recall<Record<string, number>>(DISPATCHED_STATE_KEY)) ?? {};
    for (const [lineId, count] of Object.entries(dispatched)) this.line(lineId, DEFAULT_SEND_PACING).dispatched = count;
    for (const [lineId, count] of storedTurns) this.line(lineId, DEFAULT_SEND_PACING).dispatched = count;
    for (const { lineId, pacing, messageIds } of lines) {
      const line = this.line(lineId, pacing);
      line.pacing = pacing;
      line.ids.push(...messageIds);
      line.armed = storedTurns.has(lineId);
      if (!line.armed && line.ids.length > 0) this.arm(lineId, line);
    }
  }

  /** Each line's stored next turn and its count of messages handed on before it. */
  static storedTurns(jobs: ScheduledJob[]): Map<string, number> {
    const turns = new Map<string, number>();
    for (const job of jobs) if (job.kind === SEND_NEXT_JOB) turns.set(job.payload.lineId as string, job.payload.dispatched as number);
    return turns;
  }

  private line(lineId: string, pacing: DurationRange): Line {
    let line = this.lines.get(lineId);
    if (!line) this.lines.set(lineId, (line = { pacing, ids: [], head: 0, armed: false, dispatched: 0 }));
    return line;
  }

  private arm(lineId: string, line: Line): void {
    const interval = pickDuration(seededRandom(this.seed, 'pacing', lineId, line.dispatched), line.pacing);
    this.scheduler.after(interval, SEND_NEXT_JOB, { lineId, dispatched: line.dispatched }, `${SEND_NEXT_JOB}:${lineId}`);
    line.armed = true;
  }

  private async next(lineId: string): Promise<void> {
    const line = this.lines.get(lineId);
    if (!line) return;
    line.armed = false;
    // A turn restored with no message left (each was dispatched before the stop): nothing to hand on.
    if (line.head === line.ids.length) return;
    const messageId = line.ids[line.head++]!;
    line.dispatched++;
    if (line.head === line.ids.length) {
      line.ids = [];
      line.head = 0;
    } else if (line.head > 1024 && line.head * 2 > line.ids.length) {
      line.ids = line.ids.slice(line.head);
      line.head = 0;
    }
    if (line.head < line.ids.length) this.arm(lineId, line);
    else this.scheduler.remember(DISPATCHED_STATE_KEY, Object.fromEntries([...this.lines].map(([id, { dispatched }]) => [id, dispatched])));
    await this.dispatch(messageId);
  }
}

/**
 * A line's send queue on a store several instances share: the queue is in the store (`send:<line>`), and
 * the line's one job (`send.next:<line>`) is claimed by one instance at a time, so the line still hands one
 * message at a time to WhatsApp, a pacing interval apart, whichever instance accepted it or runs its turn.
 * A message leaves the queue only once dispatched: an instance that dies mid-turn leaves it for the next
 * one (dispatch skips a message no longer queued).
 */
export class SharedSendQueue implements SendLines {
  constructor(
    private readonly scheduler: Scheduler,
    private readonly shared: SharedWork,
    private readonly seed: number,
    private readonly dispatch: (messageId: string) => Promise<void>,
  ) {
    scheduler.handle(SEND_NEXT_JOB, (payload) => this.next(payload.lineId as string, payload.pacing as DurationRange));
  }

  async enqueue(lineId: string, messageId: string, pacing: DurationRange): Promise<void> {
    const firstTurn = this.scheduler.now() + this.interval(lineId, messageId, pacing);
    await this.scheduler.enqueue(queueOf(lineId), messageId, firstTurn, SEND_NEXT_JOB, { lineId, pacing }, `${SEND_NEXT_JOB}:${lineId}`);
  }

  private async next(lineId: string, pacing: DurationRange): Promise<void> {
    const [head] = await this.shared.peek(queueOf(lineId), 1);
    if (!head) return;
    await this.dispatch(head.item);
    // What the send scheduled (its receipts) must be in the store before the message leaves its queue: an
    // instance dying in between would otherwise leave it `sent` with nothing to carry it on.
    await this.scheduler.jobsWritten();
    const left = await this.shared.remove(queueOf(lineId), head.seq);
    if (left > 0) this.scheduler.after(this.interval(lineId, head.item, pacing), SEND_NEXT_JOB, { lineId, pacing }, `${SEND_NEXT_JOB}:${lineId}`);
  }

  /** The wait before the line's next turn, drawn from the seed and the message it follows (or the first one). */
  private interval(lineId: string, messageId: string, pacing: DurationRange): number {
    return pickDuration(seededRandom(this.seed, 'pacing', lineId, messageId), pacing);
  }
}

function queueOf(lineId: string): string {
  return `send:${lineId}`;
}
