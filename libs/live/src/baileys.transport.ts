import {
  DisconnectReason,
  generateMessageIDV2,
  makeCacheableSignalKeyStore,
  proto,
  type AuthenticationCreds,
  type BaileysEventMap,
  type WAMessage,
  type WAMessageKey,
} from '@whiskeysockets/baileys';
import {
  LINK_LABEL,
  type Account,
  type FailureCode,
  type LinkedTransport,
  type LinkResult,
  type LinkSink,
  type LinkUpdate,
  type Message,
  type Session,
  type TransportContext,
  type TransportSink,
  type TransportStatus,
} from '#engine';
import { authPrefix, linkedCreds, useStateAuth } from './auth-state.js';
import { openBackup, sealBackup } from './backup-token.js';
import { afterClose } from './disconnects.js';
import { jidOf, numberOf, readInbound } from './inbound.js';
import { toWhatsApp } from './outbound.js';
import {
  baileysDownload,
  baileysSocket,
  type LiveSocket,
  type MediaDownloader,
  realTimer,
  type ReconnectTimer,
  silentLogger,
  type SocketFactory,
} from './socket.js';

export interface BackOff {
  firstMs: number;
  maxMs: number;
}

/**
 * After a drop, the first retry waits 2 s and each next one twice as long, up to 2 minutes: quick enough
 * for a network blip, and far from the tight reconnect loops WhatsApp flags as automated abuse.
 */
export const DEFAULT_BACK_OFF: BackOff = { firstMs: 2_000, maxMs: 120_000 };

export interface BaileysTransportOptions {
  socket?: SocketFactory;
  download?: MediaDownloader;
  timer?: ReconnectTimer;
  backOff?: BackOff;
  /** Errors no caller waits for (an event handler's); live mode prints them. */
  onError?: (error: unknown) => void;
}

/** A message this sandbox sent, as WhatsApp knows it: what a later delete or quote of it needs. */
interface SentRecord {
  sessionId: string;
  key: WAMessageKey;
  text: string;
}

/** Engine id → WhatsApp key, for messages the sandbox sent. */
const sentKey = (messageId: string) => `sent/${messageId}`;
/** A session's WhatsApp message id → engine id, for status updates and quotes that name it. */
const waKey = (sessionId: string, waId: string) => `wa/${sessionId}/${waId}`;

/** Where one session's link stands. */
interface Link {
  session: Session;
  /** The socket whose events count; null while none is (closed on purpose, waiting to retry). */
  socket: LiveSocket | null;
  /** Bumped whenever the socket is replaced or let go, so a connect that was overtaken gives up. */
  generation: number;
  /** Retries since the socket was last open, for the back-off. */
  retries: number;
  cancelRetry: (() => void) | null;
  /** The current socket showed a QR: WhatsApp is ready to link it, by scan or pairing code. */
  qrShown: boolean;
  /** The session is on its QR screen (unlinked): the codes that follow only rotate it. */
  onQrScreen: boolean;
  /** The code on screen, shown again when the screen goes idle. */
  lastQr: string | null;
  lastReported: LinkUpdate['state'] | null;
  waitingForQr: Array<{ resolve(): void; reject(reason: Error): void }>;
}

/**
 * Live mode: each session is a real WhatsApp linked device (a Baileys socket). Its credentials, signal keys
 * and the map between WhatsApp message keys and engine ids live in the engine's store through the
 * transport's state, so a restart on a durable store resumes every linked session without a scan.
 */
export class BaileysTransport implements LinkedTransport {
  readonly name = 'live';
  private sink: (TransportSink & LinkSink) | null = null;
  private context: TransportContext | null = null;
  private readonly links = new Map<string, Link>();
  private readonly makeSocket: SocketFactory;
  private readonly download: MediaDownloader;
  private readonly timer: ReconnectTimer;
  private readonly backOff: BackOff;
  private readonly onError: (error: unknown) => void;

