import { readFile } from 'node:fs/promises';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';

/** Tests run from the repo root. */
const FIXTURES = join(process.cwd(), 'fixtures', 'media');

export interface BigTransfer {
  total: number;
  /** Settles when the response finished or the client went away; sent counts bytes handed to the socket. */
  finished: Promise<{ sent: number; completed: boolean }>;
}

export interface MediaServer {
  url: string;
  /** One entry per /big request, in arrival order, so tests can see whether a download was cut short. */
  bigTransfers: BigTransfer[];
  close(): Promise<void>;
}

/**
 * Serves fixtures/media for fetch and inspection tests, always as application/octet-stream so a passing test
 * proves the type came from the bytes. Routes:
 *   /<name>              the fixture file
 *   /big/<bytes>/<name>  the fixture followed by zeros up to <bytes>, streamed without Content-Length
 *   /hang                accepts the request and never answers
 *   /status/<code>       an empty answer with that status
 */
export async function startMediaServer(): Promise<MediaServer> {
  const bigTransfers: BigTransfer[] = [];
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://localhost').pathname;
    let match: RegExpExecArray | null;
    if (path === '/hang') return;
    if ((match = /^\/status\/(\d{3})$/.exec(path))) {
      const code = Number(match[1]);
      res.writeHead(code >= 200 && code <= 599 ? code : 400).end();
    } else if ((match = /^\/big\/(\d+)\/([\w.-]+)$/.exec(path))) {
      const total = Number(match[1]);
      void fixture(match[2]!).then((head) => {
        if (!head) return notFound(res);
        bigTransfers.push({ total, finished: streamPadded(res, head, total) });
      });
    } else if ((match = /^\/([\w.-]+)$/.exec(path))) {
      void fixture(match[1]!).then((bytes) => {
        if (!bytes) return notFound(res);
        res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length }).end(bytes);
      });
    } else {
      notFound(res);
    }
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    bigTransfers,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // Drops /hang requests and idle keep-alive sockets, which would otherwise hold close() open.
        server.closeAllConnections();
      }),
  };
}

async function fixture(name: string): Promise<Buffer | undefined> {
  if (name.startsWith('.')) return undefined;
  try {
    return await readFile(join(FIXTURES, name));
  } catch {
    return undefined;
  }
}

function notFound(res: ServerResponse): void {
  res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
}

const ZEROS = Buffer.alloc(64 * 1024);

/** Writes with back-pressure, so what was sent when the client hung up is close to what it actually read. */
function streamPadded(res: ServerResponse, head: Buffer, total: number): Promise<{ sent: number; completed: boolean }> {
  if (res.destroyed) return Promise.resolve({ sent: 0, completed: false });
  res.writeHead(200, { 'content-type': 'application/octet-stream' });
  let sent = 0;
  let closed = false;
  return new Promise((resolve) => {
    res.on('close', () => {
      closed = true;
      resolve({ sent, completed: res.writableFinished });
    });
    const pump = (): void => {
      while (!closed && sent < total) {
        const source = sent < head.length ? head.subarray(sent) : ZEROS;
        const chunk = source.subarray(0, Math.min(source.length, total - sent));
        sent += chunk.length;
        if (!res.write(chunk)) {
          res.once('drain', pump);
          return;
        }
      }
      if (!closed) res.end();
    };
    pump();
  });
}
