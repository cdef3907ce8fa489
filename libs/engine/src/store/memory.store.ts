import type { Account, Contact, Message, MessageDirection, MessageTemplate, RequestRecord, Session, StoredMedia, WebhookAttempt, WebhookEvent } from './models.js';
import type {
  AccountRepository,
  AttemptQuery,
  ContactRepository,
  ConversationRepository,
  EngineStore,
  MediaRepository,
  MessagePage,
  MessageQuery,
  MessageRepository,
  RequestJournalRepository,
  RequestQuery,
  ScheduledJob,
  ScheduleRepository,
  SequenceRepository,
  SessionRepository,
  StateRepository,
  TemplateRepository,
  WebhookRepository,
} from './store.js';
import type { CatalogProduct, CatalogRepository } from '../catalog/catalog.service.js';
import type { Group, GroupRepository } from '../groups/group.service.js';

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
  readonly sessions = new MemorySessions();
  readonly contacts = new MemoryContacts();
  readonly media = new MemoryMedia();
  readonly templates = new MemoryTemplates();
  readonly conversations = new MemoryConversations();
  readonly groups = new MemoryGroups();
  readonly catalogs = new MemoryCatalogs();
  readonly schedule = new MemorySchedule();
  readonly state = new MemoryState();

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
    this.sessions.clear();
    this.contacts.clear();
    this.media.clear();
    this.templates.clear();
    this.conversations.clear();
    this.groups.clear();
    this.catalogs.clear();
    this.schedule.clear();
    this.state.clear();
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

  async countSince(accountId: string, direction: MessageDirection, since: number) {
    const timeline = this.timelines.get(timelineKey(accountId, direction)) ?? [];
    // Creation order is clock order, so counting stops at the first older message.
    let count = 0;
    for (let n = timeline.length - 1; n >= 0 && this.byId.get(timeline[n]!)!.createdAt >= since; n--) count++;
    return count;
  }

  async listSince(accountId: string, direction: MessageDirection, since: number) {
    const timeline = this.timelines.get(timelineKey(accountId, direction)) ?? [];
    const messages: Message[] = [];
    for (let n = timeline.length - 1; n >= 0; n--) {
      const message = this.byId.get(timeline[n]!)!;
      if (message.createdAt < since) break;
      messages.push(message);
    }
    return messages;
  }

  clear() {
    this.byId.clear();
    this.timelines.clear();
  }
}

class MemorySessions implements SessionRepository {
  private readonly byId = new Map<string, Session>();
  async get(id: string) {
    return this.byId.get(id);
  }
  async save(session: Session) {
    this.byId.set(session.id, session);
  }
  async delete(id: string) {
    this.byId.delete(id);
  }
  async list(accountId: string) {
    return [...this.byId.values()].filter((session) => session.accountId === accountId);
  }
  async findByPairingCode(code: string) {
    for (const session of this.byId.values()) if (session.pairing?.code === code) return session;
    return undefined;
  }
  clear() {
    this.byId.clear();
  }
}

class MemoryContacts implements ContactRepository {
  private readonly byKey = new Map<string, Contact>();
  async get(accountId: string, phone: string) {
    return this.byKey.get(contactKey(accountId, phone));
  }
  async save(contact: Contact) {
    this.byKey.set(contactKey(contact.accountId, contact.phone), contact);
  }
  async delete(accountId: string, phone: string) {
    return this.byKey.delete(contactKey(accountId, phone));
  }
  async list(accountId: string) {
    return [...this.byKey.values()].filter((contact) => contact.accountId === accountId);
  }
  clear() {
    this.byKey.clear();
  }
}

function contactKey(accountId: string, phone: string) {
  return `${accountId}\u0000${phone}`;
}

class MemoryMedia implements MediaRepository {
  private readonly byId = new Map<string, StoredMedia>();
  async save(media: StoredMedia) {
    this.byId.set(media.id, media);
  }
  async get(id: string) {
    return this.byId.get(id);
  }
  clear() {
    this.byId.clear();
  }
}