  constructor(options: BaileysTransportOptions = {}) {
    this.makeSocket = options.socket ?? baileysSocket;
    this.download = options.download ?? baileysDownload;
    this.timer = options.timer ?? realTimer;
    this.backOff = options.backOff ?? DEFAULT_BACK_OFF;
    this.onError = options.onError ?? ((error) => console.error('live transport:', error));
  }

  attach(sink: TransportSink & LinkSink, context: TransportContext): void {
    this.sink = sink;
    this.context = context;
  }

  async send(message: Message, _account: Account): Promise<void> {
    const { sink, context } = this.attached();
    const link = this.lineOf(message);
    const socket = link?.socket;
    if (!link || !socket?.user) return sink.statusChanged(message.id, 'failed', { code: 'session_closed', reason: 'the WhatsApp session is not connected' });
    const sessionId = link.session.id;
    const revoked = message.revokes === undefined ? undefined : await context.state.get<SentRecord>(sentKey(message.revokes));
    const hasMedia = message.mediaUrl !== null || message.media !== null;
    const out = toWhatsApp(message, { mediaBytes: hasMedia ? await context.mediaBytes(message) : null, ...(revoked ? { revokedKey: revoked.key } : {}) });
    if (!out.ok) return sink.statusChanged(message.id, 'failed', { code: 'send_failed', reason: out.reason });
    const quoted = message.quotedId === undefined ? undefined : await context.state.get<SentRecord>(sentKey(message.quotedId));
    // The id is chosen before sending and mapped first: WhatsApp's server ack can arrive before sendMessage returns.
    const waId = generateMessageIDV2(socket.user.id);
    await context.state.set(waKey(sessionId, waId), message.id);
    try {
      const sent = await socket.sendMessage(jidOf(message.peer), out.content, {
        messageId: waId,
        ...(quoted ? { quoted: { key: quoted.key, message: { conversation: quoted.text } } } : {}),
      });
      const record: SentRecord = {
        sessionId,
        key: sent?.key ?? { remoteJid: jidOf(message.peer), fromMe: true, id: waId },
        text: message.text,
      };
      await context.state.set(sentKey(message.id), record);
    } catch (error) {
      await context.state.delete(waKey(sessionId, waId));
      return sink.statusChanged(message.id, 'failed', sendFailure(error));
    }
    await sink.statusChanged(message.id, 'sent');
  }

  /**
   * A session the engine did not resume is new, or reset (its record unlinked): credentials kept for it
   * belong to a link it no longer has, and go. A resumed one reconnects with what it kept.
   */
  async open(session: Session, resumed: boolean): Promise<void> {
    const link = this.linkOf(session);
    if (link.socket) return;
    if (!resumed) await this.attached().context.state.deletePrefix(authPrefix(session.id));
    // A resumed session already shows its QR screen; a new one's first code announces it.
    link.onQrScreen = resumed && session.state === 'qr';
    await this.connect(link);
  }

  async requestPairingCode(session: Session, phone: string): Promise<LinkResult<{ code: string }>> {
    const { context } = this.attached();
    if (await linkedCreds(context.state, session.id)) return { ok: false, reason: 'the session is already linked to a phone' };
    const link = this.linkOf(session);
    if (!link.socket) await this.connect(link);
    try {
      // WhatsApp takes a pairing request once it offers the first QR: the socket is then ready to link.
      if (!link.qrShown) await new Promise<void>((resolve, reject) => link.waitingForQr.push({ resolve, reject }));
      const code = await link.socket!.requestPairingCode(phone.replace(/\D/g, ''));
      return { ok: true, code };
    } catch (error) {
      return { ok: false, reason: error instanceof Error ? error.message : String(error) };
    }
  }

  /** A linked session loads again; an unlinked one (an idle QR screen, say) shows a fresh QR screen. */
  async restart(session: Session): Promise<void> {
    const link = this.linkOf(session);
    await this.letGo(link);
    link.retries = 0;
    link.onQrScreen = false;
    await this.connect(link);
  }

