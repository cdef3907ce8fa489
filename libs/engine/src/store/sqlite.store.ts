import BetterSqlite3, { type Database, type Statement } from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CatalogProduct, CatalogRepository } from '../catalog/catalog.service.js';
import type { Group, GroupRepository } from '../groups/group.service.js';
import type { MemoryStoreLimits } from './memory.store.js';
import type { Account, Contact, Message, MessageDirection, MessageTemplate, Session, StoredMedia, WebhookAttempt, WebhookEvent } from './models.js';
import { migrate, MIGRATIONS, type Migration } from './sqlite.migrations.js';
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

export interface SqliteStoreOptions extends Partial<MemoryStoreLimits> {
  /** The schema steps to apply; tests pass their own to check migrating. */
  migrations?: readonly Migration[];
}

const DEFAULT_WEBHOOK_ATTEMPTS = 10_000;

/**
 * The engine's records in one SQLite file, so a restarted sandbox carries on where it stopped. Every
 * repository call is one statement (or one transaction) committed before its promise resolves.
 *
 * Durability: WAL with `synchronous = NORMAL`. A commit is written to the WAL file before the call returns,
 * so killing the process (kill -9, a crash) loses nothing acknowledged; the WAL is fsynced only at
 * checkpoints, so a power loss or an OS crash may roll back the last commits since the previous checkpoint,
 * never corrupt the file. FULL would fsync every commit, which a sandbox's data is not worth.

 */
export class SqliteStore implements EngineStore {
  readonly durable = true;
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
  readonly schedule: ScheduleRepository;
  readonly state: StateRepository;
  /** The schema version the file is at. */
  readonly schemaVersion: number;

  private readonly db: Database;
  private readonly clearAll: () => void;

  /** Opens (creating it and its directory when missing) and migrates `file`; `:memory:` for a throwaway database. */
  constructor(
    readonly file: string,
    options: SqliteStoreOptions = {},
  ) {
    if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
    this.db = new BetterSqlite3(file);
    try {
      this.db.pragma('journal_mode = WAL');
      this.db.pragma('synchronous = NORMAL');
      // Another process on the same file (a second sandbox by mistake) waits for a lock instead of failing at once.
      this.db.pragma('busy_timeout = 5000');
      this.schemaVersion = migrate(this.db, file, options.migrations ?? MIGRATIONS);
    } catch (error) {
      this.db.close();
      throw error;
    }
    const db = this.db;
    this.accounts = new SqliteAccounts(db);
    this.messages = new SqliteMessages(db);
    this.webhooks = new SqliteWebhooks(db, options.webhookAttempts ?? DEFAULT_WEBHOOK_ATTEMPTS);
    this.sequences = new SqliteSequences(db);
    this.sessions = new SqliteSessions(db);
    this.contacts = new SqliteContacts(db);
    this.media = new SqliteMedia(db);
    this.templates = new SqliteTemplates(db);
    this.conversations = new SqliteConversations(db);
    this.groups = new SqliteGroups(db);
    this.catalogs = new SqliteCatalogs(db);
    this.schedule = new SqliteSchedule(db);
    this.state = new SqliteState(db);
    const tables = ['accounts', 'messages', 'sessions', 'contacts', 'media', 'templates', 'conversations', 'groups', 'catalogs', 'sequences', 'webhook_events', 'webhook_attempts', 'schedule', 'state'];
    const deletes = tables.map((table) => db.prepare(`DELETE FROM ${table}`));
    this.clearAll = db.transaction(() => {
      for (const statement of deletes) statement.run();
    });
  }

  async clear(): Promise<void> {
    this.clearAll();
  }

  /** Checkpoints the WAL into the file and closes it; the store is not used afterwards. */
  close(): void {
    if (this.db.open) this.db.close();
  }
}

function parse<T>(row: { data: string } | undefined): T | undefined {
  return row === undefined ? undefined : (JSON.parse(row.data) as T);
}

function parseAll<T>(rows: { data: string }[]): T[] {
  return rows.map((row) => JSON.parse(row.data) as T);
}

type DataRow = { data: string };

