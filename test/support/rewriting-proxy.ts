import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedResponse {
  status: number;
  contentType: string;
  body: string;
}

/** Changes one response, or returns undefined to pass it through untouched. */
export type Rewrite = (request: { method: string; path: string }, response: ProxiedResponse) => ProxiedResponse | undefined;

/**
 * A server in front of a sandbox that forwards everything and rewrites what `rewrite` picks: "another
 * implementation" that breaks one quirk, for proving the conformance kit catches it.
 */
export async function startRewritingProxy(targetOrigin: string, rewrite: Rewrite): Promise<{ origin: string; close(): Promise<void> }> {
  const server: Server = createServer(async (request, reply) => {
    const body = await readAll(request);
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length' && name !== 'connection') headers.set(name, value);
    }
    let upstream: Response;
    try {
      upstream = await fetch(targetOrigin + request.url, {
        method: request.method ?? 'GET',
        headers,
        ...(body.length > 0 && request.method !== 'GET' && request.method !== 'HEAD' ? { body } : {}),
      });
    } catch (error) {
      // The sandbox went away under a request still in flight (a test ending): answer as a gateway does,
      // instead of an unhandled rejection that fails the whole test file.
      if (!reply.headersSent) reply.writeHead(502, { 'content-type': 'text/plain' });
      reply.end(error instanceof Error ? error.message : String(error));
      return;
    }
    const bytes = Buffer.from(await upstream.arrayBuffer());
    const original: ProxiedResponse = { status: upstream.status, contentType: upstream.headers.get('content-type') ?? '', body: bytes.toString('utf8') };
    const path = (request.url ?? '/').split('?')[0]!;
    const answer = rewrite({ method: request.method ?? 'GET', path }, original);
    // Untouched answers pass as the bytes they were: media (images, audio) does not survive a text round trip.
    if (answer) reply.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
    else reply.writeHead(original.status, { 'content-type': original.contentType }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk)).on('end', () => resolve(Buffer.concat(chunks))).on('error', reject);
  });
}
