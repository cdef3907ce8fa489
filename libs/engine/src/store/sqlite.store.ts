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
 * write is committed before its promise resolves; the writes of one turn of the event loop share one
 * commit (GroupCommit), which took a busy quick bench's sendMessage from 29 % to 78 % of the memory store's.
 *
 * Durability: WAL with `synchronous = NORMAL`. A commit is written to the WAL file before the call returns,
 * so killing the process (kill -9, a crash) loses nothing acknowledged; the WAL is fsynced only at
 * checkpoints, so a power loss or an OS crash may roll back the last commits since the previous checkpoint,
 * never corrupt the file. FULL would fsync every commit, which a sandbox's data is not worth.
 */
export class SqliteStore implements EngineStore {
  readonly durable = true;
  private readonly db = openDatabase(this.file);
  /** The schema version the file is at. */
  readonly schemaVersion = migrateOrClose(this.db, this.file, this.options.migrations ?? MIGRATIONS);
  readonly accounts = new SqliteAccounts(this.db);
  readonly messages = new SqliteMessages(this.db);
  readonly webhooks = new SqliteWebhooks(this.db, this.options.webhookAttempts ?? DEFAULT_WEBHOOK_ATTEMPTS);
  readonly sequences = new SqliteSequences(this.db);
  readonly sessions = new SqliteSessions(this.db);
  readonly contacts = new SqliteContacts(this.db);
  readonly media = new SqliteMedia(this.db);
  readonly templates = new SqliteTemplates(this.db);
  readonly conversations = new SqliteConversations(this.db);
  readonly groups = new SqliteGroups(this.db);
  readonly catalogs = new SqliteCatalogs(this.db);
  readonly schedule = new SqliteSchedule(this.db);
  readonly state = new SqliteState(this.db);
  private readonly clearAll = deleteAllRows(this.db);

  /** Opens (creating it and its directory when missing) and migrates `file`; `:memory:` for a throwaway database. */
  constructor(
    readonly file: string,
    private readonly options: SqliteStoreOptions = {},
  ) {}

  async clear(): Promise<void> {
    this.accounts.cache.clear();
    this.messages.cache.clear();
    await written(this.db, () => this.clearAll());
  }

  /** Checkpoints the WAL into the file and closes it; the store is not used afterwards. */
  close(): void {
    if (!this.db.open) return;
    commits.get(this.db)?.commit();
    this.db.close();
  }
}

/** Another sandbox has the data file open: two on one file would both run its schedule. */
export class StoreInUseError extends Error {}

function openDatabase(file: string): Database {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const db = new BetterSqlite3(file);
  try {
    // One sandbox per file, held by SQLite's own lock, taken now and kept until close: the system drops it
    // when the process ends, even by kill -9, so a restart never meets a stale lock (a pid file would).
    // Exclusive before WAL also keeps WAL's index in memory instead of a -shm file no other process reads.
    db.pragma('locking_mode = EXCLUSIVE');
    db.pragma('journal_mode = WAL');
    db.pragma('synchronous = NORMAL');
    // better-sqlite3 builds SQLite with a 16 MB page cache, all of it resident once 100,000 messages went
    // through (RSS 198-203 MB after the benchmark's sends, over its 200 MB target). Reads that matter are
    // served from the store's record caches, and the system keeps the file's pages anyway.
    db.pragma('cache_size = -4000');
    db.exec('BEGIN IMMEDIATE; COMMIT');
  } catch (error) {
    db.close();
    if ((error as { code?: string }).code === 'SQLITE_BUSY')
      throw new StoreInUseError(`${file} is in use by another sandbox: stop it, or give this one another --data-dir or --store`);
    throw error;
  }
  return db;
}

/**
 * Writes made in one turn of the event loop share one transaction, committed on the next turn; each
 * write's promise resolves only once its commit is done. A send makes a dozen writes (its message, its
 * id, its scheduled steps, its webhook event); one commit each was most of the SQLite store's cost.
 */
class GroupCommit {
  private waiting: { resolve: () => void; reject: (error: unknown) => void }[] | undefined;

  constructor(private readonly db: Database) {}

  write<T>(statement: () => T): Promise<T> {
    if (!this.waiting) {
      this.db.exec('BEGIN');
      this.waiting = [];
      setImmediate(() => this.commit());
    }
    // A statement that fails throws here, and SQLite undoes only that statement: the others still commit.
    const result = statement();
    return new Promise<T>((resolve, reject) => this.waiting!.push({ resolve: () => resolve(result), reject }));
  }

