import type { Account, ContactCard, Failure, GeoLocation, MediaSummary, Message, MessageKind, MessageReceipt, Session } from '../store/models.js';

/**
 * The seam between the engine and WhatsApp. The simulated transport is the default; a live transport
 * (a real WhatsApp session) implements the same interface, so providers never know which one runs.
 */
export interface Transport {
  readonly name: string;
  /** Once, when the engine starts: where messages and link changes go, and what the engine lends it. */
  attach(sink: TransportSink & LinkSink, context: TransportContext): void;
  /** Hands an accepted message to WhatsApp; what happens next comes back through the sink. */
  send(message: Message, account: Account): Promise<void>;
  /**
   * Carries on a send an instance died in after `sent` was stored (a store shared by several instances
   * runs the send again elsewhere): schedules again what follows `sent`, as `send` did, without sending
   * twice. Absent: such a message stays `sent` (a real phone's receipts are not the sandbox's to replay).
   */
  resume?(message: Message, account: Account): Promise<void>;
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

/**
 * Where a session's link to WhatsApp stands, as the transport holding it reports it (issue 16: the session
 * lifecycle lives in the transport; SessionService keeps the records and announces the changes).
 * - `qr`: a new QR screen (the session is unlinked: its phone is forgotten) showing this payload (WhatsApp
 *   Web's `ref,noiseKey,identityKey,advSecret`) until `rotatesAt` (clock time; null = until the next update);
 *   `rotated`: only the next code of the screen already showing (no new state, nothing announced);
 *   `idle`: the screen gave up waiting for a scan (WhatsApp Web's "reload" screen), announced again;
 * - `loading`: a phone linked it, as `phone` (then the link is new: linked now), or stored credentials are
 *   reconnecting (`phone` null: the session keeps its phone); chats load before it can send;
 * - `connected`: it can send, as `phone`;
 * - `disconnected`: the link dropped for `reason`; the transport retries in `retryInMs` (null = it waits to be told);
 * - `logged-out`: the phone unlinked it (or WhatsApp refused the credentials): the credentials are gone and
 *   the session is back on the QR screen, unlinked, with no code yet (the codes that follow come `rotated`).
 */
export type LinkUpdate =
  | { state: 'qr'; qr: string; rotatesAt: number | null; rotated?: true; idle?: true }
  | { state: 'loading'; phone: string | null }
  | { state: 'connected'; phone: string; profileName: string | null }
  | { state: 'disconnected'; reason: string; retryInMs: number | null }
  | { state: 'logged-out'; reason: string };

export type LinkResult<T = object> = ({ ok: true } & T) | { ok: false; reason: string };

/**
 * The session lifecycle a transport implements: the simulated one plays it on the clock, a live one from a
 * real socket, a relay one from a phone that polls. Every change comes back through `LinkSink.sessionChanged`.
 */
export interface SessionLinks {
  /**
   * Starts the session's link: an unlinked session (no phone) shows QR codes, a linked one reconnects
   * without a scan. Called for a new session, after `close` when a session is reset (its record unlinked
   * first: credentials kept for it are dropped), and with `resumed` for every stored session when the engine
   * resumes on a durable store (a transport whose steps are jobs in the engine's schedule, as the simulated
   * one's are, has nothing to do then).
   */
  open(session: Session, resumed: boolean): Promise<void>;
  /** Linking by phone number instead of a QR scan: the code to type on that phone. */
  requestPairingCode(session: Session, phone: string): Promise<LinkResult<{ code: string }>>;
  /** Closes the link and opens it again (a provider's restart). */
  restart(session: Session): Promise<void>;
  /** Unlinks the phone and forgets the credentials; the session shows a fresh QR screen. */
  logout(session: Session): Promise<void>;
  /** Credentials that log the session back in without a scan, and restoring them. */
  backup(session: Session): Promise<LinkResult<{ token: string; phone: string }>>;
  restore(session: Session, token: string): Promise<LinkResult>;
  /**
   * Lets go of the session (deleted, reset, or the process stops); `logout` first to unlink the phone. When
   * the process stops the engine closes its store right after the call: let go before the first await.
   */
  close(session: Session): Promise<void>;
  /**
   * The code on screen now, for a transport whose codes follow the clock (the simulated one): it is asked
   * instead of reporting every rotation. A transport without it reports each code with a `qr` update.
   */
  qrCode?(session: Session): { qr: string; rotatesAt: number } | null;
}

/** What the engine holds its transports as: every transport plays the session lifecycle too. */
export type LinkedTransport = Transport & SessionLinks;

export interface LinkSink {
  sessionChanged(sessionId: string, update: LinkUpdate): Promise<void>;
}

/** Small durable values a transport keeps (auth credentials, signal keys, message-key maps): JSON, under its own prefix. */
export interface TransportState {
  get<T>(key: string): Promise<T | undefined>;
  set(key: string, value: unknown): Promise<void>;
  /** Whether there was one. */
  delete(key: string): Promise<boolean>;
  /** Every key starting with `prefix`, with its value, in key order. */
  entries<T>(prefix: string): Promise<Array<[string, T]>>;
  /** Deletes every key starting with `prefix`; how many there were. */
  deletePrefix(prefix: string): Promise<number>;
}

/** What the engine lends a transport when it attaches (issue 16 wires it; the simulated transport needs little of it). */
export interface TransportContext {
  /** Durable with a durable store; keys are the transport's own (the engine scopes them by transport name). */
  state: TransportState;
  /** The engine's clock time (epoch ms). */
  now(): number;
  /** The bytes of an outbound message's media (an upload the sandbox holds, or the file it fetched), or null if gone. */
  mediaBytes(message: Message): Promise<Uint8Array | null>;
  /** Keeps an inbound file's bytes for the account; what an InboundMessage names it by. */
  keepInboundMedia(accountId: string, file: { bytes: Uint8Array; mime: string; fileName: string | null }): Promise<{ mediaUrl: string; media: MediaSummary }>;
}