class SqliteAccounts implements AccountRepository {
  private readonly selectOne: Statement<[string], DataRow>;
  private readonly upsert: Statement<[string, string]>;
  private readonly selectAll: Statement<[], DataRow>;
  constructor(db: Database) {
    this.selectOne = db.prepare('SELECT data FROM accounts WHERE id = ?');
    this.upsert = db.prepare('INSERT INTO accounts (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data');
    this.selectAll = db.prepare('SELECT data FROM accounts ORDER BY seq');
  }
  async get(id: string) {
    return parse<Account>(this.selectOne.get(id));
  }
  async save(account: Account) {
    this.upsert.run(account.id, JSON.stringify(account));
  }
  async list() {
    return parseAll<Account>(this.selectAll.all());
  }
}

/** Which statement serves a query's shape: its order and how many prefixes and statuses it filters on. */
type PageStatements = { count: Statement<unknown[], { total: number }>; page: Statement<unknown[], DataRow> };

class SqliteMessages implements MessageRepository {
  private readonly insertRow: Statement<unknown[]>;
  private readonly updateRow: Statement<unknown[]>;
  private readonly selectOne: Statement<[string], DataRow>;
  private readonly countFrom: Statement<[string, string, number], { total: number }>;
  private readonly listFrom: Statement<[string, string, number], DataRow>;
  private readonly pages = new Map<string, PageStatements>();

  constructor(private readonly db: Database) {
    this.insertRow = db.prepare('INSERT INTO messages (id, account_id, direction, peer, status, created_at, data) VALUES (?, ?, ?, ?, ?, ?, ?)');
    this.updateRow = db.prepare('UPDATE messages SET status = ?, data = ? WHERE id = ?');
    this.selectOne = db.prepare('SELECT data FROM messages WHERE id = ?');
    this.countFrom = db.prepare('SELECT count(*) AS total FROM messages WHERE account_id = ? AND direction = ? AND created_at >= ?');
    this.listFrom = db.prepare('SELECT data FROM messages WHERE account_id = ? AND direction = ? AND created_at >= ? ORDER BY seq DESC');
  }

  async insert(message: Message) {
    try {
      this.insertRow.run(message.id, message.accountId, message.direction, message.peer, message.status, message.createdAt, JSON.stringify(message));
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new Error(`message ${message.id} already exists`);
      throw error;
    }
  }

  async save(message: Message) {
    // A message's account, direction, peer and creation time never change; its status does.
    if (this.updateRow.run(message.status, JSON.stringify(message), message.id).changes === 0) throw new Error(`message ${message.id} does not exist`);
  }

  async get(id: string) {
    return parse<Message>(this.selectOne.get(id));
  }

  async query(query: MessageQuery): Promise<MessagePage> {
    const prefixes = query.peerPrefixes ?? [];
    const statuses = query.statuses ?? [];
    // An empty list filters everything out, as `[].some(...)` does: no statement needed.
    if ((query.peerPrefixes && prefixes.length === 0) || (query.statuses && statuses.length === 0)) return { total: 0, items: [] };
    const statements = this.statementsFor(query.order, prefixes.length, statuses.length);
    const parameters: unknown[] = [query.accountId, query.direction, ...statuses];
    for (const prefix of prefixes) parameters.push(prefix.length, prefix);
    const { total } = statements.count.get(...parameters)!;
    const items = total > query.offset && query.limit > 0 ? parseAll<Message>(statements.page.all(...parameters, query.limit, query.offset)) : [];
    return { total, items };
  }

  async countSince(accountId: string, direction: MessageDirection, since: number) {
    return this.countFrom.get(accountId, direction, since)!.total;
  }

  async listSince(accountId: string, direction: MessageDirection, since: number) {
    return parseAll<Message>(this.listFrom.all(accountId, direction, since));
  }

  /** Prepared once per shape; callers use a handful of shapes (one per provider's list filters). */
  private statementsFor(order: 'newest' | 'oldest', prefixCount: number, statusCount: number): PageStatements {
    const key = `${order}:${prefixCount}:${statusCount}`;
    let statements = this.pages.get(key);
    if (!statements) {
      let where = 'account_id = ? AND direction = ?';
      if (statusCount > 0) where += ` AND status IN (${Array(statusCount).fill('?').join(', ')})`;
      // substr, not LIKE: a prefix is matched byte for byte, with no wildcards and no case folding.
      if (prefixCount > 0) where += ` AND (${Array(prefixCount).fill('substr(peer, 1, ?) = ?').join(' OR ')})`;
      statements = {
        count: this.db.prepare(`SELECT count(*) AS total FROM messages WHERE ${where}`),
        page: this.db.prepare(`SELECT data FROM messages WHERE ${where} ORDER BY seq ${order === 'newest' ? 'DESC' : 'ASC'} LIMIT ? OFFSET ?`),
      };
      this.pages.set(key, statements);
    }
    return statements;
  }
}