  /** Commits what is open now (before closing the database, say). */
  commit(): void {
    const waiting = this.waiting;
    if (!waiting) return;
    this.waiting = undefined;
    try {
      this.db.exec('COMMIT');
    } catch (error) {
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      for (const writer of waiting) writer.reject(error);
      return;
    }
    for (const writer of waiting) writer.resolve();
  }
}

const commits = new WeakMap<Database, GroupCommit>();

/** Runs a write in `db`'s open group commit; resolves when it is committed. */
function written<T>(db: Database, statement: () => T): Promise<T> {
  let commit = commits.get(db);
  if (!commit) commits.set(db, (commit = new GroupCommit(db)));
  return commit.write(statement);
}

/** The schema version `db` is at once migrated; a file that cannot be migrated is closed, not left open. */
function migrateOrClose(db: Database, file: string, migrations: readonly Migration[]): number {
  try {
    return migrate(db, file, migrations);
  } catch (error) {
    db.close();
    throw error;
  }
}

/** Empties every table in one transaction (control API reset). */
function deleteAllRows(db: Database): () => void {
  const tables = [
    'accounts',
    'messages',
    'sessions',
    'contacts',
    'media',
    'templates',
    'conversations',
    'groups',
    'catalogs',
    'sequences',
    'webhook_events',
    'webhook_attempts',
    'schedule',
    'state',
  ];
  const deletes = tables.map((table) => db.prepare(`DELETE FROM ${table}`));
  return db.transaction(() => {
    for (const statement of deletes) statement.run();
  });
}

function parse<T>(row: { data: string } | undefined): T | undefined {
  return row === undefined ? undefined : (JSON.parse(row.data) as T);
}

function parseAll<T>(rows: { data: string }[]): T[] {
  return rows.map((row) => JSON.parse(row.data) as T);
}

type DataRow = { data: string };

interface JsonTableShape<T, Key extends unknown[]> {
  table: string;
  /** The columns of the primary key, in the order `get` and `delete` take them. */
  key: readonly string[];
  /** Columns the store queries by (besides the key), filled from the document. */
  columns?: readonly string[];
  /** The key's values, then the other columns', of a document. */
  valuesOf(document: T): [...Key, ...unknown[]];
  /** `INSERT OR REPLACE`: a replaced row is a new row, with a new `seq`, instead of an update in place. */
  replace?: boolean;
}

/**
 * A table of JSON documents (`data`) under a key of one or more columns, with an insertion order (`seq`)
 * and maybe some columns to query by: what most repositories are. Subclasses add their queries.
 */
class JsonTable<T, Key extends unknown[]> {
  private readonly selectOne: Statement<Key, DataRow>;
  private readonly upsert: Statement<unknown[]>;
  private readonly remove: Statement<Key>;

  constructor(
    protected readonly db: Database,
    private readonly shape: JsonTableShape<T, Key>,
  ) {
    const keyMatches = shape.key.map((column) => `${column} = ?`).join(' AND ');
    const columns = [...shape.key, ...(shape.columns ?? []), 'data'];
    const values = `(${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`;
    const updates = columns.slice(shape.key.length).map((column) => `${column} = excluded.${column}`);
    this.selectOne = db.prepare(`SELECT data FROM ${shape.table} WHERE ${keyMatches}`);
    this.upsert = db.prepare(
      shape.replace
        ? `INSERT OR REPLACE INTO ${shape.table} ${values}`
        : `INSERT INTO ${shape.table} ${values} ON CONFLICT (${shape.key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`,
    );
    this.remove = db.prepare(`DELETE FROM ${shape.table} WHERE ${keyMatches}`);
  }

  async get(...key: Key): Promise<T | undefined> {
    return parse<T>(this.selectOne.get(...key));
  }
  async save(document: T): Promise<void> {
    await written(this.db, () => this.upsert.run(...this.shape.valuesOf(document), JSON.stringify(document)));
  }
  /** Whether there was such a row. */
  async delete(...key: Key): Promise<boolean> {
    return (await written(this.db, () => this.remove.run(...key))).changes > 0;
  }

  /** The documents `clauses` (what follows `FROM <table>`: WHERE, ORDER BY, LIMIT) pick, prepared once. */
  protected select<Parameters extends unknown[]>(clauses: string): (...parameters: Parameters) => T[] {
    const statement = this.db.prepare<Parameters, DataRow>(`SELECT data FROM ${this.shape.table} ${clauses}`);
    return (...parameters) => parseAll<T>(statement.all(...parameters));
  }
}

