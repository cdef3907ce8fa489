import { EventEmitter } from 'node:events';
import { Boom } from '@hapi/boom';
import type { AnyMessageContent, BaileysEventMap, Contact, MiscMessageGenerationOptions, WAMessage } from '@whiskeysockets/baileys';
import type { LiveSocket, ReconnectTimer, SocketConfig, SocketFactory } from '../socket.js';

export interface SentCall {
  jid: string;
  content: AnyMessageContent;
  options: MiscMessageGenerationOptions | undefined;
}

/**
 * Exactly the part of Baileys' socket the transport uses, driven by the test: it emits what WhatsApp would
 * (QR codes, open, close with a status code, receipts, incoming messages) and records what the transport asks.
 */
export class FakeSocket implements LiveSocket {
  private readonly emitter = new EventEmitter();
  readonly ev: LiveSocket['ev'] = { on: (event, listener) => void this.emitter.on(event, listener) };
  user: Contact | undefined = undefined;
  readonly sent: SentCall[] = [];
  readonly pairingRequests: string[] = [];
  /** What the next sendMessage throws, once. */
  failNextSend: Error | null = null;
  pairingCode = 'ABCD1234';
  loggedOut = false;
  ended = false;

  constructor(readonly config: SocketConfig) {}

  emit<E extends keyof BaileysEventMap>(event: E, payload: BaileysEventMap[E]): void {
    this.emitter.emit(event, payload);
  }

  /** WhatsApp opened the link as `phone` (the creds record it, as after a real login). */
  connect(phone: string, name = 'Sandbox Phone'): void {
    this.user = { id: `${phone}:7@s.whatsapp.net`, name };
    this.config.auth.creds.me ??= { id: `${phone}:7@s.whatsapp.net`, name };
    this.emit('creds.update', { me: this.config.auth.creds.me });
    this.emit('connection.update', { connection: 'open' });
  }

  /** A phone scanned the QR: WhatsApp records the device, then asks for the restart every new link gets. */
  scanned(phone: string): void {
    this.config.auth.creds.me = { id: `${phone}:7@s.whatsapp.net`, name: 'Sandbox Phone' };
    this.config.auth.creds.registered = true;
    this.emit('creds.update', { me: this.config.auth.creds.me, registered: true });
    this.emit('connection.update', { isNewLogin: true, qr: undefined });
    this.close(515);
  }

  close(statusCode: number): void {
    this.emit('connection.update', { connection: 'close', lastDisconnect: { error: new Boom('closed', { statusCode }), date: new Date(0) } });
  }

  async sendMessage(jid: string, content: AnyMessageContent, options?: MiscMessageGenerationOptions): Promise<WAMessage | undefined> {
    this.sent.push({ jid, content, options });
    const failure = this.failNextSend;
    this.failNextSend = null;
    if (failure) throw failure;
    return { key: { remoteJid: jid, fromMe: true, id: options?.messageId ?? null } };
  }

  async requestPairingCode(phoneNumber: string): Promise<string> {
    this.pairingRequests.push(phoneNumber);
    return this.pairingCode;
  }

  async logout(): Promise<void> {
    this.loggedOut = true;
    await this.end(new Boom('Intentional Logout', { statusCode: 401 }));
  }

  async end(error: Error | undefined): Promise<void> {
    if (this.ended) return;
    this.ended = true;
    this.emit('connection.update', { connection: 'close', lastDisconnect: { error, date: new Date(0) } });
  }

  async updateMediaMessage(message: WAMessage): Promise<WAMessage> {
    return message;
  }
}

/**
 * A socket factory that keeps every socket it made, newest last. With `qr`, a socket without linked
 * credentials shows that QR code as soon as the transport listens, as WhatsApp's first one would.
 */
export function fakeSockets(options: { qr?: string } = {}): { factory: SocketFactory; sockets: FakeSocket[]; latest(): FakeSocket } {
  const sockets: FakeSocket[] = [];
  return {
    factory: (config) => {
      const socket = new FakeSocket(config);
      sockets.push(socket);
      const { qr } = options;
      // The transport subscribes right after the factory returns, before any microtask runs.
      if (qr !== undefined && !config.auth.creds.me) queueMicrotask(() => socket.emit('connection.update', { qr: `${qr}#${sockets.length}` }));
      return socket;
    },
    sockets,
    latest: () => {
      const socket = sockets.at(-1);
      if (!socket) throw new Error('no socket was made');
      return socket;
    },
  };
}

/** Back-off timers the test fires by hand. */
export class ManualTimer implements ReconnectTimer {
  readonly pending: Array<{ delayMs: number; fire: () => void }> = [];
  readonly delays: number[] = [];

  start(delayMs: number, fire: () => void): () => void {
    const entry = { delayMs, fire };
    this.pending.push(entry);
    this.delays.push(delayMs);
    return () => {
      const index = this.pending.indexOf(entry);
      if (index >= 0) this.pending.splice(index, 1);
    };
  }

  /** Fires the oldest pending timer. */
  fireNext(): void {
    const entry = this.pending.shift();
    if (!entry) throw new Error('no timer is pending');
    entry.fire();
  }
}
