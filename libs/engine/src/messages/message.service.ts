import { FAILURE_CODES, type DeliveryFault } from '../chaos/chaos.rules.js';
import type { ChaosService } from '../chaos/chaos.service.js';
import type { EngineClock } from '../clock/clock.js';
import type { Scheduler } from '../clock/scheduler.js';
import type { EngineEvents } from '../events.js';
import type { MediaFiles, MediaInspector, MediaPolicy, MediaVerdict } from '../media/index.js';
import type {
  Account,
  ContactCard,
  Failure,
  FailureCode,
  GeoLocation,
  MediaSummary,
  Message,
  MessageDirection,
  MessageKind,
  MessageReceipt,
  MessageStatus,
  Session,
  StoredMedia,
} from '../store/models.js';
import type { EngineStore, MessagePage, MessageQuery, ScheduledJob } from '../store/store.js';
import type { DurationRange } from '../random.js';
import { LINK_LABEL, type SessionService } from '../sessions/session.service.js';
import type { AccountService } from '../world/accounts.js';
import type { CustomerDirectory } from '../world/customers.js';
import type { ProviderProfile } from '../world/provider-profile.js';
import type { InboundMessage, TransportSink, TransportStatus } from '../transport/transport.js';
import type { Transports } from '../transport/transports.js';
import { DAY_MS, MINUTE_MS } from '../units.js';
import { charge } from './balance.js';
import { findDuplicate } from './duplicates.js';
import { MessageExpiry } from './message-expiry.js';
import { DEFAULT_SEND_PACING, type RestoredLine, type SendLines } from './send-queue.js';

/**
 * A file sent in the request itself: its bytes (base64, small), or a file on disk (multipart) that the engine
 * moves into its media store when it keeps it.
 */
export type MediaUpload = ({ bytes: Uint8Array } | { path: string; size: number }) & { fileName?: string };

export interface SendRequest {
  recipients: string[];
  text: string;
  kind?: MessageKind;
  mediaUrl?: string | null;
  /** A file sent in the request itself (multipart, base64); the sandbox keeps it and serves it. */
  mediaUpload?: MediaUpload;
  /** The provider's media rules; required with mediaUrl or mediaUpload. */
  mediaPolicy?: MediaPolicy;
  location?: GeoLocation;
  contacts?: ContactCard[];
  providerData?: Record<string, unknown>;
  /** The session to send from (Maytapi phone, Wamessage device); the account's own line when absent. */
  sessionId?: string;
  /** Clock time at which to send; now when absent. */
  sendAt?: number;
  /**
   * What the send rules refuse (messages over the per-second cap, media the policy refuses): refuse the
   * whole request (default), or accept and fail each such message when its turn comes, with
   * `rate_limited` or `media_rejected` (providers that report these errors in status callbacks).
   */
  refusals?: 'reject' | 'fail-at-dispatch';
  /** The message deletes an earlier one of the line for everyone when it is sent (by id). */
  revokes?: string;
  /**
   * The provider already knows WhatsApp will refuse the message (a closed conversation window, a template
   * that does not match): it is accepted and fails with this when its turn comes.
   */
  failAtDispatch?: Failure;
  /** How long after acceptance a message not yet delivered fails with `expired` (a provider's validity), in clock ms. */
  validityMs?: number;
}

export type SendRejectionCode = 'media_rejected' | 'daily_limit' | 'rate_limited' | 'session_not_ready' | 'send_time_past';

export type SendResult = { ok: true; messages: Message[] } | { ok: false; code: SendRejectionCode; reason: string; media?: MediaVerdict };

export type ReceiveResult = { received: true; message: Message } | { received: false; reason: string };

/** Forward-only order of an outbound message's life; `failed` ranks last, so nothing follows it. */
const PROGRESS: Record<MessageStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4, received: 0 };