/**
 * Records as last read or written, parsed, for the reads every request makes (its account; getStatus's
 * message): a SQLite read and JSON parse is about 25-30 µs against 4 µs for a Map. Safe because one sandbox
 * holds the file (its exclusive lock) and every write passes through this store, so a cached record is
 * never stale; a write that fails drops its entry. Bounded: the oldest entry goes first.
 */
class RecordCache<T> {
  private readonly records = new Map<string, T>();

  constructor(private readonly capacity: number) {}

  get(key: string): T | undefined {
    return this.records.get(key);
  }

  set(key: string, record: T): void {
    this.records.delete(key);
    this.records.set(key, record);
    if (this.records.size > this.capacity) this.records.delete(this.records.keys().next().value!);
  }

  /** Runs `write` with `record` cached from now on (a read meanwhile must not see the older one); uncached if it fails. */
  async writing<R>(key: string, record: T, write: () => Promise<R>): Promise<R> {
    this.set(key, record);
    try {
      return await write();
    } catch (error) {
      this.records.delete(key);
      throw error;
    }
  }

  delete(key: string): void {
    this.records.delete(key);
  }

  clear(): void {
    this.records.clear();
  }
}

/** Accounts are few next to messages; a load test that makes one per key still stays bounded. */
const CACHED_ACCOUNTS = 10_000;
/** Clients mostly poll their recent messages; a thousand parsed messages is about 1 MB of heap. */
const CACHED_MESSAGES = 1_000;

class SqliteAccounts extends JsonTable<Account, [string]> implements AccountRepository {
  readonly cache = new RecordCache<Account>(CACHED_ACCOUNTS);
  private readonly all = this.select<[]>('ORDER BY seq');
  constructor(db: Database) {
    super(db, { table: 'accounts', key: ['id'], valuesOf: (account) => [account.id] });
  }
  override async get(id: string) {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const account = await super.get(id);
    if (account) this.cache.set(id, account);
    return account;
  }
  override save(account: Account) {
    return this.cache.writing(account.id, account, () => super.save(account));
  }
  override delete(id: string) {
    this.cache.delete(id);
    return super.delete(id);
  }
  async list() {
    return this.all();
  }
}

/** Which statement serves a query's shape: its order and how many prefixes and statuses it filters on. */
type PageStatements = { count: Statement<unknown[], { total: number }>; page: Statement<unknown[], DataRow> };