  async logout(session: Session): Promise<void> {
    const { context } = this.attached();
    const link = this.linkOf(session);
    const socket = link.socket;
    this.forget(link);
    // Baileys' logout tells WhatsApp to remove the device, then closes; on a dropped link there is no one to
    // tell, and the credentials go all the same.
    await socket?.logout().catch(() => socket.end(undefined));
    await context.state.deletePrefix(authPrefix(session.id));
    await this.report(link, { state: 'logged-out', reason: 'logged out' });
    link.retries = 0;
    await this.connect(link);
  }

  async backup(session: Session): Promise<LinkResult<{ token: string; phone: string }>> {
    const { context } = this.attached();
    const creds = await linkedCreds(context.state, session.id);
    if (!creds?.me) return { ok: false, reason: 'the session is not linked to a phone' };
    const prefix = authPrefix(session.id);
    const entries = (await context.state.entries(prefix)).map(([key, value]): [string, unknown] => [key.slice(prefix.length), value]);
    return { ok: true, token: await sealBackup(context.state, entries), phone: numberOf(creds.me.id) };
  }

  async restore(session: Session, token: string): Promise<LinkResult> {
    const { context } = this.attached();
    const entries = await openBackup(context.state, token);
    if (!entries?.some(([key]) => key === 'creds')) return { ok: false, reason: 'the token was not made by this sandbox, or was altered' };
    const link = this.linkOf(session);
    await this.letGo(link);
    const prefix = authPrefix(session.id);
    await context.state.deletePrefix(prefix);
    for (const [key, value] of entries) await context.state.set(`${prefix}${key}`, value);
    link.retries = 0;
    await this.connect(link, true);
    return { ok: true };
  }

  async close(session: Session): Promise<void> {
    const link = this.links.get(session.id);
    if (!link) return;
    this.links.delete(session.id);
    await this.letGo(link);
  }

  /**
   * Opens a socket with the session's stored credentials (fresh ones when it has none: QR codes follow);
   * `relinked` when they are new to the session (a restored backup), which then takes their phone.
   */
  private async connect(link: Link, relinked = false): Promise<void> {
    const { context } = this.attached();
    const generation = ++link.generation;
    link.cancelRetry?.();
    link.cancelRetry = null;
    const { state: auth, saveCreds } = await useStateAuth(context.state, link.session.id);
    if (generation !== link.generation) return;
    // Stored credentials reconnect: the session keeps the phone it has.
    if (auth.creds.me) await this.report(link, { state: 'loading', phone: relinked ? numberOf(auth.creds.me.id) : null });
    const socket = this.makeSocket({
      auth: { creds: auth.creds, keys: makeCacheableSignalKeyStore(auth.keys, silentLogger) },
      logger: silentLogger,
      // The sandbox is not a person reading chats: the phone keeps its notifications, and old history stays on it.
      markOnlineOnConnect: false,
      syncFullHistory: false,
    });
    link.socket = socket;
    link.qrShown = false;
    const on = <E extends keyof BaileysEventMap>(event: E, handle: (payload: BaileysEventMap[E]) => Promise<void>) =>
      socket.ev.on(event, (payload) => {
        // Events of a socket the link let go of (closed, replaced) no longer speak for the session.
        if (link.socket === socket) handle(payload).catch(this.onError);
      });
    on('creds.update', saveCreds);
    on('connection.update', (update) => this.connectionUpdate(link, socket, auth.creds, update));
    on('messages.update', (updates) => this.statusUpdates(link.session.id, updates));
    on('messages.upsert', (upsert) => this.received(link, socket, upsert));
  }

