import { createRequire } from 'node:module';
import type pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import type { CatalogProduct, CatalogRepository } from '../catalog/catalog.service.js';
import type { Group, GroupRepository } from '../groups/group.service.js';
import type { MemoryStoreLimits } from './memory.store.js';
import type { Account, Contact, Message, MessageDirection, MessageTemplate, Session, StoredMedia, WebhookAttempt, WebhookEvent } from './models.js';
import { migratePostgres, POSTGRES_MIGRATIONS, POSTGRES_TABLES, type PostgresMigration } from './postgres.migrations.js';
import type {
  AccountRepository,
  AttemptQuery,
  ClaimedJob,
  ContactRepository,
  ConversationRepository,
  EngineStore,
  MediaRepository,
  MessagePage,
  MessageQuery,
  MessageRepository,
  QueueItem,
  ScheduledJob,
  ScheduleRepository,
  SequenceRepository,
  SessionRepository,
  SharedWork,
  StateRepository,
  TemplateRepository,
  WebhookRepository,
} from './store.js';
import { serialKeyOf } from './store.js';

/**
 * The driver is loaded when a PostgreSQL store opens, not with the engine: every sandbox imports this file
 * (openStore), and most never use it (importing pg took 70–90 ms of the start-up).
 */
const loadPg = (): typeof pg => createRequire(import.meta.url)('pg') as typeof pg;

export interface PostgresStoreOptions extends Partial<MemoryStoreLimits> {
  /** The schema (namespace) the tables live in, created when missing; `public` when absent. Tests use one each. */
  schema?: string;
  /** Connections kept open at most; default 10 (pg's). */
  maxConnections?: number;
  migrations?: readonly PostgresMigration[];
}

const DEFAULT_WEBHOOK_ATTEMPTS = 10_000;
const INT8_OID = 20;

/** Runs one statement on the store's pool, once the schema is migrated. */
type Run = <R extends QueryResultRow>(text: string, values?: unknown[]) => Promise<pg.QueryResult<R>>;

/**
 * The engine's records in a PostgreSQL database that several sandbox instances may share (`--store
 * postgres://…`). Every write is its own statement, committed before its promise resolves; unlike the
 * SQLite store there is no group commit: the instances' connections are what runs in parallel.
 *
 * It is the only store with `shared` (SharedWork): leases on the schedule's rows, and the queues that keep
 * a line's sends and a chat's webhooks in order whichever instance runs them.
 */
export class PostgresStore implements EngineStore {
  readonly durable = true;
  private readonly pool: pg.Pool;
  /** Resolves with the schema version once migrated; every statement waits for it. */
  readonly ready: Promise<number>;
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
  readonly shared: SharedWork;
  private closed = false;

