import { randomBytes } from 'node:crypto';
import { CatalogService } from './catalog/catalog.service.js';
import { ChatList } from './chats/chat-list.js';
import { EngineClock, type ClockMode, type ClockSnapshot, type WallTime } from './clock/clock.js';
import { CLOCK_STATE_KEY, Scheduler } from './clock/scheduler.js';
import { accountOf, EngineEvents, orderKeyOf, type EngineEvent } from './events.js';
import { ConversationWindows } from './conversations/conversation-window.js';
import { TemplateRegistry } from './conversations/template-registry.js';
import { GroupService } from './groups/group.service.js';
import { DEFAULT_MEDIA_MAX_AGE_MS, DEFAULT_MEDIA_MAX_BYTES, MediaFiles, MediaInspector } from './media/index.js';
import { MessageService } from './messages/message.service.js';
import { SendQueue, SharedSendQueue } from './messages/send-queue.js';
import { SessionService } from './sessions/session.service.js';
import { openStore, type StoreLocation } from './store/open-store.js';
import type { EngineStore } from './store/store.js';
import { DEFAULT_TIMINGS, SimulatedTransport } from './transport/simulated.transport.js';
import type { Transport } from './transport/transport.js';
import { WebhookBatcher } from './webhooks/webhook.batcher.js';
import { WebhookDispatcher } from './webhooks/webhook.dispatcher.js';
import { AccountService, type AccountSeed } from './world/accounts.js';
import { ContactBook } from './world/contacts.js';
import { CustomerDirectory } from './world/customers.js';
import type { ProviderProfile } from './world/provider-profile.js';

export interface EngineOptions {
  clock: { mode: ClockMode; speed: number; startAt?: number; wall?: WallTime };
  /** Seeds every random choice (timings, names, replies): the same seed gives the same run. */
  seed: number;
  /**
   * Where the world is kept; in memory when absent. An open store (its type is not exported) is for the
   * engine's own tests: a second engine on the first one's memory store is a restart.
   */
  store?: StoreLocation | EngineStore;
  /** Strict mode: only these accounts exist. */
  strictAccounts?: AccountSeed[];
  webhookTimeoutMs?: number;
  mediaTimeoutMs?: number;
  /** Where media bytes live and how much of them is kept; see MediaFiles for the defaults. */
  media?: {
    dir?: string;
    maxBytes?: number;
    maxAgeMs?: number;
    maxConcurrentFetches?: number;
    /** Hosts media URLs may name; any when absent. */
    allowHost?: (host: string) => boolean;
  };
  /** Where the sandbox serves its sample media (used for files that virtual customers send). */
  mediaBaseUrl: string;
}

/**
 * The simulated WhatsApp engine: one clock, one world of accounts, sessions, contacts and customers,
 * messages with their delivery lifecycle, WhatsApp Business templates and conversation windows, and
 * webhook delivery. Providers are thin adapters over it.
 */
export class WhatsAppEngine {
  readonly clock: EngineClock;
  readonly events = new EngineEvents();
  readonly customers: CustomerDirectory;
  readonly accounts: AccountService;
  readonly sessions: SessionService;
  readonly contacts: ContactBook;
  /** WhatsApp groups the lines created or joined. */
  readonly groups: GroupService;
  /** What each line's WhatsApp lists as its chats. */
  readonly chats: ChatList;
  /** WhatsApp Business product catalogs, one per line. */
  readonly catalogs: CatalogService;
  readonly messages: MessageService;
  readonly webhooks: WebhookDispatcher;
  /** Approved message templates (WhatsApp Business). */
  readonly templates: TemplateRegistry;
  /** The 24-hour customer-service windows and what a business line may send (WhatsApp Business). */
  readonly conversations: ConversationWindows;
  readonly seed: number;
  /** Uploaded media, on disk, until evicted; downloads are written here while judged. */
  readonly mediaFiles: MediaFiles;
  /** Fetches and judges media (at most a few downloads at once). */
  readonly mediaInspector: MediaInspector;

  /** Only the engine's services read and write it: providers and the control API go through them. */
  private readonly store: EngineStore;
  private readonly profiles = new Map<string, ProviderProfile>();
  /** Every piece of future work, as rows in the store: what `resume` carries on after a restart. */
  private readonly scheduler: Scheduler;
  /** The in-process send queues; on a shared store the queues are in the store (SharedSendQueue) and this is absent. */
  private readonly queue: SendQueue | undefined;
  private readonly batcher: WebhookBatcher;
  /** Secrets being read or made, by name: two first callers at once get the same one. */
  private readonly secrets = new Map<string, Promise<Uint8Array>>();