  private async connectionUpdate(link: Link, socket: LiveSocket, creds: AuthenticationCreds, update: BaileysEventMap['connection.update']): Promise<void> {
    const { context } = this.attached();
    const id = link.session.id;
    if (update.qr) {
      link.qrShown = true;
      link.lastQr = update.qr;
      for (const waiter of link.waitingForQr.splice(0)) waiter.resolve();
      // WhatsApp's next code for the screen on show; the first one after a link or a drop is a new screen.
      await this.report(link, { state: 'qr', qr: update.qr, rotatesAt: null, ...(link.onQrScreen ? { rotated: true as const } : {}) });
    }
    // A phone just linked it (scan or code): WhatsApp restarts the stream next, and chats load.
    if (update.isNewLogin && creds.me) await this.report(link, { state: 'loading', phone: numberOf(creds.me.id) });
    if (update.connection === 'open') {
      link.retries = 0;
      const user = socket.user;
      const phone = numberOf(user?.phoneNumber ?? user?.id ?? creds.me?.id ?? '');
      await this.report(link, { state: 'connected', phone, profileName: user?.name ?? user?.notify ?? creds.me?.name ?? null });
    }
    if (update.connection !== 'close') return;
    const qrShown = link.qrShown;
    this.forget(link);
    const statusCode = statusOf(update.lastDisconnect?.error);
    const verdict = afterClose(statusCode);
    if (verdict.next === 'reconnect-now') return this.connect(link);
    if (verdict.next === 'logged-out') {
      await context.state.deletePrefix(authPrefix(id));
      // A fresh QR screen, as WhatsApp Web shows after its device is removed.
      await this.report(link, { state: 'logged-out', reason: verdict.reason });
      link.retries = 0;
      return this.connect(link);
    }
    // WhatsApp ends an unscanned QR run with a time-out: like WhatsApp Web's "reload QR" screen, the
    // session goes idle and waits to be opened again (a restart) rather than show codes nobody scans.
    if (qrShown && !creds.me && link.lastQr !== null) return this.report(link, { state: 'qr', qr: link.lastQr, rotatesAt: null, idle: true });
    const retryInMs = Math.min(this.backOff.firstMs * 2 ** link.retries, this.backOff.maxMs);
    link.retries++;
    link.cancelRetry = this.timer.start(retryInMs, () => {
      link.cancelRetry = null;
      this.connect(link).catch(this.onError);
    });
    await this.report(link, { state: 'disconnected', reason: verdict.reason, retryInMs });
  }

  /** WhatsApp's ticks for messages this sandbox sent. */
  private async statusUpdates(sessionId: string, updates: BaileysEventMap['messages.update']): Promise<void> {
    const { sink, context } = this.attached();
    for (const { key, update } of updates) {
      if (!key.fromMe || !key.id || update.status === undefined || update.status === null) continue;
      const messageId = await context.state.get<string>(waKey(sessionId, key.id));
      if (messageId === undefined) continue;
      const status = STATUSES[update.status];
      if (status)
        await sink.statusChanged(
          messageId,
          status,
          status === 'failed' ? { code: 'send_failed', reason: 'WhatsApp reported an error for the message' } : undefined,
        );
      if (update.status === proto.WebMessageInfo.Status.PLAYED) await sink.receipt(messageId, 'played');
    }
  }

  /** New messages to the line (not history, not the phone's own): the engine's inbound messages. */
  private async received(link: Link, socket: LiveSocket, { messages, type }: BaileysEventMap['messages.upsert']): Promise<void> {
    if (type !== 'notify') return;
    const { sink, context } = this.attached();
    const { session } = link;
    for (const received of messages) {
      if (received.key.fromMe) continue;
      const read = readInbound(received);
      if (!read) continue;
      const quotedId = read.quotedWaId === null ? undefined : await context.state.get<string>(waKey(session.id, read.quotedWaId));
      const file = read.media
        ? await this.keepFile(session.accountId, received, socket, read.media).catch((error: unknown) => {
            this.onError(error);
            return undefined;
          })
        : undefined;
      await sink.inbound(session.accountId, {
        ...read.message,
        // A file that could not be downloaded still leaves its message (and caption); unknown kinds travel as 'other'.
        ...(read.media && !file ? { kind: 'other' as const } : {}),
        mediaUrl: file?.mediaUrl ?? null,
        media: file?.media ?? null,
        lineId: session.id,
        ...(quotedId !== undefined ? { quotedId } : {}),
      });
    }
  }

