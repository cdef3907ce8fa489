import type { EngineClock, ScheduledTask } from '../clock/clock.js';
import { pickDuration, seededRandom, type DurationRange } from '../random.js';

interface Line {
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
    private readonly pacingOf: (lineId: string) => DurationRange,
    private readonly dispatch: (messageId: string) => Promise<void>,
  ) {}

  enqueue(lineId: string, messageId: string): void {
    let line = this.lines.get(lineId);
    if (!line) this.lines.set(lineId, (line = { ids: [], head: 0, timer: null, dispatched: 0 }));
    line.ids.push(messageId);
    if (!line.timer) this.arm(lineId, line);
  }

  clear(): void {
    for (const line of this.lines.values()) line.timer?.cancel();
    this.lines.clear();
  }

  private arm(lineId: string, line: Line): void {
    const interval = pickDuration(seededRandom(this.seed, 'pacing', lineId, line.dispatched), this.pacingOf(lineId));
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
