import type { Account, ContactCard, Failure, GeoLocation, MediaSummary, Message, MessageKind, MessageReceipt } from '../store/models.js';

/**
 * The seam between the engine and WhatsApp. The simulated transport is the default; a live transport
 * (a real WhatsApp session) implements the same interface, so providers never know which one runs.
 */
export interface Transport {
  readonly name: string;
  attach(sink: TransportSink): void;
  /** Hands an accepted message to WhatsApp; what happens next comes back through the sink. */
  send(message: Message, account: Account): Promise<void>;
}

export type TransportStatus = 'sent' | 'delivered' | 'read' | 'failed';

export interface InboundMessage {
  from: string;
  text: string;
  mediaUrl: string | null;
  media: MediaSummary | null;
  profileName: string | null;
  /** The session it arrives on; the account's own line when absent. */
  lineId?: string;
  /** 'media' when there is a mediaUrl, else 'text', when absent. */
  kind?: MessageKind;
  location?: GeoLocation;
  contacts?: ContactCard[];
  /** The group it is written in (`from` is then the member who wrote); a chat with `from` when absent. */
  chat?: string;
  /** The message it replies to, by id. */
  quotedId?: string;
}

export interface TransportSink {
  statusChanged(messageId: string, status: TransportStatus, failure?: Failure): Promise<void>;
  inbound(accountId: string, message: InboundMessage): Promise<void>;
  /** A sent message was played or deleted for everyone. */
  receipt(messageId: string, receipt: MessageReceipt): Promise<unknown>;
}