class SqliteSessions implements SessionRepository {
  private readonly selectOne: Statement<[string], DataRow>;
  private readonly upsert: Statement<unknown[]>;
  private readonly remove: Statement<[string]>;
  private readonly selectAccount: Statement<[string], DataRow>;
  private readonly selectPairing: Statement<[string], DataRow>;
  constructor(db: Database) {
    this.selectOne = db.prepare('SELECT data FROM sessions WHERE id = ?');
    this.upsert = db.prepare(
      'INSERT INTO sessions (id, account_id, pairing_code, data) VALUES (?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, pairing_code = excluded.pairing_code, data = excluded.data',
    );
    this.remove = db.prepare('DELETE FROM sessions WHERE id = ?');
    this.selectAccount = db.prepare('SELECT data FROM sessions WHERE account_id = ? ORDER BY seq');
    this.selectPairing = db.prepare('SELECT data FROM sessions WHERE pairing_code = ? ORDER BY seq LIMIT 1');
  }
  async get(id: string) {
    return parse<Session>(this.selectOne.get(id));
  }
  async save(session: Session) {
    this.upsert.run(session.id, session.accountId, session.pairing?.code ?? null, JSON.stringify(session));
  }
  async delete(id: string) {
    this.remove.run(id);
  }
  async list(accountId: string) {
    return parseAll<Session>(this.selectAccount.all(accountId));
  }
  async findByPairingCode(code: string) {
    return parse<Session>(this.selectPairing.get(code));
  }
}

class SqliteContacts implements ContactRepository {
  private readonly selectOne: Statement<[string, string], DataRow>;
  private readonly upsert: Statement<[string, string, string]>;
  private readonly remove: Statement<[string, string]>;
  private readonly selectAccount: Statement<[string], DataRow>;
  constructor(db: Database) {
    this.selectOne = db.prepare('SELECT data FROM contacts WHERE account_id = ? AND phone = ?');
    this.upsert = db.prepare('INSERT INTO contacts (account_id, phone, data) VALUES (?, ?, ?) ON CONFLICT (account_id, phone) DO UPDATE SET data = excluded.data');
    this.remove = db.prepare('DELETE FROM contacts WHERE account_id = ? AND phone = ?');
    this.selectAccount = db.prepare('SELECT data FROM contacts WHERE account_id = ? ORDER BY seq');
  }
  async get(accountId: string, phone: string) {
    return parse<Contact>(this.selectOne.get(accountId, phone));
  }
  async save(contact: Contact) {
    this.upsert.run(contact.accountId, contact.phone, JSON.stringify(contact));
  }
  async delete(accountId: string, phone: string) {
    return this.remove.run(accountId, phone).changes > 0;
  }
  async list(accountId: string) {
    return parseAll<Contact>(this.selectAccount.all(accountId));
  }
}

class SqliteMedia implements MediaRepository {
  private readonly upsert: Statement<[string, string]>;
  private readonly selectOne: Statement<[string], DataRow>;
  constructor(db: Database) {
    this.upsert = db.prepare('INSERT INTO media (id, data) VALUES (?, ?) ON CONFLICT (id) DO UPDATE SET data = excluded.data');
    this.selectOne = db.prepare('SELECT data FROM media WHERE id = ?');
  }
  async save(media: StoredMedia) {
    this.upsert.run(media.id, JSON.stringify(media));
  }
  async get(id: string) {
    return parse<StoredMedia>(this.selectOne.get(id));
  }
}

class SqliteTemplates implements TemplateRepository {
  private readonly selectOne: Statement<[string, string], DataRow>;
  private readonly upsert: Statement<[string, string, string]>;
  private readonly remove: Statement<[string, string]>;
  private readonly selectAll: Statement<[], DataRow>;
  constructor(db: Database) {
    this.selectOne = db.prepare('SELECT data FROM templates WHERE name = ? AND language = ?');
    this.upsert = db.prepare('INSERT INTO templates (name, language, data) VALUES (?, ?, ?) ON CONFLICT (name, language) DO UPDATE SET data = excluded.data');
    this.remove = db.prepare('DELETE FROM templates WHERE name = ? AND language = ?');
    // BINARY collation compares UTF-8 bytes, the same order as the memory store's code-unit comparison for template names.
    this.selectAll = db.prepare('SELECT data FROM templates ORDER BY name, language');
  }
  async get(name: string, language: string) {
    return parse<MessageTemplate>(this.selectOne.get(name, language));
  }
  async save(template: MessageTemplate) {
    this.upsert.run(template.name, template.language, JSON.stringify(template));
  }
  async delete(name: string, language: string) {
    return this.remove.run(name, language).changes > 0;
  }
  async list() {
    return parseAll<MessageTemplate>(this.selectAll.all());
  }
}

