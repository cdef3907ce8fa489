import type { Account, Contact, Message, MessageDirection, MessageTemplate, Session, StoredMedia, WebhookAttempt, WebhookEvent } from './models.js';
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
  /** The attempt log is a ring buffer: a sandbox that runs for days must not grow without bound. */
  webhookAttempts: number;
}

const DEFAULT_LIMITS: MemoryStoreLimits = { webhookAttempts: 10_000 };

export class MemoryStore implements EngineStore {
  readonly durable = false;
  readonly accounts = new MemoryAccounts();
  readonly messages = new MemoryMessages();
  readonly webhooks: MemoryWebhooks;
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
    const { webhookAttempts } = { ...DEFAULT_LIMITS, ...limits };
    this.webhooks = new MemoryWebhooks(webhookAttempts);
  }

  async clear(): Promise<void> {
    this.accounts.clear();
    this.messages.clear();
    this.webhooks.clear();
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

  close(): void {}
}

/** Documents under a key of one or more parts, in insertion order: what most repositories are. Subclasses add their queries. */
class KeyedDocuments<T, Key extends string[]> {
  private readonly byKey = new Map<string, T>();

  constructor(private readonly keyOf: (document: T) => Key) {}

  async get(...key: Key): Promise<T | undefined> {
    return this.byKey.get(joinKey(key));
  }
  async save(document: T): Promise<void> {
    this.byKey.set(joinKey(this.keyOf(document)), document);
  }
  /** Whether there was one. */
  async delete(...key: Key): Promise<boolean> {
    return this.byKey.delete(joinKey(key));
  }
  clear() {
    this.byKey.clear();
  }

  protected all(): T[] {
    return [...this.byKey.values()];
  }
}

function joinKey(parts: string[]): string {
  return parts.join('\u0000');
}

class MemoryAccounts extends KeyedDocuments<Account, [string]> implements AccountRepository {
  constructor() {
    super((account) => [account.id]);
  }
  async list() {
    return this.all();
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

class MemorySessions extends KeyedDocuments<Session, [string]> implements SessionRepository {
  constructor() {
    super((session) => [session.id]);
  }
  /** `get` hands out the stored record itself, so "unchanged" is "the same object". */
  async replace(previous: Session, next: Session) {
    if ((await this.get(previous.id)) !== previous) return false;
    await this.save(next);
    return true;
  }
  async list(accountId: string) {
    return this.all().filter((session) => session.accountId === accountId);
  }
  async findByPairingCode(code: string) {
    return this.all().find((session) => session.pairing?.code === code);
  }
}

class MemoryContacts extends KeyedDocuments<Contact, [string, string]> implements ContactRepository {
  constructor() {
    super((contact) => [contact.accountId, contact.phone]);
  }
  async list(accountId: string) {
    return this.all().filter((contact) => contact.accountId === accountId);
  }
}

class MemoryMedia extends KeyedDocuments<StoredMedia, [string]> implements MediaRepository {
  constructor() {
    super((media) => [media.id]);
  }
}

class MemoryTemplates extends KeyedDocuments<MessageTemplate, [string, string]> implements TemplateRepository {
  constructor() {
    super((template) => [template.name, template.language]);
  }
  async list() {
    return this.all().sort((a, b) => (a.name === b.name ? compare(a.language, b.language) : compare(a.name, b.name)));
  }
}

function compare(a: string, b: string) {
  return a < b ? -1 : a > b ? 1 : 0;
}

class MemoryConversations implements ConversationRepository {
  private readonly lastInboundAt = new Map<string, number>();
  async lastInbound(lineId: string, peer: string) {
    return this.lastInboundAt.get(joinKey([lineId, peer]));
  }
  async recordInbound(lineId: string, peer: string, at: number) {
    this.lastInboundAt.set(joinKey([lineId, peer]), at);
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

function timelineKey(accountId: string, direction: string) {
  return `${direction}\u0000${accountId}`;
}

/** Kept as JSON text, like a durable store keeps them: a job is data, and no caller's object can change it afterwards. */
class MemorySchedule implements ScheduleRepository {
  /** In insertion order; a replaced job goes to the end, as a replaced row does in SQL (`INSERT OR REPLACE`). */
  private readonly byId = new Map<string, string>();
  async put(job: ScheduledJob) {
    this.byId.delete(job.id);
    this.byId.set(job.id, JSON.stringify(job));
  }
  async delete(id: string) {
    return this.byId.delete(id);
  }
  async get(id: string) {
    const row = this.byId.get(id);
    return row === undefined ? undefined : (JSON.parse(row) as ScheduledJob);
  }
  async list() {
    // Array.prototype.sort is stable: equal due times keep insertion order.
    return [...this.byId.values()].map((row) => JSON.parse(row) as ScheduledJob).sort((a, b) => a.dueAt - b.dueAt);
  }
  clear() {
    this.byId.clear();
  }
}

class MemoryState implements StateRepository {
  private readonly values = new Map<string, string>();
  async get<T>(key: string) {
    const value = this.values.get(key);
    return value === undefined ? undefined : (JSON.parse(value) as T);
  }
  async set(key: string, value: unknown) {
    this.values.set(key, JSON.stringify(value));
  }
  async delete(key: string) {
    return this.values.delete(key);
  }
  async entries<T>(prefix: string) {
    return this.keysFrom(prefix).map((key): [string, T] => [key, JSON.parse(this.values.get(key)!) as T]);
  }
  async deletePrefix(prefix: string) {
    const keys = this.keysFrom(prefix);
    for (const key of keys) this.values.delete(key);
    return keys.length;
  }
  clear() {
    this.values.clear();
  }
  private keysFrom(prefix: string): string[] {
    return [...this.values.keys()].filter((key) => key.startsWith(prefix)).sort(byKey);
  }
}

/** Code-point order (UTF-8 byte order, as SQLite sorts its keys), not UTF-16's. */
function byKey(a: string, b: string): number {
  if (a === b) return 0;
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

class MemoryWebhooks extends KeyedDocuments<WebhookEvent, [string]> implements WebhookRepository {
  private readonly attemptLog: RingBuffer<WebhookAttempt>;

  constructor(attemptLimit: number) {
    super((event) => [event.id]);
    this.attemptLog = new RingBuffer(attemptLimit);
  }

  async pending(accountId: string, now: number) {
    return this.all().filter((event) => event.accountId === accountId && event.state === 'pending' && event.expiresAt > now);
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
  override clear() {
    super.clear();
    this.attemptLog.clear();
  }
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
