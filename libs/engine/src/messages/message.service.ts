import type { EngineClock } from '../clock/clock.js';
import type { EngineEvents } from '../events.js';
import type { MediaInspector, MediaPolicy } from '../media/index.js';
import type { Account, MediaSummary, Message, MessageStatus } from '../store/models.js';
import type { EngineStore, MessagePage, MessageQuery } from '../store/store.js';
import type { AccountService } from '../world/accounts.js';
import type { CustomerDirectory } from '../world/customers.js';
import type { InboundMessage, Transport, TransportSink, TransportStatus } from '../transport/transport.js';
import type { SendQueue } from './send-queue.js';

export interface SendRequest {
  recipients: string[];
  text: string;
  mediaUrl?: string | null;
  /** The provider's media rules; required when mediaUrl is given. */
  mediaPolicy?: MediaPolicy;
}

export type SendResult =
  | { ok: true; messages: Message[] }
  | { ok: false; code: 'media_rejected'; reason: string };

export type ReceiveResult = { received: true; message: Message } | { received: false; reason: string };

/** Sequences are distinct so inbound and outbound ids look like the providers' (8-digit sent, 7-digit received). */
const OUTBOUND_IDS = { name: 'message.outbound', start: 80_000_000 };
const INBOUND_IDS = { name: 'message.inbound', start: 3_800_000 };

/** Forward-only order of an outbound message's life; `failed` ranks last, so nothing follows it. */
const PROGRESS: Record<MessageStatus, number> = { queued: 0, sent: 1, delivered: 2, read: 3, failed: 4, received: 0 };

/** Feature switches the engine itself understands; providers decide defaults and delays. */
export const FEATURE_RECEIVE = 'receive';
export const FEATURE_SEND_SEEN = 'sendSeen';

export class MessageService implements TransportSink {
  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
    private readonly accounts: AccountService,
    private readonly customers: CustomerDirectory,
    private readonly events: EngineEvents,
    private readonly media: MediaInspector,
    private readonly transport: Transport,
    private readonly queue: SendQueue,
  ) {}

  /** Accepts a message for each recipient and queues it on the account's line. */
  async send(account: Account, request: SendRequest): Promise<SendResult> {
    let media: MediaSummary | null = null;
    let mediaError: string | null = null;
    if (request.mediaUrl) {
      if (!request.mediaPolicy) throw new Error('a media url needs the provider media policy');
      const verdict = await this.media.inspect(request.mediaUrl, request.mediaPolicy);
      if (verdict.ok) {
        const { format, kind, mime, size } = verdict.info;
        media = { format, kind, mime, size };
      } else if (verdict.code === 'fetch_failed') {
        // A file that cannot be fetched now is the provider's problem at send time, not a bad request:
        // queueing providers accept the message and fail it when they try to send it.
        mediaError = verdict.reason;
      } else {
        return { ok: false, code: 'media_rejected', reason: verdict.reason };
      }
    }
    const now = this.clock.now();
    const messages: Message[] = [];
    for (const peer of request.recipients) {
      const id = String(await this.store.sequences.next(OUTBOUND_IDS.name, OUTBOUND_IDS.start));
      const message: Message = {
        id,
        accountId: account.id,
        direction: 'outbound',
        peer,
        from: account.linePhone,
        to: peer,
        text: request.text,
        mediaUrl: request.mediaUrl ?? null,
        media,
        mediaError,
        status: 'queued',
        failureReason: null,
        createdAt: now,
        history: [{ status: 'queued', at: now }],
        profileName: null,
      };
      await this.store.messages.insert(message);
      this.queue.enqueue(account.id, id);
      messages.push(message);
    }
    return { ok: true, messages };
  }

  async get(id: string): Promise<Message | undefined> {
    return this.store.messages.get(id);
  }

  async query(query: MessageQuery): Promise<MessagePage> {
    return this.store.messages.query(query);
  }

  /** A status reported by WhatsApp: applied only if it moves the message forward. */
  async statusChanged(messageId: string, status: TransportStatus, reason?: string): Promise<void> {
    const message = await this.store.messages.get(messageId);
    if (!message || message.direction !== 'outbound') return;
    if (PROGRESS[status] <= PROGRESS[message.status]) return;
    await this.applyStatus(message, status, reason ?? null);
  }

  /** The control API's override: any status, in any direction, for testing a client's handling. */
  async forceStatus(messageId: string, status: MessageStatus, reason?: string): Promise<Message | undefined> {
    const message = await this.store.messages.get(messageId);
    if (!message) return undefined;
    return this.applyStatus(message, status, status === 'failed' ? (reason ?? 'forced by the control API') : null);
  }

  async inbound(accountId: string, inbound: InboundMessage): Promise<void> {
    const account = await this.accounts.get(accountId);
    if (account) await this.receive(account, inbound);
  }

  /** A customer's message reaches the account, unless the account does not receive. */
  async receive(account: Account, inbound: InboundMessage): Promise<ReceiveResult> {
    if (!this.accounts.isEnabled(account, FEATURE_RECEIVE)) return { received: false, reason: 'receive is off for this account' };
    const now = this.clock.now();
    const id = String(await this.store.sequences.next(INBOUND_IDS.name, INBOUND_IDS.start));
    const seen = this.accounts.isEnabled(account, FEATURE_SEND_SEEN);
    const message: Message = {
      id,
      accountId: account.id,
      direction: 'inbound',
      peer: inbound.from,
      from: inbound.from,
      to: account.linePhone,
      text: inbound.text,
      mediaUrl: inbound.mediaUrl,
      media: inbound.media,
      mediaError: null,
      status: seen ? 'read' : 'received',
      failureReason: null,
      createdAt: now,
      history: seen ? [{ status: 'received', at: now }, { status: 'read', at: now }] : [{ status: 'received', at: now }],
      profileName: inbound.profileName ?? this.customers.profileName(inbound.from),
    };
    await this.store.messages.insert(message);
    await this.events.emit({ type: 'message.received', message });
    return { received: true, message };
  }

  /** Called by the send queue when a message's turn on the line comes. */
  async dispatch(messageId: string): Promise<void> {
    const message = await this.store.messages.get(messageId);
    if (!message || message.status !== 'queued') return;
    const account = await this.accounts.get(message.accountId);
    if (!account) return;
    if (message.mediaError) return this.statusChanged(messageId, 'failed', `the media could not be fetched: ${message.mediaError}`);
    try {
      await this.transport.send(message, account);
    } catch (error) {
      await this.statusChanged(messageId, 'failed', error instanceof Error ? error.message : String(error));
    }
  }

  private async applyStatus(message: Message, status: MessageStatus, reason: string | null): Promise<Message> {
    const at = this.clock.now();
    const updated: Message = { ...message, status, failureReason: reason, history: [...message.history, { status, at }] };
    await this.store.messages.save(updated);
    if (updated.direction === 'outbound') await this.events.emit({ type: 'message.status', message: updated });
    return updated;
  }
}
