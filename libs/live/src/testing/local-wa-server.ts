import { createHash } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Duplex } from 'node:stream';

/** One WebSocket connection a client opened to the local server. */
export interface WaConnection {
  /** The payload of the client's first frame (WhatsApp's Noise handshake starts with its `WA` header). */
  firstFrame: Promise<Buffer>;
  /** Resolves when the client's side of the connection ends. */
  ended: Promise<void>;
  /** Closes the connection from the server's side, as WhatsApp's edge does when it drops a stream. */
  close(): void;
}

/**
 * A WebSocket endpoint on loopback that stands where `wss://web.whatsapp.com/ws/chat` would: it accepts the
 * upgrade and reads the client's first frame, and speaks no further (it cannot complete WhatsApp's Noise
 * handshake). Written on node:http rather than `ws` because `ws` ships no types here; RFC 6455's upgrade and
 * one masked client frame are all it needs.
 */
export async function startLocalWaServer(): Promise<{
  url: string;
  connections: WaConnection[];
  nextConnection(): Promise<WaConnection>;
  stop(): Promise<void>;
}> {
  const connections: WaConnection[] = [];
  const waiting: Array<(connection: WaConnection) => void> = [];
  const sockets = new Set<Duplex>();
  const server: Server = createServer((_request, response) => response.writeHead(426).end());
  server.on('upgrade', (request, socket: Duplex) => {
    sockets.add(socket);
    const accept = createHash('sha1').update(`${request.headers['sec-websocket-key']}258EAFA5-E914-47DA-95CA-C5AB0DC85B11`).digest('base64');
    socket.write(`HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Accept: ${accept}\r\n\r\n`);
    let received = Buffer.alloc(0);
    let resolveFrame: (payload: Buffer) => void = () => {};
    const firstFrame = new Promise<Buffer>((resolve) => (resolveFrame = resolve));
    const ended = new Promise<void>((resolve) => socket.once('close', () => resolve()));
    socket.on('data', (chunk: Buffer) => {
      received = Buffer.concat([received, chunk]);
      for (let frame = readFrame(received); frame; frame = readFrame(received)) {
        received = received.subarray(frame.size);
        // A client closing (Baileys after a time-out) waits for the close to be answered, as RFC 6455 asks.
        if (frame.opcode === CLOSE) socket.end(CLOSE_FRAME);
        else resolveFrame(frame.payload);
      }
    });
    socket.on('error', () => socket.destroy());
    const connection: WaConnection = {
      firstFrame,
      ended,
      close: () => socket.end(CLOSE_FRAME),
    };
    connections.push(connection);
    waiting.shift()?.(connection);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  let handedOut = 0;
  return {
    url: `ws://127.0.0.1:${port}/ws/chat`,
    connections,
    /** The next connection not yet handed out, when it arrives. */
    nextConnection: () => {
      const index = handedOut++;
      const ready = connections[index];
      return ready ? Promise.resolve(ready) : new Promise((resolve) => waiting.push(resolve));
    },
    stop: () => {
      for (const socket of sockets) socket.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

const CLOSE = 0x8;
/** A server's close frame: FIN, opcode 8, status 1000 (normal closure). */
const CLOSE_FRAME = Buffer.from([0x88, 0x02, 0x03, 0xe8]);

/** The complete masked client frame at the start of `bytes` (its opcode, payload and size), or null if more bytes are needed. */
function readFrame(bytes: Buffer): { opcode: number; payload: Buffer; size: number } | null {
  if (bytes.length < 2) return null;
  let length = bytes[1]! & 0x7f;
  let offset = 2;
  if (length === 126) {
    if (bytes.length < 4) return null;
    length = bytes.readUInt16BE(2);
    offset = 4;
  } else if (length === 127) {
    if (bytes.length < 10) return null;
    length = Number(bytes.readBigUInt64BE(2));
    offset = 10;
  }
  const size = offset + 4 + length;
  if (bytes.length < size) return null;
  const mask = bytes.subarray(offset, offset + 4);
  const payload = Buffer.from(bytes.subarray(offset + 4, size));
  for (let i = 0; i < payload.length; i++) payload[i]! ^= mask[i % 4]!;
  return { opcode: bytes[0]! & 0x0f, payload, size };
}