/** A chaos rule's failure: an engine failure code as it is, a provider's own code (Devino's numbers) as the provider code. */
function chaosFailure(fault: Extract<DeliveryFault, { type: 'fail' }>, rule: string): Failure {
  const reason = fault.reason ?? `failed by chaos rule ${rule}`;
  if ((FAILURE_CODES as readonly string[]).includes(fault.code)) return { code: fault.code as FailureCode, reason };
  return { code: 'send_failed', reason, providerCode: fault.code };
}

/** A scheduled send joining its line's queue at its time. */
const SEND_AT_JOB = 'message.send-at';

/** Feature switches the engine itself understands; providers decide defaults and delays. */
export const FEATURE_RECEIVE = 'receive';
export const FEATURE_SEND_SEEN = 'sendSeen';

export interface MessageServiceDeps {
  store: EngineStore;
  clock: EngineClock;
  scheduler: Scheduler;
  accounts: AccountService;
  sessions: SessionService;
  customers: CustomerDirectory;
  events: EngineEvents;
  media: MediaInspector;
  mediaFiles: MediaFiles;
  /** A message goes through the transport holding its line's session (or the account's link session), else the default. */
  transports: Transports;
  queue: SendLines;
  profile(name: string): ProviderProfile;
  /** Where the sandbox serves uploaded files: `${mediaBaseUrl}/uploads/<id>`. */
  mediaBaseUrl: string;
  /** Chaos rules for deliveries (a message stuck at a status, or failing with a chosen code); none when absent. */
  chaos?: ChaosService;
}

export class MessageService implements TransportSink {
  private readonly expiry: MessageExpiry;

  constructor(private readonly deps: MessageServiceDeps) {
    this.expiry = new MessageExpiry(
      deps.scheduler,
      (id) => this.get(id),
      (id, failure) => this.statusChanged(id, 'failed', failure),
    );
    deps.scheduler.handle(SEND_AT_JOB, (payload) => deps.queue.enqueue(payload.lineId as string, payload.messageId as string, payload.pacing as DurationRange));
  }

  /** Accepts a message for each recipient and queues it on the sending line. */
  async send(account: Account, request: SendRequest): Promise<SendResult> {
    const { store, clock } = this.deps;
    const now = clock.now();
    if (request.sendAt !== undefined && request.sendAt < now) {
      return { ok: false, code: 'send_time_past', reason: 'the send time is in the past' };
    }
    let from = account.linePhone;
    let lineId = account.id;
    if (request.sessionId !== undefined) {
      const session = await this.deps.sessions.get(request.sessionId);
      if (!session || session.accountId !== account.id) return { ok: false, code: 'session_not_ready', reason: 'no such session' };
      if (session.state !== 'connected' || !session.phone) {
        return { ok: false, code: 'session_not_ready', reason: `the session is not connected (it is ${session.state})` };
      }
      from = session.phone;
      lineId = session.id;
    } else {
      // An account linked to a phone (its provider has no session API) sends as that phone.
      const link = await this.deps.sessions.linkOf(account);
      if (link?.phone) from = link.phone;
    }
    const kind = request.kind ?? (request.mediaUrl || request.mediaUpload ? 'media' : 'text');
    const limit = await this.checkLimits(account, request.recipients.length, request.refusals ?? 'reject', kind);
    if (!limit.ok) return limit;

    const media = await this.acceptMedia(account, request);
    if (!media.ok) return media;

    const profile = this.deps.profile(account.provider);
    const pacing = profile.sendPacing ?? DEFAULT_SEND_PACING;
    const messages: Message[] = [];
    for (const [index, peer] of request.recipients.entries()) {
      const duplicate =
        profile.duplicateWindowMs === undefined
          ? undefined
          : await findDuplicate(store, account, peer, { text: request.text, mediaUrl: media.url }, now - profile.duplicateWindowMs + 1);
      const id = await this.nextId(account, 'outbound');
      const overRate = index >= limit.withinRate;
      const message: Message = {
        id,
        accountId: account.id,
        lineId,
        kind,
        direction: 'outbound',
        peer,
        from,
        to: peer,
        text: request.text,
        mediaUrl: media.url,
        media: media.summary,
        location: request.location ?? null,
        contacts: request.contacts ?? null,
        failAtDispatch: overRate
          ? { code: 'rate_limited', reason: 'too many messages in a short time' }
          : duplicate
            ? { code: 'duplicate', reason: `the same message went to ${peer} as ${duplicate.id}` }
            : (media.failAtDispatch ?? request.failAtDispatch ?? null),
        status: 'queued',
        failure: null,
        createdAt: now,
        sendAt: request.sendAt !== undefined && request.sendAt > now ? request.sendAt : null,
        history: [{ status: 'queued', at: now }],
        profileName: null,
        providerData: request.providerData ?? null,
        ...(request.revokes !== undefined ? { revokes: request.revokes } : {}),
      };
      await store.messages.insert(message);
      if (request.validityMs !== undefined) this.expiry.schedule(message, request.validityMs);
      if (message.sendAt === null) await this.deps.queue.enqueue(lineId, id, pacing);
      else this.deps.scheduler.at(message.sendAt, SEND_AT_JOB, { lineId, messageId: id, pacing }, `${SEND_AT_JOB}:${id}`);
      messages.push(message);
    }
    return { ok: true, messages };
  }