class MemoryTemplates implements TemplateRepository {
  private readonly byKey = new Map<string, MessageTemplate>();
  async get(name: string, language: string) {
    return this.byKey.get(templateKey(name, language));
  }
  async save(template: MessageTemplate) {
    this.byKey.set(templateKey(template.name, template.language), template);
  }
  async delete(name: string, language: string) {
    return this.byKey.delete(templateKey(name, language));
  }
  async list() {
    return [...this.byKey.values()].sort((a, b) => (a.name === b.name ? compare(a.language, b.language) : compare(a.name, b.name)));
  }
  clear() {
    this.byKey.clear();
  }
}

function templateKey(name: string, language: string) {
  return `${name}\u0000${language}`;
}

function compare(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}

class MemoryConversations implements ConversationRepository {
  private readonly lastInboundAt = new Map<string, number>();
  async lastInbound(lineId: string, peer: string) {
    return this.lastInboundAt.get(`${lineId}\u0000${peer}`);
  }
  async recordInbound(lineId: string, peer: string, at: number) {
    this.lastInboundAt.set(`${lineId}\u0000${peer}`, at);
  }
  clear() {
    this.lastInboundAt.clear();
  }
}

class MemoryGroups implements GroupRepository {
  /** Per line, groups by id in creation order. */
  private readonly byLine = new Map<string, Map<string, Group>>();
  async get(lineId: string, groupId: string) {
    return this.byLine.get(lineId)?.get(groupId);
  }
  async save(group: Group) {
    let groups = this.byLine.get(group.lineId);
    if (!groups) this.byLine.set(group.lineId, (groups = new Map()));
    groups.set(group.id, group);
  }
  async list(lineId: string) {
    return [...(this.byLine.get(lineId)?.values() ?? [])];
  }
  async deleteLine(lineId: string) {
    this.byLine.delete(lineId);
  }
  clear() {
    this.byLine.clear();
  }
}

class MemoryCatalogs implements CatalogRepository {
  private readonly byLine = new Map<string, CatalogProduct[]>();
  async get(lineId: string) {
    return this.byLine.get(lineId);
  }
  async save(lineId: string, products: CatalogProduct[]) {
    this.byLine.set(lineId, products);
  }
  async delete(lineId: string) {
    this.byLine.delete(lineId);
  }
  clear() {
    this.byLine.clear();
  }
}

class MemorySchedule implements ScheduleRepository {
  private readonly byId = new Map<string, ScheduledJob>();
  async put(job: ScheduledJob) {
    this.byId.set(job.id, job);
  }
  async delete(id: string) {
    this.byId.delete(id);
  }
  async get(id: string) {
    return this.byId.get(id);
  }
  async list() {
    // A stable sort keeps the map's insertion order among jobs due at the same time.
    return [...this.byId.values()].sort((a, b) => a.dueAt - b.dueAt);
  }
  clear() {
    this.byId.clear();
  }
}

class MemoryState implements StateRepository {
  private readonly values = new Map<string, unknown>();
  async get<T>(key: string) {
    return this.values.get(key) as T | undefined;
  }
  async set(key: string, value: unknown) {
    this.values.set(key, value);
  }
  clear() {
    this.values.clear();
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
  /** Requests recorded since the last clear; the newest is number `recorded`, in slot `(recorded - 1) % capacity`. */
  private recorded = 0;
  /** Ids go on across clears, so a client never sees an id twice. */
  private idBase = 0;

  constructor(private readonly capacity: number) {
    if (!(capacity >= 1)) throw new RangeError(`the request journal needs room for at least one request, got ${capacity}`);
    this.at = new Float64Array(capacity);
    this.durationMs = new Float64Array(capacity);
    this.status = new Uint16Array(capacity);
    this.method = new Array<string>(capacity).fill('');
    this.url = new Array<string>(capacity).fill('');
    this.provider = new Array<string | null>(capacity).fill(null);
  }

  async record(entry: Omit<RequestRecord, 'id' | 'path'>) {
    const slot = this.recorded % this.capacity;
    this.at[slot] = entry.at;
    this.durationMs[slot] = entry.durationMs;
    this.status[slot] = entry.status;
    this.method[slot] = entry.method;
    this.url[slot] = ownCopy(entry.url);
    this.provider[slot] = entry.provider;
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
    return {
      id: this.idBase + number,
      at: this.at[slot]!,
      method: this.method[slot]!,
      url,
      path: query === -1 ? url : url.slice(0, query),
      provider: this.provider[slot]!,
      status: this.status[slot]!,
      durationMs: this.durationMs[slot]!,
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
