import type { Account, Message, RequestRecord, WebhookAttempt, WebhookEvent } from './models.js';
import type {
  AccountRepository,
  AttemptQuery,
  EngineStore,
  MessagePage,
  MessageQuery,
  MessageRepository,
  RequestJournalRepository,
  RequestQuery,
  SequenceRepository,
  WebhookRepository,
} from './store.js';

export interface MemoryStoreLimits {
  /** Journals are ring buffers: a sandbox that runs for days must not grow without bound. */
  requestJournal: number;
  webhookAttempts: number;
}

const DEFAULT_LIMITS: MemoryStoreLimits = { requestJournal: 10_000, webhookAttempts: 10_000 };

export class MemoryStore implements EngineStore {
  readonly accounts = new MemoryAccounts();
  readonly messages = new MemoryMessages();
  readonly webhooks: MemoryWebhooks;
  readonly requests: MemoryRequestJournal;
  readonly sequences = new MemorySequences();

  constructor(limits: Partial<MemoryStoreLimits> = {}) {
    const { requestJournal, webhookAttempts } = { ...DEFAULT_LIMITS, ...limits };
    this.webhooks = new MemoryWebhooks(webhookAttempts);
    this.requests = new MemoryRequestJournal(requestJournal);
  }

  async clear(): Promise<void> {
    this.accounts.clear();
    this.messages.clear();
    this.webhooks.clear();
    await this.requests.clear();
    this.sequences.clear();
  }
}

class MemoryAccounts implements AccountRepository {
  private readonly byId = new Map<string, Account>();
  async get(id: string) {
    return this.byId.get(id);
  }
  async save(account: Account) {
    this.byId.set(account.id, account);
  }
  async list() {
    return [...this.byId.values()];
  }
  clear() {
    this.byId.clear();
  }
}

class MemoryMessages implements MessageRepository {
  private readonly byId = new Map<string, Message>();
  /** Per account and direction, ids in insertion (= creation) order. */
  private readonly timelines = new Map<string, string[]>();

  async insert(message: Message) {
    if (this.byId.has(message.id)) throw new Error(`message ${message.id} already exists`);
    this.byId.set(message.id, message);
    const key = timelineKey(message.accountId, message.direction);
    let timeline = this.timelines.get(key);
    if (!timeline) this.timelines.set(key, (timeline = []));
    timeline.push(message.id);
  }

  async save(message: Message) {
    if (!this.byId.has(message.id)) throw new Error(`message ${message.id} does not exist`);
    this.byId.set(message.id, message);
  }

  async get(id: string) {
    return this.byId.get(id);
  }

  async query(query: MessageQuery): Promise<MessagePage> {
    const timeline = this.timelines.get(timelineKey(query.accountId, query.direction)) ?? [];
    const { peerPrefixes, statuses } = query;
    const items: Message[] = [];
    let total = 0;
    const newest = query.order === 'newest';
    for (let n = 0; n < timeline.length; n++) {
      const message = this.byId.get(timeline[newest ? timeline.length - 1 - n : n]!)!;
      if (statuses && !statuses.includes(message.status)) continue;
      if (peerPrefixes && !peerPrefixes.some((prefix) => message.peer.startsWith(prefix))) continue;
      if (total >= query.offset && items.length < query.limit) items.push(message);
      total++;
    }
    return { total, items };
  }

  clear() {
    this.byId.clear();
    this.timelines.clear();
  }
}

function timelineKey(accountId: string, direction: string) {
  return `${direction}\u0000${accountId}`;
}

class MemoryWebhooks implements WebhookRepository {
  private readonly events = new Map<string, WebhookEvent>();
  private readonly attemptLog: RingBuffer<WebhookAttempt>;

  constructor(attemptLimit: number) {
    this.attemptLog = new RingBuffer(attemptLimit);
  }

  async save(event: WebhookEvent) {
    this.events.set(event.id, event);
  }
  async get(id: string) {
    return this.events.get(id);
  }
  async delete(id: string) {
    this.events.delete(id);
  }
  async pending(accountId: string, now: number) {
    const result: WebhookEvent[] = [];
    for (const event of this.events.values()) {
      if (event.accountId === accountId && event.state === 'pending' && event.expiresAt > now) result.push(event);
    }
    return result;
  }
  async recordAttempt(attempt: WebhookAttempt) {
    this.attemptLog.push(attempt);
  }
  async attempts(query: AttemptQuery) {
    const result: WebhookAttempt[] = [];
    const limit = query.limit ?? Number.POSITIVE_INFINITY;
    for (const attempt of this.attemptLog.newestFirst()) {
      if (result.length >= limit) break;
      if (query.accountId === undefined || attempt.accountId === query.accountId) result.push(attempt);
    }
    return result.reverse();
  }
  clear() {
    this.events.clear();
    this.attemptLog.clear();
  }
}

class MemoryRequestJournal implements RequestJournalRepository {
  private readonly log: RingBuffer<RequestRecord>;
  private nextId = 1;

  constructor(limit: number) {
    this.log = new RingBuffer(limit);
  }

  async record(entry: Omit<RequestRecord, 'id'>) {
    this.log.push({ id: this.nextId++, ...entry });
  }
  async list(query: RequestQuery) {
    return [...this.log.newestFirst()].reverse().filter((entry) => matchesRequest(entry, query));
  }
  async count(query: RequestQuery) {
    let count = 0;
    for (const entry of this.log.newestFirst()) if (matchesRequest(entry, query)) count++;
    return count;
  }
  async clear() {
    const cleared = this.log.size;
    this.log.clear();
    return cleared;
  }
}

function matchesRequest(entry: RequestRecord, query: RequestQuery): boolean {
  if (query.provider !== undefined && entry.provider !== query.provider) return false;
  if (query.method !== undefined && entry.method !== query.method.toUpperCase()) return false;
  if (query.path !== undefined && entry.path !== query.path) return false;
  if (query.pathPattern !== undefined && !query.pathPattern.test(entry.path)) return false;
  return true;
}

class MemorySequences implements SequenceRepository {
  private readonly values = new Map<string, number>();
  async next(name: string, start: number) {
    const value = (this.values.get(name) ?? start - 1) + 1;
    this.values.set(name, value);
    return value;
  }
  clear() {
    this.values.clear();
  }
}

/** Fixed-capacity log that overwrites its oldest entries. */
class RingBuffer<T> {
  private readonly items: T[] = [];
  private start = 0;

  constructor(private readonly capacity: number) {}

  get size() {
    return this.items.length;
  }

  push(item: T) {
    if (this.items.length < this.capacity) this.items.push(item);
    else {
      this.items[this.start] = item;
      this.start = (this.start + 1) % this.capacity;
    }
  }

  *newestFirst(): Generator<T> {
    for (let n = this.items.length - 1; n >= 0; n--) yield this.items[(this.start + n) % this.items.length]!;
  }

  clear() {
    this.items.length = 0;
    this.start = 0;
  }
}
