import type { EngineClock, ScheduledTask } from '../clock/clock.js';
import { pickDuration, seededRandom, type DurationRange } from '../random.js';

/** Time between two messages leaving one line, for providers that do not set their own. */
export const DEFAULT_SEND_PACING: DurationRange = { minMs: 200, maxMs: 1_000 };

interface Line {
  pacing: DurationRange;
  ids: string[];
  head: number;
  timer: ScheduledTask | null;
  dispatched: number;
}

/**
 * One queue per line: a line hands one message at a time to WhatsApp, each after a pacing interval.
 * Only the head of each line has a timer, so a deep queue costs an array slot per message, not a timer.
 */
export class SendQueue {
  private readonly lines = new Map<string, Line>();

  constructor(
    private readonly clock: EngineClock,
    private readonly seed: number,
    private readonly dispatch: (messageId: string) => Promise<void>,
  ) {}

  /** Appends a message to its line; `pacing` is the line's provider's interval between sends. */
  enqueue(lineId: string, messageId: string, pacing: DurationRange): void {
    let line = this.lines.get(lineId);
    if (!line) this.lines.set(lineId, (line = { pacing, ids: [], head: 0, timer: null, dispatched: 0 }));
    line.ids.push(messageId);
    if (!line.timer) this.arm(lineId, line);
  }

  clear(): void {
    for (const line of this.lines.values()) line.timer?.cancel();
    this.lines.clear();
  }

  private arm(lineId: string, line: Line): void {
    const interval = pickDuration(seededRandom(this.seed, 'pacing', lineId, line.dispatched), line.pacing);
    line.timer = this.clock.schedule(interval, async () => {
      const messageId = line.ids[line.head++]!;
      line.dispatched++;
      if (line.head === line.ids.length) {
        line.ids = [];
        line.head = 0;
      } else if (line.head > 1024 && line.head * 2 > line.ids.length) {
        line.ids = line.ids.slice(line.head);
        line.head = 0;
      }
      line.timer = null;
      if (line.head < line.ids.length) this.arm(lineId, line);
      await this.dispatch(messageId);
    }, `send ${lineId}`);
  }
}