class SqliteConversations implements ConversationRepository {
  private readonly selectOne: Statement<[string, string], { at: number }>;
  private readonly upsert: Statement<[string, string, number]>;
  constructor(db: Database) {
    this.selectOne = db.prepare('SELECT last_inbound_at AS at FROM conversations WHERE line_id = ? AND peer = ?');
    this.upsert = db.prepare(
      'INSERT INTO conversations (line_id, peer, last_inbound_at) VALUES (?, ?, ?) ON CONFLICT (line_id, peer) DO UPDATE SET last_inbound_at = excluded.last_inbound_at',
    );
  }
  async lastInbound(lineId: string, peer: string) {
    return this.selectOne.get(lineId, peer)?.at;
  }
  async recordInbound(lineId: string, peer: string, at: number) {
    this.upsert.run(lineId, peer, at);
  }
}

class SqliteGroups implements GroupRepository {
  private readonly selectOne: Statement<[string, string], DataRow>;
  private readonly upsert: Statement<[string, string, string]>;
  private readonly selectLine: Statement<[string], DataRow>;
  private readonly removeLine: Statement<[string]>;
  constructor(db: Database) {
    this.selectOne = db.prepare('SELECT data FROM groups WHERE line_id = ? AND group_id = ?');
    this.upsert = db.prepare('INSERT INTO groups (line_id, group_id, data) VALUES (?, ?, ?) ON CONFLICT (line_id, group_id) DO UPDATE SET data = excluded.data');
    this.selectLine = db.prepare('SELECT data FROM groups WHERE line_id = ? ORDER BY seq');
    this.removeLine = db.prepare('DELETE FROM groups WHERE line_id = ?');
  }
  async get(lineId: string, groupId: string) {
    return parse<Group>(this.selectOne.get(lineId, groupId));
  }
  async save(group: Group) {
    this.upsert.run(group.lineId, group.id, JSON.stringify(group));
  }
  async list(lineId: string) {
    return parseAll<Group>(this.selectLine.all(lineId));
  }
  async deleteLine(lineId: string) {
    this.removeLine.run(lineId);
  }
}

class SqliteCatalogs implements CatalogRepository {
  private readonly selectOne: Statement<[string], { products: string }>;
  private readonly upsert: Statement<[string, string]>;
  private readonly remove: Statement<[string]>;
  constructor(db: Database) {
    this.selectOne = db.prepare('SELECT products FROM catalogs WHERE line_id = ?');
    this.upsert = db.prepare('INSERT INTO catalogs (line_id, products) VALUES (?, ?) ON CONFLICT (line_id) DO UPDATE SET products = excluded.products');
    this.remove = db.prepare('DELETE FROM catalogs WHERE line_id = ?');
  }
  async get(lineId: string) {
    const row = this.selectOne.get(lineId);
    return row === undefined ? undefined : (JSON.parse(row.products) as CatalogProduct[]);
  }
  async save(lineId: string, products: CatalogProduct[]) {
    this.upsert.run(lineId, JSON.stringify(products));
  }
  async delete(lineId: string) {
    this.remove.run(lineId);
  }
}

class SqliteSequences implements SequenceRepository {
  private readonly advance: Statement<[string, number], { value: number }>;
  constructor(db: Database) {
    // One statement: two instances on one file never hand out the same value.
    this.advance = db.prepare('INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value');
  }
  async next(name: string, start: number) {
    return this.advance.get(name, start)!.value;
  }
}

class SqliteWebhooks implements WebhookRepository {
  private readonly upsert: Statement<unknown[]>;
  private readonly selectOne: Statement<[string], DataRow>;
  private readonly remove: Statement<[string]>;
  private readonly selectPending: Statement<[string, number], DataRow>;
  private readonly insertAttempt: Statement<[string, string]>;
  private readonly trimAttempts: Statement<[number | bigint]>;
  private readonly selectAttempts: Statement<[number], DataRow>;
  private readonly selectAccountAttempts: Statement<[string, number], DataRow>;
  private readonly addAttempt: (attempt: WebhookAttempt) => void;