  private async keepFile(accountId: string, received: WAMessage, socket: LiveSocket, media: { mime: string; fileName: string | null }) {
    const bytes = await this.download(received, socket);
    return this.attached().context.keepInboundMedia(accountId, { bytes, mime: media.mime, fileName: media.fileName });
  }

  /** Tells the engine where the session's link stands; whether it is on the QR screen follows. */
  private async report(link: Link, update: LinkUpdate): Promise<void> {
    // The restart WhatsApp asks for right after a link reconnects a session that is loading already.
    if (update.state === 'loading' && update.phone === null && link.lastReported === 'loading') return;
    link.lastReported = update.state;
    link.onQrScreen = update.state === 'qr' || update.state === 'logged-out';
    await this.attached().sink.sessionChanged(link.session.id, update);
  }

  /** The link a message leaves on: its session's, or for the account's own line, the account's link session's. */
  private lineOf(message: Message): Link | undefined {
    const onSession = this.links.get(message.lineId);
    if (onSession || message.lineId !== message.accountId) return onSession;
    return [...this.links.values()].find((link) => link.session.accountId === message.accountId && link.session.label === LINK_LABEL);
  }

  private linkOf(session: Session): Link {
    let link = this.links.get(session.id);
    if (!link) {
      link = {
        session,
        socket: null,
        generation: 0,
        retries: 0,
        cancelRetry: null,
        qrShown: false,
        onQrScreen: false,
        lastQr: null,
        lastReported: null,
        waitingForQr: [],
      };
      this.links.set(session.id, link);
    }
    link.session = session;
    return link;
  }

  /** Stops listening to the link's socket and cancels its retry (the socket itself is the caller's to end). */
  private forget(link: Link): void {
    link.generation++;
    link.socket = null;
    link.cancelRetry?.();
    link.cancelRetry = null;
    for (const waiter of link.waitingForQr.splice(0)) waiter.reject(new Error('the connection closed before WhatsApp offered to link it'));
  }

  /** Closes the link's socket on purpose: no reconnect follows. */
  private async letGo(link: Link): Promise<void> {
    const socket = link.socket;
    this.forget(link);
    await socket?.end(undefined);
  }

  private attached(): { sink: TransportSink & LinkSink; context: TransportContext } {
    if (!this.sink || !this.context) throw new Error('transport used before the engine attached to it');
    return { sink: this.sink, context: this.context };
  }
}

/** Baileys' `proto.WebMessageInfo.Status` → the engine's statuses (PENDING is the engine's queued, PLAYED is read and a receipt). */
const STATUSES: Partial<Record<number, TransportStatus>> = {
  [proto.WebMessageInfo.Status.ERROR]: 'failed',
  [proto.WebMessageInfo.Status.SERVER_ACK]: 'sent',
  [proto.WebMessageInfo.Status.DELIVERY_ACK]: 'delivered',
  [proto.WebMessageInfo.Status.READ]: 'read',
  [proto.WebMessageInfo.Status.PLAYED]: 'read',
};

/** Why sendMessage threw: a closed connection is the session's state, anything else the send's. */
function sendFailure(error: unknown): { code: FailureCode; reason: string } {
  const reason = error instanceof Error ? error.message : String(error);
  return { code: statusOf(error) === DisconnectReason.connectionClosed ? 'session_closed' : 'send_failed', reason };
}

/** Baileys' errors are @hapi/boom errors carrying an HTTP-like status code (WhatsApp's DisconnectReason). */
function statusOf(error: unknown): number | undefined {
  return (error as { output?: { statusCode?: number } } | null | undefined)?.output?.statusCode;
}