  constructor(
    readonly url: string,
    options: PostgresStoreOptions = {},
  ) {
    const schema = options.schema;
    if (schema !== undefined && !/^[a-z_][a-z0-9_]*$/.test(schema)) throw new Error(`schema name ${schema}: lowercase letters, digits and _ only`);
    const { Pool, types } = loadPg();
    this.pool = new Pool({
      connectionString: url,
      max: options.maxConnections ?? 10,
      ...(schema !== undefined ? { options: `-c search_path=${schema}` } : {}),
      // bigint columns hold clock times and counters, all well within a double's exact integers.
      types: { getTypeParser: ((oid: number, format?: string) => (oid === INT8_OID ? Number : types.getTypeParser(oid, format as 'text'))) as never },
    });
    // An idle connection the server dropped (a restart) is replaced on next use; not a crash.
    this.pool.on('error', (error) => console.error('[postgres] idle connection failed', error.message));
    this.ready = this.withClient(async (client) => {
      if (schema !== undefined) await client.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`);
      return migratePostgres(client, redact(url), options.migrations ?? POSTGRES_MIGRATIONS);
    });
    // A failed migration is reported by the first statement that waits for it (the engine's resume, at start).
    this.ready.catch(() => {});
    const run: Run = async (text, values) => {
      await this.ready;
      return this.pool.query(text, values);
    };
    this.accounts = new PostgresAccounts(run);
    this.messages = new PostgresMessages(run);
    this.webhooks = new PostgresWebhooks(run, options.webhookAttempts ?? DEFAULT_WEBHOOK_ATTEMPTS);
    this.sequences = new PostgresSequences(run);
    this.sessions = new PostgresSessions(run);
    this.contacts = new PostgresContacts(run);
    this.media = new PostgresMedia(run);
    this.templates = new PostgresTemplates(run);
    this.conversations = new PostgresConversations(run);
    this.groups = new PostgresGroups(run);
    this.catalogs = new PostgresCatalogs(run);
    this.schedule = new PostgresSchedule(run);
    this.state = new PostgresState(run);
    this.shared = new PostgresSharedWork(run);
  }

  /** Empties every table (control API reset), numbering included. */
  async clear(): Promise<void> {
    await this.ready;
    await this.pool.query(`TRUNCATE ${POSTGRES_TABLES.join(', ')} RESTART IDENTITY`);
  }

  /** Closes the pool's connections once their statements are done; the store is not used afterwards. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.pool.end().catch((error: Error) => console.error('[postgres] closing failed', error.message));
  }

  private async withClient<T>(work: (client: PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      return await work(client);
    } finally {
      client.release();
    }
  }
}

/** The url without its password, for messages. */
function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = '***';
    return parsed.toString();
  } catch {
    return 'the PostgreSQL database';
  }
}

type DataRow = { data: string };

function parseAll<T>(rows: DataRow[]): T[] {
  return rows.map((row) => JSON.parse(row.data) as T);
}

interface TableShape<T> {
  table: string;
  key: readonly string[];
  columns?: readonly string[];
  valuesOf(document: T): unknown[];
}

/** A table of JSON documents under a key of one or more columns; an upsert keeps a row's `seq` (its place in lists). */
class JsonTable<T, Key extends unknown[]> {
  private readonly selectOne: string;
  private readonly upsert: string;
  private readonly remove: string;

  constructor(
    protected readonly run: Run,
    private readonly shape: TableShape<T>,
  ) {
    const keyMatches = shape.key.map((column, index) => `${column} = $${index + 1}`).join(' AND ');
    const columns = [...shape.key, ...(shape.columns ?? []), 'data'];
    const updates = columns.slice(shape.key.length).map((column) => `${column} = excluded.${column}`);
    this.selectOne = `SELECT data FROM ${shape.table} WHERE ${keyMatches}`;
    this.upsert = `INSERT INTO ${shape.table} (${columns.join(', ')}) VALUES (${columns.map((_, index) => `$${index + 1}`).join(', ')}) ON CONFLICT (${shape.key.join(', ')}) DO UPDATE SET ${updates.join(', ')}`;
    this.remove = `DELETE FROM ${shape.table} WHERE ${keyMatches}`;
  }

  async get(...key: Key): Promise<T | undefined> {
    return parseAll<T>((await this.run<DataRow>(this.selectOne, key)).rows)[0];
  }
  async save(document: T): Promise<void> {
    await this.run(this.upsert, [...this.shape.valuesOf(document), JSON.stringify(document)]);
  }
  async delete(...key: Key): Promise<boolean> {
    return ((await this.run(this.remove, key)).rowCount ?? 0) > 0;
  }

  /** The documents `clauses` (what follows `FROM <table>`) pick. */
  protected async select(clauses: string, values: unknown[] = []): Promise<T[]> {
    return parseAll<T>((await this.run<DataRow>(`SELECT data FROM ${this.shape.table} ${clauses}`, values)).rows);
  }
}

class PostgresAccounts extends JsonTable<Account, [string]> implements AccountRepository {
  constructor(run: Run) {
    super(run, { table: 'accounts', key: ['id'], valuesOf: (account) => [account.id] });
  }
  list() {
    return this.select('ORDER BY seq');
  }
}

class PostgresMessages implements MessageRepository {
  constructor(private readonly run: Run) {}

  async insert(message: Message) {
    try {
      await this.run('INSERT INTO messages (id, account_id, direction, peer, status, created_at, data) VALUES ($1, $2, $3, $4, $5, $6, $7)', [
        message.id,
        message.accountId,
        message.direction,
        message.peer,
        message.status,
        message.createdAt,
        JSON.stringify(message),
      ]);
    } catch (error) {
      // 23505: unique_violation.
      if ((error as { code?: string }).code === '23505') throw new Error(`message ${message.id} already exists`);
      throw error;
    }
  }

  async save(message: Message) {
    const { rowCount } = await this.run('UPDATE messages SET status = $1, data = $2 WHERE id = $3', [message.status, JSON.stringify(message), message.id]);
    if (!rowCount) throw new Error(`message ${message.id} does not exist`);
  }

  async get(id: string) {
    return parseAll<Message>((await this.run<DataRow>('SELECT data FROM messages WHERE id = $1', [id])).rows)[0];
  }

  async query(query: MessageQuery): Promise<MessagePage> {
    const prefixes = query.peerPrefixes ?? [];
    const statuses = query.statuses ?? [];
    if ((query.peerPrefixes && prefixes.length === 0) || (query.statuses && statuses.length === 0)) return { total: 0, items: [] };
    const values: unknown[] = [query.accountId, query.direction];
    let where = 'account_id = $1 AND direction = $2';
    if (statuses.length > 0) where += ` AND status = ANY($${values.push(statuses)})`;
    // starts_with, not LIKE: a prefix is matched as plain text, with no wildcards and no case folding.
    if (prefixes.length > 0) where += ` AND EXISTS (SELECT 1 FROM unnest($${values.push(prefixes)}::text[]) AS prefix WHERE starts_with(peer, prefix))`;
    const { rows } = await this.run<{ total: number }>(`SELECT count(*)::int AS total FROM messages WHERE ${where}`, values);
    const total = rows[0]!.total;
    if (total <= query.offset || query.limit <= 0) return { total, items: [] };
    const order = query.order === 'newest' ? 'DESC' : 'ASC';
    const page = await this.run<DataRow>(
      `SELECT data FROM messages WHERE ${where} ORDER BY seq ${order} LIMIT $${values.length + 1} OFFSET $${values.length + 2}`,
      [...values, query.limit, query.offset],
    );
    return { total, items: parseAll<Message>(page.rows) };
  }

  async countSince(accountId: string, direction: MessageDirection, since: number) {
    const { rows } = await this.run<{ total: number }>(
      'SELECT count(*)::int AS total FROM messages WHERE account_id = $1 AND direction = $2 AND created_at >= $3',
      [accountId, direction, since],
    );
    return rows[0]!.total;
  }

  async listSince(accountId: string, direction: MessageDirection, since: number) {
    const { rows } = await this.run<DataRow>('SELECT data FROM messages WHERE account_id = $1 AND direction = $2 AND created_at >= $3 ORDER BY seq DESC', [
      accountId,
      direction,
      since,
    ]);
    return parseAll<Message>(rows);
  }
}

class PostgresSessions extends JsonTable<Session, [string]> implements SessionRepository {
  constructor(run: Run) {
    super(run, {
      table: 'sessions',
      key: ['id'],
      columns: ['account_id', 'pairing_code', 'transport'],
      // Sessions name the transport they run on (issue 16); one made before that runs on the simulated one.
      valuesOf: (session) => [session.id, session.accountId, session.pairing?.code ?? null, (session as { transport?: string }).transport ?? 'simulated'],
    });
  }
  list(accountId: string) {
    return this.select('WHERE account_id = $1 ORDER BY seq', [accountId]);
  }
  async findByPairingCode(code: string) {
    return (await this.select('WHERE pairing_code = $1 ORDER BY seq LIMIT 1', [code]))[0];
  }
  /** The stored text is what `get` parsed: unchanged means the same text, whichever instance wrote it. */
  async replace(previous: Session, next: Session) {
    const { rowCount } = await this.run('UPDATE sessions SET pairing_code = $1, transport = $2, data = $3 WHERE id = $4 AND data = $5', [
      next.pairing?.code ?? null,
      next.transport,
      JSON.stringify(next),
      previous.id,
      JSON.stringify(previous),
    ]);
    return (rowCount ?? 0) > 0;
  }
}

class PostgresContacts extends JsonTable<Contact, [string, string]> implements ContactRepository {
  constructor(run: Run) {
    super(run, { table: 'contacts', key: ['account_id', 'phone'], valuesOf: (contact) => [contact.accountId, contact.phone] });
  }
  list(accountId: string) {
    return this.select('WHERE account_id = $1 ORDER BY seq', [accountId]);
  }
}

class PostgresMedia extends JsonTable<StoredMedia, [string]> implements MediaRepository {
  constructor(run: Run) {
    super(run, { table: 'media', key: ['id'], valuesOf: (media) => [media.id] });
  }
}

class PostgresTemplates extends JsonTable<MessageTemplate, [string, string]> implements TemplateRepository {
  constructor(run: Run) {
    super(run, { table: 'templates', key: ['name', 'language'], valuesOf: (template) => [template.name, template.language] });
  }
  list() {
    return this.select('ORDER BY name, language');
  }
}

class PostgresConversations implements ConversationRepository {
  constructor(private readonly run: Run) {}
  async lastInbound(lineId: string, peer: string) {
    const { rows } = await this.run<{ at: number }>('SELECT last_inbound_at AS at FROM conversations WHERE line_id = $1 AND peer = $2', [lineId, peer]);
    return rows[0]?.at;
  }
  async recordInbound(lineId: string, peer: string, at: number) {
    await this.run(
      'INSERT INTO conversations (line_id, peer, last_inbound_at) VALUES ($1, $2, $3) ON CONFLICT (line_id, peer) DO UPDATE SET last_inbound_at = excluded.last_inbound_at',
      [lineId, peer, at],
    );
  }
}

class PostgresGroups extends JsonTable<Group, [string, string]> implements GroupRepository {
  constructor(run: Run) {
    super(run, { table: 'groups', key: ['line_id', 'group_id'], valuesOf: (group) => [group.lineId, group.id] });
  }
  list(lineId: string) {
    return this.select('WHERE line_id = $1 ORDER BY seq', [lineId]);
  }
  async deleteLine(lineId: string) {
    await this.run('DELETE FROM groups WHERE line_id = $1', [lineId]);
  }
}

class PostgresCatalogs implements CatalogRepository {
  constructor(private readonly run: Run) {}
  async get(lineId: string) {
    const { rows } = await this.run<{ products: string }>('SELECT products FROM catalogs WHERE line_id = $1', [lineId]);
    return rows[0] === undefined ? undefined : (JSON.parse(rows[0].products) as CatalogProduct[]);
  }
  async save(lineId: string, products: CatalogProduct[]) {
    await this.run('INSERT INTO catalogs (line_id, products) VALUES ($1, $2) ON CONFLICT (line_id) DO UPDATE SET products = excluded.products', [
      lineId,
      JSON.stringify(products),
    ]);
  }
  async delete(lineId: string) {
    await this.run('DELETE FROM catalogs WHERE line_id = $1', [lineId]);
  }
}

class PostgresSequences implements SequenceRepository {
  constructor(private readonly run: Run) {}
  async next(name: string, start: number) {
    // One statement, a row lock: instances sharing the database never hand out the same value.
    const { rows } = await this.run<{ value: number }>(
      'INSERT INTO sequences (name, value) VALUES ($1, $2) ON CONFLICT (name) DO UPDATE SET value = sequences.value + 1 RETURNING value',
      [name, start],
    );
    return rows[0]!.value;
  }
}

class PostgresWebhooks extends JsonTable<WebhookEvent, [string]> implements WebhookRepository {
  constructor(
    run: Run,
    /** The attempt log keeps this many, the newest (as MemoryStore's ring does). */
    private readonly attemptLimit: number,
  ) {
    super(run, {
      table: 'webhook_events',
      key: ['id'],
      columns: ['account_id', 'state', 'expires_at'],
      valuesOf: (event) => [event.id, event.accountId, event.state, event.expiresAt],
    });
  }

  pending(accountId: string, now: number) {
    return this.select("WHERE account_id = $1 AND state = 'pending' AND expires_at > $2 ORDER BY seq", [accountId, now]);
  }

  async recordAttempt(attempt: WebhookAttempt) {
    // Rows are numbered one after another, so the ones to drop are a range below the new one's number.
    await this.run(
      'WITH added AS (INSERT INTO webhook_attempts (account_id, data) VALUES ($1, $2) RETURNING seq) DELETE FROM webhook_attempts WHERE seq <= (SELECT seq FROM added) - $3',
      [attempt.accountId, JSON.stringify(attempt), this.attemptLimit],
    );
  }

  async attempts(query: AttemptQuery) {
    const limit = query.limit ?? null; // LIMIT NULL is no limit
    const { rows } =
      query.accountId === undefined
        ? await this.run<DataRow>('SELECT data FROM (SELECT seq, data FROM webhook_attempts ORDER BY seq DESC LIMIT $1) AS newest ORDER BY seq', [limit])
        : await this.run<DataRow>(
            'SELECT data FROM (SELECT seq, data FROM webhook_attempts WHERE account_id = $1 ORDER BY seq DESC LIMIT $2) AS newest ORDER BY seq',
            [query.accountId, limit],
          );
    return parseAll<WebhookAttempt>(rows);
  }
}

type JobRow = { id: string; kind: string; due_at: number; payload: string; version: number; seq: number };

function jobOf(row: JobRow): ScheduledJob {
  return { id: row.id, kind: row.kind, dueAt: row.due_at, payload: JSON.parse(row.payload) as Record<string, unknown> };
}

class PostgresSchedule implements ScheduleRepository {
  constructor(private readonly run: Run) {}
  async put(job: ScheduledJob) {
    // A replaced job takes a new seq, so it goes after the jobs due at the same time (as SQLite's REPLACE),
    // and a new version, so an instance running it now runs it again (SharedWork.finish). Its lease stays.
    await this.run(
      `INSERT INTO schedule (id, kind, due_at, payload, serial_key) VALUES ($1, $2, $3, $4, $5)
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at, payload = excluded.payload, serial_key = excluded.serial_key,
         seq = nextval(pg_get_serial_sequence('schedule', 'seq')), version = schedule.version + 1`,
      [job.id, job.kind, job.dueAt, JSON.stringify(job.payload), serialKeyOf(job)],
    );
  }
  async delete(id: string) {
    return ((await this.run('DELETE FROM schedule WHERE id = $1', [id])).rowCount ?? 0) > 0;
  }
  async get(id: string) {
    const { rows } = await this.run<JobRow>('SELECT id, kind, due_at, payload FROM schedule WHERE id = $1', [id]);
    return rows[0] === undefined ? undefined : jobOf(rows[0]);
  }
  async list() {
    return (await this.run<JobRow>('SELECT id, kind, due_at, payload FROM schedule ORDER BY due_at, seq')).rows.map(jobOf);
  }
}

class PostgresState implements StateRepository {
  constructor(private readonly run: Run) {}
  async get<T>(key: string) {
    const { rows } = await this.run<{ value: string }>('SELECT value FROM state WHERE key = $1', [key]);
    return rows[0] === undefined ? undefined : (JSON.parse(rows[0].value) as T);
  }
  async set(key: string, value: unknown) {
    await this.run('INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO UPDATE SET value = excluded.value', [key, JSON.stringify(value)]);
  }
  async delete(key: string) {
    return ((await this.run('DELETE FROM state WHERE key = $1', [key])).rowCount ?? 0) > 0;
  }
  async entries<T>(prefix: string) {
    const { rows } = await this.run<{ key: string; value: string }>('SELECT key, value FROM state WHERE starts_with(key, $1) ORDER BY key', [prefix]);
    return rows.map((row): [string, T] => [row.key, JSON.parse(row.value) as T]);
  }
  async deletePrefix(prefix: string) {
    return (await this.run('DELETE FROM state WHERE starts_with(key, $1)', [prefix])).rowCount ?? 0;
  }
}

class PostgresSharedWork implements SharedWork {
  constructor(private readonly run: Run) {}

  async ensure(job: ScheduledJob) {
    await this.run('INSERT INTO schedule (id, kind, due_at, payload) VALUES ($1, $2, $3, $4) ON CONFLICT (id) DO UPDATE SET version = schedule.version + 1', [
      job.id,
      job.kind,
      job.dueAt,
      JSON.stringify(job.payload),
    ]);
  }

  async putAll(jobs: ScheduledJob[]) {
    // The same upsert as PostgresSchedule.put, over every row at once (unnest keeps the given order for seq).
    await this.run(
      `INSERT INTO schedule (id, kind, due_at, payload, serial_key)
       SELECT * FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[])
       ON CONFLICT (id) DO UPDATE SET kind = excluded.kind, due_at = excluded.due_at, payload = excluded.payload, serial_key = excluded.serial_key,
         seq = nextval(pg_get_serial_sequence('schedule', 'seq')), version = schedule.version + 1`,
      [
        jobs.map((job) => job.id),
        jobs.map((job) => job.kind),
        jobs.map((job) => job.dueAt),
        jobs.map((job) => JSON.stringify(job.payload)),
        jobs.map((job) => serialKeyOf(job)),
      ],
    );
  }

  async claim(owner: string, now: number, leaseMs: number, limit: number): Promise<ClaimedJob[]> {
    // SKIP LOCKED: instances claiming at once take different rows instead of waiting on each other's.
    const { rows } = await this.run<JobRow>(
      `UPDATE schedule SET owner = $1, lease_until = clock_timestamp() + $2 * interval '1 millisecond'
       WHERE id IN (
         SELECT id FROM schedule AS job WHERE due_at <= $3 AND (lease_until IS NULL OR lease_until < clock_timestamp())
           AND (serial_key IS NULL OR NOT EXISTS (
             SELECT 1 FROM schedule AS earlier WHERE earlier.serial_key = job.serial_key AND (earlier.due_at, earlier.seq) < (job.due_at, job.seq)))
         ORDER BY due_at, seq LIMIT $4 FOR UPDATE SKIP LOCKED)
       RETURNING id, kind, due_at, payload, version, seq`,
      [owner, leaseMs, now, limit],
    );
    return rows.sort((a, b) => a.due_at - b.due_at || a.seq - b.seq).map((row) => ({ ...jobOf(row), version: row.version }));
  }

  async finish(owner: string, job: ClaimedJob) {
    await this.run(
      `WITH done AS (DELETE FROM schedule WHERE id = $1 AND version = $2 RETURNING id)
       UPDATE schedule SET owner = NULL, lease_until = NULL WHERE id = $1 AND owner = $3 AND NOT EXISTS (SELECT 1 FROM done)`,
      [job.id, job.version, owner],
    );
  }

  async renew(owner: string, ids: string[], leaseMs: number) {
    await this.run(`UPDATE schedule SET lease_until = clock_timestamp() + $3 * interval '1 millisecond' WHERE owner = $1 AND id = ANY($2)`, [
      owner,
      ids,
      leaseMs,
    ]);
  }

  async enqueue(queue: string, item: string, job: ScheduledJob) {
    await this.run(
      `WITH pushed AS (INSERT INTO queues (queue, item) VALUES ($1, $2))
       INSERT INTO schedule (id, kind, due_at, payload, serial_key) VALUES ($3, $4, $5, $6, $7) ON CONFLICT (id) DO UPDATE SET version = schedule.version + 1`,
      [queue, item, job.id, job.kind, job.dueAt, JSON.stringify(job.payload), serialKeyOf(job)],
    );
  }

  async peek(queue: string, limit: number): Promise<QueueItem[]> {
    return (await this.run<QueueItem>('SELECT seq, item FROM queues WHERE queue = $1 ORDER BY seq LIMIT $2', [queue, limit])).rows;
  }

  async remove(queue: string, upTo: number) {
    const { rows } = await this.run<{ left: number }>(
      'WITH gone AS (DELETE FROM queues WHERE queue = $1 AND seq <= $2 RETURNING seq) SELECT count(*)::int AS left FROM queues WHERE queue = $1 AND seq > $2',
      [queue, upTo],
    );
    return rows[0]!.left;
  }

  async claimState<T>(key: string, value: T): Promise<T> {
    await this.run('INSERT INTO state (key, value) VALUES ($1, $2) ON CONFLICT (key) DO NOTHING', [key, JSON.stringify(value)]);
    const { rows } = await this.run<{ value: string }>('SELECT value FROM state WHERE key = $1', [key]);
    return JSON.parse(rows[0]!.value) as T;
  }
}
