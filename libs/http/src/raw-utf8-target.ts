import type { Server } from 'node:http';
import { Duplex } from 'node:stream';

/** What Node's HTTP parser attaches to the errors it hands to `clientError`. */
export interface ParserError extends Error {
  code?: string;
  /** The bytes the parser was reading when it failed: for a small request, the whole request. */
  rawPacket?: Buffer;
}

/**
 * Takes requests whose target carries raw UTF-8 (`GET /api2/msg_to/T/?phone=…&text=привет`, unencoded),
 * as the servers behind real providers do and as WAMM's own examples send them. Node's HTTP parser refuses
 * every byte ≥ 0x80 in a request target (HPE_INVALID_URL, "Invalid char in url query") before Fastify sees
 * the request. Such a request is parsed again with those bytes percent-encoded, on a connection that
 * closes after the answer; the query parser then decodes them as UTF-8. Called by the sandbox's client
 * error handler (framework-errors.ts) first: true when it took the request, false for any other error.
 *
 * Only a request that arrived whole in the failing read is taken (a GET is one small packet): the parser
 * has consumed the socket, so the rest of a request split across reads cannot be recovered.
 */
export function replayWithEncodedTarget(server: Server, error: ParserError, socket: Duplex): boolean {
  // The failed parser may report again on the socket whose request is being answered through the replay.
  if (replayed.has(socket)) return true;
  const request = error.code === 'HPE_INVALID_URL' && error.rawPacket ? withEncodedTarget(error.rawPacket) : null;
  if (!request) return false;
  replayed.add(socket);
  server.emit('connection', replayConnection(socket, request));
  return true;
}

const replayed = new WeakSet<Duplex>();

const CRLF_CRLF = Buffer.from('\r\n\r\n');

// A request line, raw bytes allowed in its target (read as latin-1, one character a byte).
const REQUEST_LINE = /(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS) (\/[^ \r\n]*) (HTTP\/1\.[01])\r\n/;

/**
 * Where the failed request starts in the packet, with its method, target and version. On a kept-alive
 * connection the packet may begin with the tail of the request before (the rest of a body the route did
 * not read), so the request line is looked for, not assumed first.
 */
export function findRequestLine(packet: Buffer): { start: number; method: string; target: string; version: string } | null {
  const match = REQUEST_LINE.exec(packet.subarray(0, Math.min(packet.length, 256 * 1024)).toString('latin1'));
  return match ? { start: match.index, method: match[1]!, target: match[2]!, version: match[3]! } : null;
}

/**
 * The request with bytes ≥ 0x80 of its target percent-encoded and `Connection: close`, or null when the
 * packet does not hold one whole request whose target has such bytes.
 */
export function withEncodedTarget(packet: Buffer): Buffer | null {
  const line = findRequestLine(packet);
  if (!line || !/[\x80-\xff]/.test(line.target)) return null;
  const request = packet.subarray(line.start);
  const headEnd = request.indexOf(CRLF_CRLF);
  if (headEnd < 0) return null;
  const headerLines = request.subarray(0, headEnd).toString('latin1').split('\r\n').slice(1);
  const body = request.subarray(headEnd + CRLF_CRLF.length);
  if (headerLines.some((header) => /^transfer-encoding:/i.test(header))) return null;
  const length = headerLines.find((header) => /^content-length:/i.test(header));
  if (Number(length?.slice(length.indexOf(':') + 1).trim() ?? 0) !== body.length) return null;
  const target = line.target.replace(/[\x80-\xff]/g, (byte) => `%${byte.charCodeAt(0).toString(16).toUpperCase()}`);
  const head = [`${line.method} ${target} ${line.version}`, ...headerLines.filter((header) => !/^connection:/i.test(header)), 'Connection: close'].join('\r\n');
  return Buffer.concat([Buffer.from(head, 'latin1'), CRLF_CRLF, body]);
}

/** A connection that reads `request` and writes to `socket`, closing it once the answer is written. */
function replayConnection(socket: Duplex, request: Buffer): Duplex {
  const connection = new Duplex({
    read() {},
    write(chunk: Buffer, _encoding, callback) {
      socket.write(chunk, callback);
    },
    final(callback) {
      socket.end();
      callback();
    },
    destroy(error, callback) {
      socket.destroy();
      callback(error);
    },
  });
  // Fastify reads the client's address from its connection.
  for (const name of ['remoteAddress', 'remotePort', 'remoteFamily', 'localAddress', 'localPort'] as const) {
    Object.defineProperty(connection, name, { get: () => (socket as unknown as Record<string, unknown>)[name] });
  }
  socket.once('close', () => connection.destroy());
  connection.push(request);
  return connection;
}