  async get(id: string): Promise<Message | undefined> {
    return this.deps.store.messages.get(id);
  }

  async query(query: MessageQuery): Promise<MessagePage> {
    return this.deps.store.messages.query(query);
  }

  /** What is known of a file a client uploaded with a message (its bytes are in MediaFiles while kept). */
  async upload(id: string): Promise<StoredMedia | undefined> {
    return this.deps.store.media.get(id);
  }

  /**
   * What each line's send queue held when the engine stopped: its queued messages that are not waiting for
   * their scheduled time (a stored job), in the order they joined it (acceptance, or their scheduled time).
   */
  async queuedLines(jobs: ScheduledJob[]): Promise<RestoredLine[]> {
    const waiting = new Set(jobs.filter((job) => job.kind === SEND_AT_JOB).map((job) => job.payload.messageId as string));
    const lines = new Map<string, RestoredLine & { joinedAt: Map<string, number> }>();
    for (const account of await this.deps.accounts.list()) {
      const pacing = this.deps.profile(account.provider).sendPacing ?? DEFAULT_SEND_PACING;
      for (const message of await this.queued(account)) {
        if (waiting.has(message.id)) continue;
        let line = lines.get(message.lineId);
        if (!line) lines.set(message.lineId, (line = { lineId: message.lineId, pacing, messageIds: [], joinedAt: new Map() }));
        line.messageIds.push(message.id);
        line.joinedAt.set(message.id, message.sendAt ?? message.createdAt);
      }
    }
    // Stable: messages that joined at the same time keep their acceptance order.
    return [...lines.values()].map(({ joinedAt, ...line }) => ({ ...line, messageIds: line.messageIds.sort((a, b) => joinedAt.get(a)! - joinedAt.get(b)!) }));
  }

  /** The account's messages still waiting to be sent (scheduled ones included), oldest first. */
  async queued(account: Account): Promise<Message[]> {
    const page = await this.query({
      accountId: account.id,
      direction: 'outbound',
      statuses: ['queued'],
      order: 'oldest',
      offset: 0,
      limit: Number.MAX_SAFE_INTEGER,
    });
    return page.items;
  }

  /** A status reported by WhatsApp: applied only if it moves the message forward, and not past where chaos holds it. */
  async statusChanged(messageId: string, status: TransportStatus, failure?: Failure): Promise<void> {
    const message = await this.deps.store.messages.get(messageId);
    if (message?.direction !== 'outbound') return;
    if (PROGRESS[status] <= PROGRESS[message.status]) return;
    const stuckAt = message.chaos?.stuckAt;
    if (stuckAt && status !== 'failed' && PROGRESS[status] > PROGRESS[stuckAt]) return;
    await this.applyStatus(message, status, status === 'failed' ? (failure ?? { code: 'send_failed', reason: 'unknown reason' }) : null);
    // A delete for everyone takes effect when it goes out.
    if (status === 'sent' && message.revokes !== undefined) await this.receipt(message.revokes, 'deleted');
  }

