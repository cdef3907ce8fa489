import makeWASocket, {
  downloadMediaMessage,
  type BaileysEventEmitter,
  type UserFacingSocketConfig,
  type WASocket,
  type WAMessage,
} from '@whiskeysockets/baileys';

/**
 * Exactly the part of Baileys' socket the transport uses: its events, sending, pairing by code, leaving.
 * Tests pass a fake with this shape; live mode passes Baileys' own socket.
 */
export type LiveSocket = Pick<WASocket, 'sendMessage' | 'requestPairingCode' | 'logout' | 'end' | 'user' | 'updateMediaMessage'> & {
  /** Listening is all the transport does with the events. */
  ev: Pick<BaileysEventEmitter, 'on'>;
};

/** What the transport decides about a socket (its credentials, logger, presence, history); the factory may add more (a test's `waWebSocketUrl`). */
export type SocketConfig = Pick<UserFacingSocketConfig, 'auth' | 'logger' | 'markOnlineOnConnect' | 'syncFullHistory'>;

export type SocketFactory = (config: SocketConfig) => LiveSocket;

/** Live mode's socket: Baileys' own, connecting to WhatsApp Web. */
export const baileysSocket: SocketFactory = (config) => makeWASocket(config);

/** The bytes of a received media message; Baileys' download asks WhatsApp to re-upload a file that expired. */
export type MediaDownloader = (message: WAMessage, socket: LiveSocket) => Promise<Uint8Array>;

export const baileysDownload: MediaDownloader = (message, socket) =>
  downloadMediaMessage(message, 'buffer', {}, { reuploadRequest: socket.updateMediaMessage, logger: silentLogger });

/** Back-off timers, injectable so tests fire them instead of waiting. */
export interface ReconnectTimer {
  start(delayMs: number, fire: () => void): () => void;
}

export const realTimer: ReconnectTimer = {
  start(delayMs, fire) {
    const handle = setTimeout(fire, delayMs);
    // A pending reconnect must not keep a stopping process alive.
    handle.unref();
    return () => clearTimeout(handle);
  },
};

/**
 * Baileys logs every frame decision through pino at info level; what matters to a sandbox user comes back
 * through the session lifecycle (QR, connected, disconnected with its reason) instead.
 */
export const silentLogger: UserFacingSocketConfig['logger'] & object = {
  level: 'silent',
  child: () => silentLogger,
  trace: () => {},
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
};
