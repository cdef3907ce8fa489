import type {
  Account,
  Contact,
  Message,
  MessageDirection,
  MessageTemplate,
  MessageStatus,
  Session,
  StoredMedia,
  WebhookAttempt,
  WebhookEvent,
} from './models.js';
import type { CatalogRepository } from '../catalog/catalog.service.js';
import type { GroupRepository } from '../groups/group.service.js';

/**
 * Persistence seam. The in-memory store is the default; durable and shared (multi-instance) stores come
 * later, so every method is asynchronous and nothing outside a store may rely on it being in memory.
 */
export interface EngineStore {
  readonly accounts: AccountRepository;
  readonly messages: MessageRepository;
  readonly webhooks: WebhookRepository;
  readonly sequences: SequenceRepository;
  readonly sessions: SessionRepository;
  readonly contacts: ContactRepository;
  readonly media: MediaRepository;
  readonly templates: TemplateRepository;
  readonly conversations: ConversationRepository;
  readonly groups: GroupRepository;
  readonly catalogs: CatalogRepository;
  /** Work the engine promised to do at a virtual time (see Scheduler). */
  readonly schedule: ScheduleRepository;
  /** Small named values: the clock's time, each send line's count of messages sent. */
  readonly state: StateRepository;
  /** Whether what it holds outlives the process (then media bytes must too). */
  readonly durable: boolean;
  /**
   * Present when several sandbox instances may share the store (PostgreSQL): the schedule is then run by
   * claiming due jobs under leases, and what one process kept in memory (send queues, webhook chats) is here.
   */
  readonly shared?: SharedWork;
  /** Forgets everything (control API reset). */
  clear(): Promise<void>;
  /** Releases what it holds open (a database file); the store is not used afterwards. */
  close(): void;
}

/** Work the engine promised to do at a virtual time: a row, so a restarted (or another) instance carries it on. */
export interface ScheduledJob {
  /** Unique; deterministic where a job replaces another (e.g. `webhook.retry:<eventId>`), random/sequence otherwise. */
  id: string;
  /** Names the handler the engine registered for it, e.g. `message.deliver`. */
  kind: string;
  /** Virtual epoch ms. */
  dueAt: number;
  /** Plain JSON: ids and small values, never objects with behaviour. */
  payload: Record<string, unknown>;
}

export interface ScheduleRepository {
  /** Inserts or replaces by id. */
  put(job: ScheduledJob): Promise<void>;
  /** Whether there was one. */
  delete(id: string): Promise<boolean>;
  get(id: string): Promise<ScheduledJob | undefined>;
  /** Every job, earliest due first (ties: insertion order). */
  list(): Promise<ScheduledJob[]>;
}

/**
 * Small named values the engine keeps (JSON): the clock's virtual time, secrets, and each transport's own
 * values under `transport.<name>.` (TransportState is this repository seen through that prefix).
 */
export interface StateRepository {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Whether there was one. */
  delete(key: string): Promise<boolean>;
  /** Every key starting with `prefix` (as it is, no pattern), with its value, in key order. */
  entries<T>(prefix: string): Promise<Array<[string, T]>>;
  /** Deletes every key starting with `prefix`; how many there were. */
  deletePrefix(prefix: string): Promise<number>;
}

export interface AccountRepository {
  get(id: string): Promise<Account | undefined>;
  save(account: Account): Promise<void>;
  list(): Promise<Account[]>;
}

export interface MessageQuery {
  accountId: string;
  direction: MessageDirection;
  /** Keep messages whose peer starts with any of these. */
  peerPrefixes?: string[];
  statuses?: MessageStatus[];
  order: 'newest' | 'oldest';
  offset: number;
  limit: number;
}

export interface MessagePage {
  total: number;
  items: Message[];
}

export interface MessageRepository {
  insert(message: Message): Promise<void>;
  save(message: Message): Promise<void>;
  get(id: string): Promise<Message | undefined>;
  query(query: MessageQuery): Promise<MessagePage>;
  /** How many of the account's messages in that direction were created at or after `since`. */
  countSince(accountId: string, direction: MessageDirection, since: number): Promise<number>;
  /** The account's messages in that direction created at or after `since`, newest first. */
  listSince(accountId: string, direction: MessageDirection, since: number): Promise<Message[]>;
}

export interface SessionRepository {
  get(id: string): Promise<Session | undefined>;
  save(session: Session): Promise<void>;
  /**
   * Saves `next` only if the stored session is still `previous` as `get` returned it: false when another
   * writer (a request, a timed step, another instance on a shared store) changed it meanwhile, so a change
   * made from a stale read is never saved over a newer one.
   */
  replace(previous: Session, next: Session): Promise<boolean>;
  /** Whether there was one. */
  delete(id: string): Promise<boolean>;
  /** The account's sessions, oldest first. */
  list(accountId: string): Promise<Session[]>;
  /** The session waiting for this pairing code, if any. */
  findByPairingCode(code: string): Promise<Session | undefined>;
}