  /**
   * The control API's override: any status, in any direction, for testing a client's handling; a failure
   * may carry one of the provider's own codes (its profile's `failureCodes`).
   */
  async forceStatus(messageId: string, status: MessageStatus, reason?: string, providerCode?: string): Promise<Message | undefined> {
    const message = await this.deps.store.messages.get(messageId);
    if (!message) return undefined;
    const failure: Failure = { code: 'forced', reason: reason ?? 'forced by the control API', ...(providerCode !== undefined ? { providerCode } : {}) };
    return this.applyStatus(message, status, status === 'failed' ? failure : null);
  }

  async inbound(accountId: string, inbound: InboundMessage): Promise<void> {
    const account = await this.deps.accounts.get(accountId);
    if (account) await this.receive(account, inbound);
  }

  /** A customer's message reaches the account (or one of its sessions), unless the account does not receive. */
  async receive(account: Account, inbound: InboundMessage): Promise<ReceiveResult> {
    const { accounts, store, clock } = this.deps;
    if (!accounts.isEnabled(account, FEATURE_RECEIVE)) return { received: false, reason: 'receive is off for this account' };
    let to = account.linePhone;
    let lineId = inbound.lineId ?? account.id;
    if (lineId !== account.id) {
      const session = await this.deps.sessions.get(lineId);
      if (!session || session.accountId !== account.id) return { received: false, reason: 'no such session' };
      if (session.state !== 'connected' || !session.phone) return { received: false, reason: `the session is not connected (it is ${session.state})` };
      to = session.phone;
      // What reaches an account's link session is the account line's, as what it sends is.
      if (session.label === LINK_LABEL) lineId = account.id;
    }
    const now = clock.now();
    const id = await this.nextId(account, 'inbound');
    const seen = accounts.isEnabled(account, FEATURE_SEND_SEEN);
    const message: Message = {
      id,
      accountId: account.id,
      lineId,
      kind: inbound.kind ?? (inbound.mediaUrl ? 'media' : 'text'),
      direction: 'inbound',
      peer: inbound.chat ?? inbound.from,
      from: inbound.from,
      to,
      text: inbound.text,
      mediaUrl: inbound.mediaUrl,
      media: inbound.media,
      location: inbound.location ?? null,
      contacts: inbound.contacts ?? null,
      failAtDispatch: null,
      status: seen ? 'read' : 'received',
      failure: null,
      createdAt: now,
      sendAt: null,
      history: seen
        ? [
            { status: 'received', at: now },
            { status: 'read', at: now },
          ]
        : [{ status: 'received', at: now }],
      profileName: inbound.profileName ?? this.deps.customers.profileName(inbound.from),
      providerData: null,
      ...(inbound.quotedId !== undefined ? { quotedId: inbound.quotedId } : {}),
    };
    await store.messages.insert(message);
    await this.deps.events.emit({ type: 'message.received', message });
    return { received: true, message };
  }

  /** A sent message was played or deleted for everyone; each receipt counts once. */
  async receipt(messageId: string, receipt: MessageReceipt): Promise<Message | undefined> {
    const message = await this.deps.store.messages.get(messageId);
    if (message?.direction !== 'outbound' || message.receipts?.[receipt] !== undefined) return message;
    // A message chaos holds before read is never played either.
    if (receipt === 'played' && message.chaos?.stuckAt) return message;
    const at = this.deps.clock.now();
    const updated: Message = { ...message, receipts: { ...message.receipts, [receipt]: at } };
    await this.deps.store.messages.save(updated);
    await this.deps.events.emit({ type: 'message.receipt', message: updated, receipt, at });
    return updated;
  }