  /** Without a transport the engine runs on the simulated one; a live WhatsApp session passes its own. */
  constructor(options: EngineOptions, transport?: Transport) {
    this.seed = options.seed;
    const webhookTimeoutMs = options.webhookTimeoutMs ?? 5_000;
    // An advance waits for webhook deliveries up to one attempt's limit, however many receivers never answer.
    this.clock = new EngineClock({ ...options.clock, heldWorkPatienceMs: webhookTimeoutMs });
    this.store = typeof options.store === 'object' ? options.store : openStore(options.store ?? 'memory');
    this.scheduler = new Scheduler(this.clock, this.store);
    this.customers = new CustomerDirectory(options.seed);
    const media = options.media ?? {};
    this.mediaFiles = new MediaFiles(this.scheduler, {
      ...(media.dir !== undefined ? { dir: media.dir } : {}),
      // A durable store's upload records outlive the process: so must the bytes they name.
      ...(this.store.durable ? { durable: true } : {}),
      // Instances on one shared store serve and expire each other's uploads: they must share `media.dir`.
      ...(this.store.shared ? { shared: true } : {}),
      maxBytes: media.maxBytes ?? DEFAULT_MEDIA_MAX_BYTES,
      maxAgeMs: media.maxAgeMs ?? DEFAULT_MEDIA_MAX_AGE_MS,
    });
    this.accounts = new AccountService(this.store, this.clock, this.profiles, {
      seed: options.seed,
      ...(options.strictAccounts ? { strictAccounts: options.strictAccounts } : {}),
    });
    this.mediaInspector = new MediaInspector({
      files: this.mediaFiles,
      timeoutMs: options.mediaTimeoutMs ?? 10_000,
      ...(media.maxConcurrentFetches !== undefined ? { maxConcurrentFetches: media.maxConcurrentFetches } : {}),
      ...(media.allowHost ? { allowHost: media.allowHost } : {}),
    });
    this.groups = new GroupService(this.store, this.clock, options.seed);
    const activeTransport =
      transport ??
      new SimulatedTransport(this.scheduler, this.customers, options.seed, DEFAULT_TIMINGS, options.mediaBaseUrl, (lineId, groupId, self) =>
        this.groups.membersBesides(lineId, groupId, self),
      );
    const profile = (name: string) => this.profile(name);
    this.sessions = new SessionService(this.store, this.clock, this.scheduler, this.events, options.seed, profile);
    this.contacts = new ContactBook(this.store, this.clock);
    this.chats = new ChatList(this.store, this.groups, this.contacts, this.customers);
    this.catalogs = new CatalogService(this.store);
    const dispatch = (id: string) => this.messages.dispatch(id);
    const shared = this.store.shared;
    this.queue = shared ? undefined : new SendQueue(this.scheduler, options.seed, dispatch);
    const sendLines = shared ? new SharedSendQueue(this.scheduler, shared, options.seed, dispatch) : this.queue!;
    this.webhooks = new WebhookDispatcher(this.store, this.clock, this.scheduler, profile, {
      timeoutMs: webhookTimeoutMs,
    });
    this.batcher = new WebhookBatcher(
      this.scheduler,
      async (accountId, url, payload, orderKey) => {
        const account = await this.accounts.get(accountId);
        if (account) await this.webhooks.enqueue(account, url, payload, orderKey);
      },
      shared,
    );
    this.messages = new MessageService({
      store: this.store,
      clock: this.clock,
      scheduler: this.scheduler,
      accounts: this.accounts,
      sessions: this.sessions,
      customers: this.customers,
      events: this.events,
      media: this.mediaInspector,
      mediaFiles: this.mediaFiles,
      transport: activeTransport,
      queue: sendLines,
      profile,
      mediaBaseUrl: options.mediaBaseUrl,
    });
    activeTransport.attach(this.messages);
    this.templates = new TemplateRegistry(this.store, this.clock);
    this.conversations = new ConversationWindows(this.store, this.clock, this.events, this.templates);
    this.events.on((event) => this.publishWebhooks(event));
  }

  registerProvider(profile: ProviderProfile): void {
    if (this.profiles.has(profile.name)) throw new Error(`provider ${profile.name} is already registered`);
    this.profiles.set(profile.name, profile);
  }

  get providers(): string[] {
    return [...this.profiles.keys()];
  }

  profile(name: string): ProviderProfile {
    const profile = this.profiles.get(name);
    if (!profile) throw new Error(`unknown provider ${name}`);
    return profile;
  }

  /**
   * The next number of one of a provider's own counters (its user ids, registration ids...): the first
   * is `start`; counting starts over when the world is reset.
   */
  nextNumber(provider: string, counter: string, start: number): Promise<number> {
    return this.store.sequences.next(`${provider}.counter.${counter}`, start);
  }

  /**
   * A random 32-byte secret kept in the store under `name` (a provider's token signing key): the same
   * after a restart on a durable store, so what was signed with it outlives the process; a new one after a reset.
   */
  secret(name: string): Promise<Uint8Array> {
    let secret = this.secrets.get(name);
    if (!secret) {
      secret = this.readOrMakeSecret(`secret.${name}`);
      this.secrets.set(name, secret);
      secret.catch(() => this.secrets.delete(name));
    }
    return secret;
  }