  constructor(
    db: Database,
    /** The attempt log keeps this many, the newest (as MemoryStore's ring does). */
    private readonly attemptLimit: number,
  ) {
    this.upsert = db.prepare(
      'INSERT INTO webhook_events (id, account_id, state, expires_at, data) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO UPDATE SET account_id = excluded.account_id, state = excluded.state, expires_at = excluded.expires_at, data = excluded.data',
    );
    this.selectOne = db.prepare('SELECT data FROM webhook_events WHERE id = ?');
    this.remove = db.prepare('DELETE FROM webhook_events WHERE id = ?');
    this.selectPending = db.prepare("SELECT data FROM webhook_events WHERE account_id = ? AND state = 'pending' AND expires_at > ? ORDER BY seq");
    this.insertAttempt = db.prepare('INSERT INTO webhook_attempts (account_id, data) VALUES (?, ?)');
    this.trimAttempts = db.prepare('DELETE FROM webhook_attempts WHERE seq <= ?');
    this.selectAttempts = db.prepare('SELECT data FROM (SELECT seq, data FROM webhook_attempts ORDER BY seq DESC LIMIT ?) ORDER BY seq');
    this.selectAccountAttempts = db.prepare('SELECT data FROM (SELECT seq, data FROM webhook_attempts WHERE account_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq');
    this.addAttempt = db.transaction((attempt: WebhookAttempt) => {
      const { lastInsertRowid } = this.insertAttempt.run(attempt.accountId, JSON.stringify(attempt));
      // Rows are numbered one after another (the newest's number plus one), so the ones to drop are a range.
      this.trimAttempts.run(BigInt(lastInsertRowid) - BigInt(this.attemptLimit));
    });
  }

  async save(event: WebhookEvent) {
    this.upsert.run(event.id, event.accountId, event.state, event.expiresAt, JSON.stringify(event));
  }
  async get(id: string) {
    return parse<WebhookEvent>(this.selectOne.get(id));
  }
  async delete(id: string) {
    this.remove.run(id);
  }
  async pending(accountId: string, now: number) {
    return parseAll<WebhookEvent>(this.selectPending.all(accountId, now));
  }
  async recordAttempt(attempt: WebhookAttempt) {
    this.addAttempt(attempt);
  }
  async attempts(query: AttemptQuery) {
    // LIMIT -1 is no limit.
    const limit = query.limit ?? -1;
    const rows = query.accountId === undefined ? this.selectAttempts.all(limit) : this.selectAccountAttempts.all(query.accountId, limit);
    return parseAll<WebhookAttempt>(rows);
  }
}

class SqliteSchedule implements ScheduleRepository {
  private readonly upsert: Statement<[string, number, string]>;
  private readonly remove: Statement<[string]>;
  private readonly selectOne: Statement<[string], DataRow>;
  private readonly selectAll: Statement<[], DataRow>;
  constructor(db: Database) {
    // REPLACE deletes the old row and inserts a new one with a new seq: a replaced job goes after the jobs
    // due at the same time, as the clock task armed for it does (Scheduler), so a restart runs ties in the same order.
    this.upsert = db.prepare('INSERT OR REPLACE INTO schedule (id, due_at, data) VALUES (?, ?, ?)');
    this.remove = db.prepare('DELETE FROM schedule WHERE id = ?');
    this.selectOne = db.prepare('SELECT data FROM schedule WHERE id = ?');
    this.selectAll = db.prepare('SELECT data FROM schedule ORDER BY due_at, seq');
  }
  async put(job: ScheduledJob) {
    this.upsert.run(job.id, job.dueAt, JSON.stringify(job));
  }
  async delete(id: string) {
    this.remove.run(id);
  }
  async get(id: string) {
    return parse<ScheduledJob>(this.selectOne.get(id));
  }
  async list() {
    return parseAll<ScheduledJob>(this.selectAll.all());
  }
}

class SqliteState implements StateRepository {
  private readonly selectOne: Statement<[string], { value: string }>;
  private readonly upsert: Statement<[string, string]>;
  constructor(db: Database) {
    this.selectOne = db.prepare('SELECT value FROM state WHERE key = ?');
    this.upsert = db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
  }
  async get<T>(key: string) {
    const row = this.selectOne.get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }
  async set(key: string, value: unknown) {
    this.upsert.run(key, JSON.stringify(value));
  }
}