  /** Called by the send queue when a message's turn on the line comes. */
  async dispatch(messageId: string): Promise<void> {
    const message = await this.deps.store.messages.get(messageId);
    // On a shared store, a send found `sent` is one an instance died in (its line's queue lets a message go
    // only once what the send scheduled is stored): the transport carries it on, nothing is charged again.
    if (message?.status === 'sent' && this.deps.store.shared) return this.resumeSend(message);
    if (message?.status !== 'queued') return;
    const account = await this.deps.accounts.get(message.accountId);
    if (!account) return;
    if (message.failAtDispatch) return this.statusChanged(messageId, 'failed', message.failAtDispatch);
    const unpaid = await charge(this.deps.accounts, account, message.kind, this.deps.profile(account.provider).billedKinds);
    if (unpaid) return this.statusChanged(messageId, 'failed', unpaid);
    // A session's line sends through its session; the account's own line through its link session, if it has one.
    const onSession = message.lineId !== account.id;
    const session = await this.lineSession(message, account);
    if (onSession ? session?.state !== 'connected' : session && session.state !== 'connected') {
      const reason = onSession
        ? 'the session was not connected when the message was due'
        : "the account's link to its phone was not connected when the message was due";
      return this.statusChanged(messageId, 'failed', { code: 'session_closed', reason });
    }
    const chaos = this.deps.chaos?.decide<DeliveryFault>('delivery', { provider: account.provider, account: account.key });
    if (chaos) {
      const stuckAt = chaos.fault.type === 'stuck' ? { stuckAt: chaos.fault.at } : {};
      await this.deps.store.messages.save({ ...message, chaos: { ...chaos.mark, ...stuckAt } });
      if (chaos.fault.type === 'fail') return this.statusChanged(messageId, 'failed', chaosFailure(chaos.fault, chaos.rule));
    }
    try {
      await this.deps.transports.of(session?.transport ?? this.deps.transports.defaultName).send(message, account);
    } catch (error) {
      await this.statusChanged(messageId, 'failed', { code: 'transport_error', reason: error instanceof Error ? error.message : String(error) });
    }
  }

  private async resumeSend(message: Message): Promise<void> {
    const account = await this.deps.accounts.get(message.accountId);
    if (!account) return;
    const session = await this.lineSession(message, account);
    await this.deps.transports.of(session?.transport ?? this.deps.transports.defaultName).resume?.(message, account);
  }

  /** The session a message's line sends through: its own session's, or for the account's own line its link session, if any. */
  private async lineSession(message: Message, account: Account): Promise<Session | undefined> {
    return message.lineId !== account.id ? this.deps.sessions.get(message.lineId) : this.deps.sessions.linkOf(account);
  }

  /** Ids follow the provider's format and are unique sandbox-wide, so the control API finds any message by id. */
  private async nextId(account: Account, direction: MessageDirection): Promise<string> {
    const format = this.deps.profile(account.provider).messageIds[direction];
    for (;;) {
      const n = await this.deps.store.sequences.next(`${account.provider}.message.${direction}`, format.start);
      const id = format.format ? format.format(n) : String(n);
      if (!(await this.deps.store.messages.get(id))) return id;
    }
  }

  /** The account's caps; `withinRate` is how many of the new messages fit in this second. */
  private async checkLimits(
    account: Account,
    count: number,
    refusals: 'reject' | 'fail-at-dispatch',
    kind: MessageKind,
  ): Promise<{ ok: true; withinRate: number } | { ok: false; code: SendRejectionCode; reason: string }> {
    const { store, clock } = this.deps;
    const now = clock.now();
    const { dailyMessages, perSecond } = account.limits;
    if (dailyMessages !== null) {
      const offsetMs = (this.deps.profile(account.provider).utcOffsetMinutes ?? 0) * MINUTE_MS;
      const dayStart = Math.floor((now + offsetMs) / DAY_MS) * DAY_MS - offsetMs;
      const today = await store.messages.countSince(account.id, 'outbound', dayStart);
      if (today + count > dailyMessages) {
        return { ok: false, code: 'daily_limit', reason: `the account may send ${dailyMessages} messages a day and has sent ${today} today` };
      }
    }
    const { rateLimitedKinds } = this.deps.profile(account.provider);
    if (perSecond === null || (rateLimitedKinds && !rateLimitedKinds.includes(kind))) return { ok: true, withinRate: count };
    const lastSecond = rateLimitedKinds
      ? (await store.messages.listSince(account.id, 'outbound', now - 999)).filter((message) => rateLimitedKinds.includes(message.kind)).length
      : await store.messages.countSince(account.id, 'outbound', now - 999);
    const withinRate = Math.max(0, perSecond - lastSecond);
    if (withinRate < count && refusals === 'reject') {
      return { ok: false, code: 'rate_limited', reason: `the account may send ${perSecond} messages a second` };
    }
    return { ok: true, withinRate };
  }

