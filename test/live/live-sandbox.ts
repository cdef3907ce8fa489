import { WebhookReceiver } from '#conformance';
import { proto, type WAMessage } from '@whiskeysockets/baileys';
import { BaileysTransport } from '../../libs/live/src/baileys.transport.js';
import { type FakeSocket, fakeSockets, ManualTimer } from '../../libs/live/src/testing/fake-socket.js';
import type { SandboxConfig } from '../../apps/sandbox/src/config.js';
import { startSandbox, type RunningSandbox } from '../support/sandbox.js';

/** The bytes every received file downloads as (a JPEG's magic, then filler). */
export const DOWNLOADED = new Uint8Array([0xff, 0xd8, 0xff, 0xe0, 1, 2, 3, 4]);

export interface LiveSandbox extends RunningSandbox {
  /** Every socket the live transport made, newest last: WhatsApp, as the test plays it. */
  sockets: ReturnType<typeof fakeSockets>;
  timer: ManualTimer;
  receiver: WebhookReceiver;
  /** Lets what a socket event set off reach the engine and the webhooks it sends. */
  flush(): Promise<void>;
}

/**
 * A sandbox in live mode whose Baileys sockets are fakes (no machine here reaches WhatsApp): the engine,
 * the providers and the transport are the real ones. Unlinked sockets show a QR code at once.
 */
export async function startLiveSandbox(overrides: Partial<SandboxConfig> = {}): Promise<LiveSandbox> {
  const sockets = fakeSockets({ qr: '2@fake-ref,noise,identity,adv' });
  const timer = new ManualTimer();
  const transport = new BaileysTransport({ socket: sockets.factory, timer, download: async () => DOWNLOADED });
  const sandbox = await startSandbox({ transport: 'live', ...overrides }, { liveTransport: transport });
  const receiver = await WebhookReceiver.start();
  return {
    ...sandbox,
    sockets,
    timer,
    receiver,
    flush: async () => {
      // The transport's handlers are promise chains over the store; then the clock runs what they queued.
      await new Promise((resolve) => setImmediate(resolve));
      await sandbox.control.advance(0);
    },
    close: async () => {
      // Webhooks on their way reach the receiver before the sandbox and its store go.
      await sandbox.control.advance(0);
      await sandbox.close();
      await receiver.close();
    },
  };
}

/** A socket that was shown a QR code is scanned by a phone and logged in: WhatsApp restarts the stream, then opens. */
export async function linkPhone(sandbox: LiveSandbox, phone: string): Promise<FakeSocket> {
  sandbox.sockets.latest().scanned(phone);
  await sandbox.flush();
  const socket = sandbox.sockets.latest();
  socket.connect(phone);
  await sandbox.flush();
  return socket;
}

/** The WhatsApp key the transport sent the `index`th message with. */
export function sentKey(socket: FakeSocket, index: number) {
  const id = socket.sent[index]!.options!.messageId!;
  return { remoteJid: socket.sent[index]!.jid, fromMe: true, id };
}

/** WhatsApp's ticks for a sent message. */
export function tick(socket: FakeSocket, index: number, ...statuses: proto.WebMessageInfo.Status[]): void {
  socket.emit(
    'messages.update',
    statuses.map((status) => ({ key: sentKey(socket, index), update: { status } })),
  );
}

let received = 0;

/** A customer writes to the line. */
export function customerWrites(socket: FakeSocket, from: string, message: proto.IMessage, id = `IN${++received}`): void {
  const incoming: WAMessage = { key: { remoteJid: `${from}@s.whatsapp.net`, fromMe: false, id }, message, pushName: 'Ada Customer' };
  socket.emit('messages.upsert', { type: 'notify', messages: [incoming] });
}

export const Status = proto.WebMessageInfo.Status;