class SqliteMessages implements MessageRepository {
  readonly cache = new RecordCache<Message>(CACHED_MESSAGES);
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
      await this.cache.writing(message.id, message, () =>
        written(this.db, () =>
          this.insertRow.run(message.id, message.accountId, message.direction, message.peer, message.status, message.createdAt, JSON.stringify(message)),
        ),
      );
    } catch (error) {
      if ((error as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') throw new Error(`message ${message.id} already exists`);
      throw error;
    }
  }

  async save(message: Message) {
    // A message's account, direction, peer and creation time never change; its status does.
    const { changes } = await this.cache.writing(message.id, message, () =>
      written(this.db, () => this.updateRow.run(message.status, JSON.stringify(message), message.id)),
    );
    if (changes === 0) {
      this.cache.delete(message.id);
      throw new Error(`message ${message.id} does not exist`);
    }
  }

  async get(id: string) {
    const cached = this.cache.get(id);
    if (cached) return cached;
    const message = parse<Message>(this.selectOne.get(id));
    if (message) this.cache.set(id, message);
    return message;
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

class SqliteSessions extends JsonTable<Session, [string]> implements SessionRepository {
  private readonly ofAccount = this.select<[string]>('WHERE account_id = ? ORDER BY seq');
  private readonly withPairingCode = this.select<[string]>('WHERE pairing_code = ? ORDER BY seq LIMIT 1');
  private readonly dataOf = this.db.prepare<[string], DataRow>('SELECT data FROM sessions WHERE id = ?');
  private readonly update = this.db.prepare<[string | null, string, string]>('UPDATE sessions SET pairing_code = ?, data = ? WHERE id = ?');
  constructor(db: Database) {
    super(db, {
      table: 'sessions',
      key: ['id'],
      columns: ['account_id', 'pairing_code'],
      valuesOf: (session) => [session.id, session.accountId, session.pairing?.code ?? null],
    });
  }
  /**
   * Compared as parsed documents, not as stored text: a migration's json_set wrote SQLite's own text. One
   * process holds the file and the read and the write run in one synchronous step, so nothing comes between.
   */
  async replace(previous: Session, next: Session) {
    return written(this.db, () => {
      const stored = this.dataOf.get(previous.id);
      if (!stored || JSON.stringify(JSON.parse(stored.data)) !== JSON.stringify(previous)) return false;
      this.update.run(next.pairing?.code ?? null, JSON.stringify(next), previous.id);
      return true;
    });
  }
  async list(accountId: string) {
    return this.ofAccount(accountId);
  }
  async findByPairingCode(code: string) {
    return this.withPairingCode(code)[0];
  }
}

class SqliteContacts extends JsonTable<Contact, [string, string]> implements ContactRepository {
  private readonly ofAccount = this.select<[string]>('WHERE account_id = ? ORDER BY seq');
  constructor(db: Database) {
    super(db, { table: 'contacts', key: ['account_id', 'phone'], valuesOf: (contact) => [contact.accountId, contact.phone] });
  }
  async list(accountId: string) {
    return this.ofAccount(accountId);
  }
}

class SqliteMedia extends JsonTable<StoredMedia, [string]> implements MediaRepository {
  constructor(db: Database) {
    super(db, { table: 'media', key: ['id'], valuesOf: (media) => [media.id] });
  }
}

class SqliteTemplates extends JsonTable<MessageTemplate, [string, string]> implements TemplateRepository {
  // BINARY collation compares UTF-8 bytes, the same order as the memory store's code-unit comparison for template names.
  private readonly all = this.select<[]>('ORDER BY name, language');
  constructor(db: Database) {
    super(db, { table: 'templates', key: ['name', 'language'], valuesOf: (template) => [template.name, template.language] });
  }
  async list() {
    return this.all();
  }
}

class SqliteConversations implements ConversationRepository {
  private readonly selectOne: Statement<[string, string], { at: number }>;
  private readonly upsert: Statement<[string, string, number]>;
  constructor(private readonly db: Database) {
    this.selectOne = db.prepare('SELECT last_inbound_at AS at FROM conversations WHERE line_id = ? AND peer = ?');
    this.upsert = db.prepare(
      'INSERT INTO conversations (line_id, peer, last_inbound_at) VALUES (?, ?, ?) ON CONFLICT (line_id, peer) DO UPDATE SET last_inbound_at = excluded.last_inbound_at',
    );
  }
  async lastInbound(lineId: string, peer: string) {
    return this.selectOne.get(lineId, peer)?.at;
  }
  async recordInbound(lineId: string, peer: string, at: number) {
    await written(this.db, () => this.upsert.run(lineId, peer, at));
  }
}

class SqliteGroups extends JsonTable<Group, [string, string]> implements GroupRepository {
  private readonly ofLine = this.select<[string]>('WHERE line_id = ? ORDER BY seq');
  private readonly removeLine: Statement<[string]>;
  constructor(db: Database) {
    super(db, { table: 'groups', key: ['line_id', 'group_id'], valuesOf: (group) => [group.lineId, group.id] });
    this.removeLine = db.prepare('DELETE FROM groups WHERE line_id = ?');
  }
  async list(lineId: string) {
    return this.ofLine(lineId);
  }
  async deleteLine(lineId: string) {
    await written(this.db, () => this.removeLine.run(lineId));
  }
}

class SqliteCatalogs implements CatalogRepository {
  private readonly selectOne: Statement<[string], { products: string }>;
  private readonly upsert: Statement<[string, string]>;
  private readonly remove: Statement<[string]>;
  constructor(private readonly db: Database) {
    this.selectOne = db.prepare('SELECT products FROM catalogs WHERE line_id = ?');
    this.upsert = db.prepare('INSERT INTO catalogs (line_id, products) VALUES (?, ?) ON CONFLICT (line_id) DO UPDATE SET products = excluded.products');
    this.remove = db.prepare('DELETE FROM catalogs WHERE line_id = ?');
  }
  async get(lineId: string) {
    const row = this.selectOne.get(lineId);
    return row === undefined ? undefined : (JSON.parse(row.products) as CatalogProduct[]);
  }
  async save(lineId: string, products: CatalogProduct[]) {
    await written(this.db, () => this.upsert.run(lineId, JSON.stringify(products)));
  }
  async delete(lineId: string) {
    await written(this.db, () => this.remove.run(lineId));
  }
}

class SqliteSequences implements SequenceRepository {
  private readonly advance: Statement<[string, number], { value: number }>;
  constructor(private readonly db: Database) {
    // One statement: two instances on one file never hand out the same value.
    this.advance = db.prepare('INSERT INTO sequences (name, value) VALUES (?, ?) ON CONFLICT (name) DO UPDATE SET value = value + 1 RETURNING value');
  }
  async next(name: string, start: number) {
    return (await written(this.db, () => this.advance.get(name, start)!)).value;
  }
}

class SqliteWebhooks extends JsonTable<WebhookEvent, [string]> implements WebhookRepository {
  private readonly pendingOf = this.select<[string, number]>("WHERE account_id = ? AND state = 'pending' AND expires_at > ? ORDER BY seq");
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
    super(db, {
      table: 'webhook_events',
      key: ['id'],
      columns: ['account_id', 'state', 'expires_at'],
      valuesOf: (event) => [event.id, event.accountId, event.state, event.expiresAt],
    });
    this.insertAttempt = db.prepare('INSERT INTO webhook_attempts (account_id, data) VALUES (?, ?)');
    this.trimAttempts = db.prepare('DELETE FROM webhook_attempts WHERE seq <= ?');
    this.selectAttempts = db.prepare('SELECT data FROM (SELECT seq, data FROM webhook_attempts ORDER BY seq DESC LIMIT ?) ORDER BY seq');
    this.selectAccountAttempts = db.prepare(
      'SELECT data FROM (SELECT seq, data FROM webhook_attempts WHERE account_id = ? ORDER BY seq DESC LIMIT ?) ORDER BY seq',
    );
    this.addAttempt = db.transaction((attempt: WebhookAttempt) => {
      const { lastInsertRowid } = this.insertAttempt.run(attempt.accountId, JSON.stringify(attempt));
      // Rows are numbered one after another (the newest's number plus one), so the ones to drop are a range.
      this.trimAttempts.run(BigInt(lastInsertRowid) - BigInt(this.attemptLimit));
    });
  }

  async pending(accountId: string, now: number) {
    return this.pendingOf(accountId, now);
  }
  async recordAttempt(attempt: WebhookAttempt) {
    await written(this.db, () => this.addAttempt(attempt));
  }
  async attempts(query: AttemptQuery) {
    // LIMIT -1 is no limit.
    const limit = query.limit ?? -1;
    const rows = query.accountId === undefined ? this.selectAttempts.all(limit) : this.selectAccountAttempts.all(query.accountId, limit);
    return parseAll<WebhookAttempt>(rows);
  }
}

class SqliteSchedule extends JsonTable<ScheduledJob, [string]> implements ScheduleRepository {
  private readonly all = this.select<[]>('ORDER BY due_at, seq');
  constructor(db: Database) {
    // REPLACE deletes the old row and inserts a new one with a new seq: a replaced job goes after the jobs
    // due at the same time, as the clock task armed for it does (Scheduler), so a restart runs ties in the same order.
    super(db, { table: 'schedule', key: ['id'], columns: ['due_at'], valuesOf: (job) => [job.id, job.dueAt], replace: true });
  }
  async put(job: ScheduledJob) {
    return this.save(job);
  }
  async list() {
    return this.all();
  }
}

class SqliteState implements StateRepository {
  private readonly selectOne: Statement<[string], { value: string }>;
  private readonly upsert: Statement<[string, string]>;
  private readonly remove: Statement<[string]>;
  private readonly selectPrefix: Statement<[string], { key: string; value: string }>;
  private readonly removePrefix: Statement<[string]>;
  constructor(private readonly db: Database) {
    this.selectOne = db.prepare('SELECT value FROM state WHERE key = ?');
    this.upsert = db.prepare('INSERT INTO state (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value');
    this.remove = db.prepare('DELETE FROM state WHERE key = ?');
    // GLOB is case-sensitive and, on a literal prefix, walks the primary key's index from the prefix on.
    this.selectPrefix = db.prepare('SELECT key, value FROM state WHERE key GLOB ? ORDER BY key');
    this.removePrefix = db.prepare('DELETE FROM state WHERE key GLOB ?');
  }
  async get<T>(key: string) {
    const row = this.selectOne.get(key);
    return row === undefined ? undefined : (JSON.parse(row.value) as T);
  }
  async set(key: string, value: unknown) {
    await written(this.db, () => this.upsert.run(key, JSON.stringify(value)));
  }
  async delete(key: string) {
    return (await written(this.db, () => this.remove.run(key))).changes > 0;
  }
  async entries<T>(prefix: string) {
    return this.selectPrefix.all(startsWith(prefix)).map((row): [string, T] => [row.key, JSON.parse(row.value) as T]);
  }
  async deletePrefix(prefix: string) {
    return (await written(this.db, () => this.removePrefix.run(startsWith(prefix)))).changes;
  }
}

/** A GLOB pattern matching the keys that start with `prefix`: its wildcard characters stand for themselves. */
function startsWith(prefix: string): string {
  return `${prefix.replace(/[*?[]/g, (wildcard) => `[${wildcard}]`)}*`;
}