  /** Judges the request's media; a link that cannot be fetched now is accepted and fails at dispatch. */
  private async acceptMedia(
    account: Account,
    request: SendRequest,
  ): Promise<
    | { ok: true; url: string | null; summary: MediaSummary | null; failAtDispatch: Failure | null }
    | { ok: false; code: 'media_rejected'; reason: string; media: MediaVerdict }
  > {
    const { mediaUrl, mediaUpload, mediaPolicy } = request;
    if (!mediaUrl && !mediaUpload) return { ok: true, url: null, summary: null, failAtDispatch: null };
    if (!mediaPolicy) throw new Error('media needs the provider media policy');
    const { media } = this.deps;
    const verdict = !mediaUpload
      ? await media.inspect(mediaUrl!, mediaPolicy)
      : 'bytes' in mediaUpload
        ? media.inspectBytes(mediaUpload.bytes, mediaPolicy)
        : await media.inspectFile(mediaUpload.path, mediaPolicy);
    if (!verdict.ok) {
      // A file that cannot be fetched now is the provider's problem at send time, not a bad request:
      // queueing providers accept the message and fail it when they try to send it.
      if (verdict.code === 'fetch_failed' && mediaUrl) {
        return {
          ok: true,
          url: mediaUrl,
          summary: null,
          failAtDispatch: { code: 'media_unfetchable', reason: `the media could not be fetched: ${verdict.reason}` },
        };
      }
      if (request.refusals === 'fail-at-dispatch') {
        return { ok: true, url: mediaUrl ?? null, summary: null, failAtDispatch: { code: 'media_rejected', reason: verdict.reason } };
      }
      return { ok: false, code: 'media_rejected', reason: verdict.reason, media: verdict };
    }
    const { format, kind, mime, size } = verdict.info;
    const fileName = mediaUpload?.fileName;
    const summary: MediaSummary = { format, kind, mime, size, ...(fileName ? { fileName } : {}) };
    if (!mediaUpload) return { ok: true, url: mediaUrl!, summary, failAtDispatch: null };
    const id = `u${await this.deps.store.sequences.next('media.upload', 1)}`;
    await this.deps.mediaFiles.keep(id, mediaUpload);
    await this.deps.store.media.save({ id, accountId: account.id, fileName: fileName ?? null, mime, size, createdAt: this.deps.clock.now() });
    return { ok: true, url: `${this.deps.mediaBaseUrl}/uploads/${id}`, summary, failAtDispatch: null };
  }

  private async applyStatus(message: Message, status: MessageStatus, failure: Failure | null): Promise<Message> {
    const at = this.deps.clock.now();
    const updated: Message = { ...message, status, failure, history: [...message.history, { status, at }] };
    const publish = updated.direction === 'outbound' ? () => this.deps.events.emit({ type: 'message.status', message: updated }) : async () => {};
    if (this.deps.store.shared) {
      // Its webhooks first: an instance that dies between the two leaves the status unchanged, and the job
      // that changes it runs again elsewhere (a duplicate webhook) instead of finding it changed (a lost one).
      await publish();
      await this.deps.store.messages.save(updated);
    } else {
      await this.deps.store.messages.save(updated);
      await publish();
    }
    return updated;
  }
}
