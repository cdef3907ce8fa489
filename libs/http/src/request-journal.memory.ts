import type { ChaosMark } from '#engine';
import { matchesRequest, type RequestJournalRepository, type RequestQuery, type RequestRecord } from './request-journal.js';

/** A ring, not a list: a sandbox that runs for days must not grow without bound. */
export const DEFAULT_REQUEST_JOURNAL_CAPACITY = 10_000;

/**
 * The request journal as columns in a ring: a request leaves only its url behind, not an object that
 * lives just long enough to be promoted and then dies in the old generation.
 */
export class MemoryRequestJournal implements RequestJournalRepository {
  private readonly at: Float64Array;
  private readonly durationMs: Float64Array;
  private readonly status: Uint16Array;
  private readonly method: string[];
  private readonly url: string[];
  private readonly provider: (string | null)[];
  /** Mostly nulls: only requests a chaos rule answered carry a mark. */
  private readonly chaos: (ChaosMark | null)[];
  /** Requests recorded since the last clear; the newest is number `recorded`, in slot `(recorded - 1) % capacity`. */
  private recorded = 0;
  /** Ids go on across clears, so a client never sees an id twice. */
  private idBase = 0;

  constructor(private readonly capacity: number = DEFAULT_REQUEST_JOURNAL_CAPACITY) {
    if (!(capacity >= 1)) throw new RangeError(`the request journal needs room for at least one request, got ${capacity}`);
    this.at = new Float64Array(capacity);
    this.durationMs = new Float64Array(capacity);
    this.status = new Uint16Array(capacity);
    this.method = new Array<string>(capacity).fill('');
    this.url = new Array<string>(capacity).fill('');
    this.provider = new Array<string | null>(capacity).fill(null);
    this.chaos = new Array<ChaosMark | null>(capacity).fill(null);
  }

  async record(entry: Omit<RequestRecord, 'id' | 'path'>) {
    const slot = this.recorded % this.capacity;
    this.at[slot] = entry.at;
    this.durationMs[slot] = entry.durationMs;
    this.status[slot] = entry.status;
    this.method[slot] = entry.method;
    this.url[slot] = ownCopy(entry.url);
    this.provider[slot] = entry.provider;
    this.chaos[slot] = entry.chaos ?? null;
    this.recorded++;
  }
  async list(query: RequestQuery) {
    const records: RequestRecord[] = [];
    for (let number = this.oldest(); number <= this.recorded; number++) {
      const record = this.read(number);
      if (matchesRequest(record, query)) records.push(record);
    }
    return records;
  }
  async count(query: RequestQuery) {
    let count = 0;
    for (let number = this.oldest(); number <= this.recorded; number++) if (matchesRequest(this.read(number), query)) count++;
    return count;
  }
  async clear() {
    const cleared = this.recorded - this.oldest() + 1;
    this.idBase += this.recorded;
    this.recorded = 0;
    this.url.fill(''); // let the strings go
    this.chaos.fill(null);
    return cleared;
  }

  /** Number of the oldest request still kept (1-based); past `recorded` when none is. */
  private oldest(): number {
    return Math.max(1, this.recorded - this.capacity + 1);
  }

  private read(number: number): RequestRecord {
    const slot = (number - 1) % this.capacity;
    const url = this.url[slot]!;
    const query = url.indexOf('?');
    const chaos = this.chaos[slot];
    return {
      id: this.idBase + number,
      at: this.at[slot]!,
      method: this.method[slot]!,
      url,
      path: query === -1 ? url : url.slice(0, query),
      provider: this.provider[slot]!,
      status: this.status[slot]!,
      durationMs: this.durationMs[slot]!,
      ...(chaos ? { chaos } : {}),
    };
  }
}

/**
 * A copy of `text` that shares no memory with it. The url a request arrives with is a slice of a larger
 * string; kept as it is, it kept that string alive too, and garbage collection took about 10 % of
 * getStatus's CPU. Joining makes a new flat string, and the slice of it holds only that.
 */
function ownCopy(text: string): string {
  return `${text} `.slice(0, -1);
}
