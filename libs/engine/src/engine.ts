import { randomBytes } from 'node:crypto';
import { CatalogService } from './catalog/catalog.service.js';
import { ChaosService } from './chaos/chaos.service.js';
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
import { SimulatedLinks } from './transport/simulated-links.js';
import { DEFAULT_TIMINGS, SimulatedTransport } from './transport/simulated.transport.js';
import type { LinkedTransport, LinkSink, TransportContext, TransportSink } from './transport/transport.js';
import { TransportMedia } from './transport/transport-media.js';
import { scopedState, SIMULATED_TRANSPORT, Transports } from './transport/transports.js';
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
  /**
   * Transports besides the simulated one (a live WhatsApp session, a relay), each under its own name: the
   * app builds them, so the engine never imports one. Each is attached with its own TransportContext.
   */
  transports?: LinkedTransport[];
  /** The transport new sessions take, and account lines without a link session send through; `simulated` when absent. */
  defaultTransport?: string;
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
  /** Faults on purpose (chaos rules): on webhooks, sessions and deliveries here, on provider requests in the HTTP layer. */
  readonly chaos: ChaosService;
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
  /** The simulated transport and those the app passed, by name; each session names the one holding it. */
  private readonly transports: Transports;
  /** Secrets being read or made, by name: two first callers at once get the same one. */
  private readonly secrets = new Map<string, Promise<Uint8Array>>();

  constructor(options: EngineOptions) {
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
    const profile = (name: string) => this.profile(name);
    const simulatedLinks = new SimulatedLinks(this.clock, this.scheduler, options.seed, profile, (id) => this.store.sessions.get(id));
    const simulated = new SimulatedTransport(
      simulatedLinks,
      this.scheduler,
      this.customers,
      options.seed,
      DEFAULT_TIMINGS,
      options.mediaBaseUrl,
      (lineId, groupId, self) => this.groups.membersBesides(lineId, groupId, self),
    );
    this.transports = new Transports([simulated, ...(options.transports ?? [])], options.defaultTransport ?? SIMULATED_TRANSPORT);
    this.sessions = new SessionService(this.store, this.clock, this.events, this.transports, simulatedLinks);
    this.chaos = new ChaosService({
      store: this.store,
      clock: this.clock,
      scheduler: this.scheduler,
      sessions: this.sessions,
      seed: options.seed,
      providers: () => this.providers,
      failureCodesOf: (name) => this.profile(name).failureCodes ?? [],
    });
    this.contacts = new ContactBook(this.store, this.clock);
    this.chats = new ChatList(this.store, this.groups, this.contacts, this.customers);
    this.catalogs = new CatalogService(this.store);
    const dispatch = (id: string) => this.messages.dispatch(id);
    const shared = this.store.shared;
    this.queue = shared ? undefined : new SendQueue(this.scheduler, options.seed, dispatch);
    const sendLines = shared ? new SharedSendQueue(this.scheduler, shared, options.seed, dispatch) : this.queue!;
    this.webhooks = new WebhookDispatcher(this.store, this.clock, this.scheduler, profile, {
      timeoutMs: webhookTimeoutMs,
      chaos: this.chaos,
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
      transports: this.transports,
      queue: sendLines,
      profile,
      mediaBaseUrl: options.mediaBaseUrl,
      chaos: this.chaos,
    });
    const transportMedia = new TransportMedia(this.store, this.clock, this.mediaFiles, this.mediaInspector, options.mediaBaseUrl);
    this.transports.attach(transportSink(this.messages, this.sessions), (name) => this.transportContext(name, transportMedia));
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
    await this.chaos.restore();
    const jobs = await this.store.schedule.list();
    await this.queue!.restore(await this.messages.queuedLines(jobs), SendQueue.storedTurns(jobs));
    await this.webhooks.restore(jobs);
    this.batcher.restore(jobs);
    await this.scheduler.resume();
    await this.sessions.reopen(await this.accounts.list());
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
    // The chaos rules as last stored (each instance decides on its own copy; a rule added on one instance
    // reaches the others when they restart). Sessions are not reopened: a simulated session has nothing to
    // reopen, and a live one's socket must not be opened by every instance at once.
    await this.chaos.restore();
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
    await this.sessions.closeAll();
    this.queue!.clear();
    this.batcher.clear();
    this.webhooks.clear();
    this.chaos.clear();
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
    await this.sessions.closeAll();
    this.chaos.clear();
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

  /**
   * Lets go of every session's link (a live transport's sockets), stops running due work (a shared store's
   * runner), closes the store and removes the media files a volatile store's records named; the engine is
   * not used afterwards. At once, not awaited: a second engine (a restart) opens the store right after, and
   * SQLite's lock admits one.
   */
  close(): void {
    this.scheduler.stop();
    void this.sessions.closeAll();
    this.mediaFiles.close();
    this.store.close();
  }

  /** What a transport is lent: its own corner of the store's state, the clock, and media bytes in and out. */
  private transportContext(name: string, media: TransportMedia): TransportContext {
    return {
      state: scopedState(this.store.state, name),
      now: () => this.clock.now(),
      mediaBytes: (message) => media.bytes(message),
      keepInboundMedia: (accountId, file) => media.keepInbound(accountId, file),
    };
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

/** One sink for every transport: message changes go to the messages, link changes to the sessions. */
function transportSink(messages: MessageService, sessions: SessionService): TransportSink & LinkSink {
  return {
    statusChanged: (messageId, status, failure) => messages.statusChanged(messageId, status, failure),
    inbound: (accountId, message) => messages.inbound(accountId, message),
    receipt: (messageId, receipt) => messages.receipt(messageId, receipt),
    sessionChanged: (sessionId, update) => sessions.sessionChanged(sessionId, update),
  };
}