export interface ContactRepository {
  get(accountId: string, phone: string): Promise<Contact | undefined>;
  save(contact: Contact): Promise<void>;
  delete(accountId: string, phone: string): Promise<boolean>;
  list(accountId: string): Promise<Contact[]>;
}

export interface MediaRepository {
  save(media: StoredMedia): Promise<void>;
  get(id: string): Promise<StoredMedia | undefined>;
}

/** Message templates, one record per (name, language). */
export interface TemplateRepository {
  get(name: string, language: string): Promise<MessageTemplate | undefined>;
  save(template: MessageTemplate): Promise<void>;
  delete(name: string, language: string): Promise<boolean>;
  /** Ordered by name, then language. */
  list(): Promise<MessageTemplate[]>;
}

/** When each customer last wrote to each line: what opens WhatsApp's 24-hour customer-service window. */
export interface ConversationRepository {
  lastInbound(lineId: string, peer: string): Promise<number | undefined>;
  recordInbound(lineId: string, peer: string, at: number): Promise<void>;
}

export interface AttemptQuery {
  accountId?: string;
  limit?: number;
}

export interface WebhookRepository {
  save(event: WebhookEvent): Promise<void>;
  get(id: string): Promise<WebhookEvent | undefined>;
  /** Whether there was one. */
  delete(id: string): Promise<boolean>;
  /** Undelivered events not yet expired at `now`, oldest first. */
  pending(accountId: string, now: number): Promise<WebhookEvent[]>;
  recordAttempt(attempt: WebhookAttempt): Promise<void>;
  /** Oldest first; with a limit, the most recent ones. */
  attempts(query: AttemptQuery): Promise<WebhookAttempt[]>;
}

export interface SequenceRepository {
  /** The next value of a named sequence; the first is `start`. */
  next(name: string, start: number): Promise<number>;
}

/** A job one instance claimed: `version` tells whether it was put again while it ran. */
export interface ClaimedJob extends ScheduledJob {
  version: number;
}

/** One item of a shared queue, with its place in it. */
export interface QueueItem {
  seq: number;
  item: string;
}

/**
 * What lets several instances share one store's work without a coordinator of their own: the schedule's
 * rows are claimed under leases that run out when their instance dies, and the order-keeping queues (a
 * line's messages to send, a chat's webhook events, a batch's payloads) live in the store.
 */
export interface SharedWork {
  /**
   * Inserts the job unless one with its id is there; one that is there keeps its due time and payload
   * but gets a new version, so that if it is running now it runs once more (no wake-up is lost).
   */
  ensure(job: ScheduledJob): Promise<void>;
  /**
   * Puts several jobs (as `schedule.put` each) in one statement: all are in the store or none. What follows
   * one step of a message (its delivery, read receipt and replies after `sent`) is written this way, so an
   * instance that dies while writing cannot leave the read receipt unwritten behind a written delivery.
   */
  putAll(jobs: ScheduledJob[]): Promise<void>;
  /**
   * Claims up to `limit` jobs due at virtual time `now` that no live lease holds, for `leaseMs` of wall
   * time (the database's clock); earliest due first, ties in insertion order. Jobs about one message or
   * one session (`payload.messageId`, `payload.sessionId`) are claimed one at a time, in due order.
   */
  claim(owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedJob[]>;
  /** After its handler: deletes the job if it is the version claimed, otherwise releases it to run again. */
  finish(owner: string, job: ClaimedJob): Promise<void>;
  /** Extends the leases `owner` holds on these jobs (its handlers are still running). */
  renew(owner: string, ids: string[], leaseMs: number): Promise<void>;
  /**
   * Appends to a named queue and `ensure`s the job that works it, in one statement: an instance that dies
   * in between cannot leave an item with no job to take it.
   */
  enqueue(queue: string, item: string, job: ScheduledJob): Promise<void>;
  /** The first `limit` items of a queue, oldest first. */
  peek(queue: string, limit: number): Promise<QueueItem[]>;
  /** Removes a queue's items up to and including `seq`; how many items it still holds. */
  remove(queue: string, upTo: number): Promise<number>;
  /** Stores `value` under `key` unless a value is there; returns the stored one (first writer wins). */
  claimState<T>(key: string, value: T): Promise<T>;
}

/**
 * Jobs about one message (its delivery, its read receipt, its expiry) or one session (its loading steps)
 * must not run at once on two instances, nor overtake each other: a read applied while the delivery before
 * it is still being applied is overwritten by it. They share a serial key: a shared store claims a job only
 * once no job with its key is due before it, and an instance writes a key's jobs one after another.
 */
export function serialKeyOf(job: Pick<ScheduledJob, 'payload'>): string | null {
  const { messageId, sessionId } = job.payload;
  if (typeof messageId === 'string') return `message:${messageId}`;
  if (typeof sessionId === 'string') return `session:${sessionId}`;
  return null;
}