  private async readOrMakeSecret(key: string): Promise<Uint8Array> {
    // Instances sharing a store making theirs at once: the first one stored is everyone's.
    if (this.store.shared) return new Uint8Array(Buffer.from(await this.store.shared.claimState(key, randomBytes(32).toString('base64')), 'base64'));
    const stored = await this.store.state.get<string>(key);
    if (stored !== undefined) return new Uint8Array(Buffer.from(stored, 'base64'));
    const made = randomBytes(32);
    await this.store.state.set(key, made.toString('base64'));
    return new Uint8Array(made);
  }

  /**
   * Carries on from the store (call once, at start, after the providers are registered): the clock from
   * its stored time, and every job an earlier engine on this store left, with the send queues, webhook
   * chats and open batches rebuilt around them. On a new store it only records the clock.
   */
  async resume(): Promise<void> {
    if (this.store.shared) return this.joinSharedStore();
    const clock = await this.scheduler.storedClock();
    if (clock) this.clock.restore(clock);
    const jobs = await this.store.schedule.list();
    await this.queue!.restore(await this.messages.queuedLines(jobs), SendQueue.storedTurns(jobs));
    await this.webhooks.restore(jobs);
    this.batcher.restore(jobs);
    await this.scheduler.resume();
  }

  /**
   * On a store several instances share, every instance keeps the same virtual time: the first to start
   * stores its clock as the anchor, and every instance (a restarted one too) runs from it on the real clock
   * at the anchor's speed. A manual clock cannot be shared this way (an advance on one instance would not
   * run another's due work, nor move its time): it is refused, as is a clock change later (see EngineClock.lock).
   */
  private async joinSharedStore(): Promise<void> {
    const mine = this.clock.snapshot();
    if (mine.mode === 'manual')
      throw new SharedClockError(
        'the manual clock cannot be shared by several instances: run a PostgreSQL store with --clock real (or use a SQLite store for the manual clock)',
      );
    const anchor = await this.store.shared!.claimState<ClockSnapshot>(CLOCK_STATE_KEY, mine);
    if (anchor.speed !== mine.speed) {
      throw new SharedClockError(
        `the instances on this store run their clock at speed ${anchor.speed}: start this one with --speed ${anchor.speed} (or reset the database)`,
      );
    }
    this.clock.restore(anchor);
    this.clock.lock(
      'the clock is shared by every instance on this PostgreSQL store and follows the real clock at the speed it was started with: it cannot be switched, sped up or advanced',
    );
    await this.scheduler.resume();
  }

  /** Resolves once the jobs and the clock's time are all written to the store (a restart finds them). */
  async persisted(): Promise<void> {
    await this.scheduler.written();
  }

  /** Forgets the whole world and returns the clock to its start. */
  async reset(): Promise<void> {
    if (this.store.shared) return this.resetSharedStore();
    await this.clock.settle();
    this.queue!.clear();
    this.batcher.clear();
    this.webhooks.clear();
    this.scheduler.clear();
    this.clock.reset();
    // The store forgets the jobs and the clock's time with the rest, once every write asked for is in.
    await this.scheduler.written();
    await this.store.clear();
    this.secrets.clear();
    await this.mediaFiles.clear();
    await this.templates.restoreBaseline();
  }

  /**
   * On a shared store: forgets the world for every instance, but not the clock (the others keep running on
   * it) nor the secrets the instances hold (what they signed stays valid). Jobs running elsewhere finish on
   * records that are gone, as after any reset.
   */
  private async resetSharedStore(): Promise<void> {
    const shared = this.store.shared!;
    await this.scheduler.written();
    const kept = [[CLOCK_STATE_KEY, this.clock.snapshot()] as const];
    const secrets = await Promise.all(
      [...this.secrets].map(async ([name, secret]) => [`secret.${name}`, Buffer.from(await secret).toString('base64')] as const),
    );
    await this.store.clear();
    for (const [key, value] of [...kept, ...secrets]) await shared.claimState(key, value);
    await this.mediaFiles.clear();
    await this.templates.restoreBaseline();
  }

  /** Closes the store, and removes the media files a volatile store's records named; the engine is not used afterwards. */
  close(): void {
    this.scheduler.stop();
    this.mediaFiles.close();
    this.store.close();
  }

  private async publishWebhooks(event: EngineEvent): Promise<void> {
    const account = await this.accounts.get(accountOf(event));
    if (!account) return;
    const profile = this.profile(account.provider);
    if (event.type === 'message.receipt' && !profile.receipts) return;
    const world = { contacts: this.contacts, customers: this.customers, message: (id: string) => this.messages.get(id) };
    for (const webhook of await profile.toWebhooks(event, account, world)) {
      if (webhook.batch) await this.batcher.add(account, webhook.url, webhook.payload, webhook.batch);
      else await this.webhooks.enqueue(account, webhook.url, webhook.payload, orderKeyOf(event));
    }
  }
}

/** A sandbox that cannot join the instances already on its shared store, and why. */
export class SharedClockError extends Error {}
