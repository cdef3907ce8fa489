import type {
  InboundMessage,
  LinkSink,
  LinkUpdate,
  Message,
  MessageReceipt,
  Session,
  TransportContext,
  TransportSink,
  TransportStatus,
  Failure,
} from '#engine';
import { MemoryTransportState } from './memory-state.js';

/** What the transport told the engine, in order. */
export class RecordingSink implements TransportSink, LinkSink {
  readonly links: Array<{ sessionId: string; update: LinkUpdate }> = [];
  readonly statuses: Array<{ messageId: string; status: TransportStatus; failure?: Failure }> = [];
  readonly inbounds: Array<{ accountId: string; message: InboundMessage }> = [];
  readonly receipts: Array<{ messageId: string; receipt: MessageReceipt }> = [];
  private readonly waiters: Array<{ sessionId: string; matches(update: LinkUpdate): boolean; resolve(update: LinkUpdate): void }> = [];

  async sessionChanged(sessionId: string, update: LinkUpdate): Promise<void> {
    this.links.push({ sessionId, update });
    for (const waiter of this.waiters.filter((w) => w.sessionId === sessionId && w.matches(update))) {
      this.waiters.splice(this.waiters.indexOf(waiter), 1);
      waiter.resolve(update);
    }
  }

  /** The session's next link update in `state` (for transports whose events come from real sockets). */
  nextUpdate<S extends LinkUpdate['state']>(sessionId: string, state: S): Promise<Extract<LinkUpdate, { state: S }>> {
    return new Promise((resolve) =>
      this.waiters.push({ sessionId, matches: (update) => update.state === state, resolve: (update) => resolve(update as Extract<LinkUpdate, { state: S }>) }),
    );
  }

  async statusChanged(messageId: string, status: TransportStatus, failure?: Failure): Promise<void> {
    this.statuses.push({ messageId, status, ...(failure ? { failure } : {}) });
  }

  async inbound(accountId: string, message: InboundMessage): Promise<void> {
    this.inbounds.push({ accountId, message });
  }

  async receipt(messageId: string, receipt: MessageReceipt): Promise<void> {
    this.receipts.push({ messageId, receipt });
  }

  /** The session's last link update. */
  last(sessionId: string): LinkUpdate | undefined {
    return this.links.filter((entry) => entry.sessionId === sessionId).at(-1)?.update;
  }
}

/** A TransportContext over a memory state: media bytes from a map by message id, kept files listed. */
export function testContext(state = new MemoryTransportState()) {
  const mediaByMessage = new Map<string, Uint8Array>();
  const kept: Array<{ accountId: string; bytes: Uint8Array; mime: string; fileName: string | null }> = [];
  const context: TransportContext = {
    state,
    now: () => 0,
    mediaBytes: async (message: Message) => mediaByMessage.get(message.id) ?? null,
    keepInboundMedia: async (accountId, file) => {
      kept.push({ accountId, ...file });
      const size = file.bytes.byteLength;
      return { mediaUrl: `http://sandbox.test/media/in${kept.length}`, media: { format: 'jpeg', kind: 'image', mime: file.mime, size } };
    },
  };
  return { context, state, mediaByMessage, kept };
}

export function testSession(id = 's1', accountId = 'maytapi:product', fields: Partial<Session> = {}): Session {
  return {
    id,
    accountId,
    label: '1',
    transport: 'live',
    state: 'qr',
    stateSince: 0,
    phone: null,
    linkedAt: null,
    createdAt: 0,
    qrSince: 0,
    idle: false,
    pairing: null,
    ...fields,
  };
}

/** Lets the transport's event handlers (promises over a memory state, no I/O) run to the end. */
export const settle = () => new Promise<void>((resolve) => setImmediate(resolve));
