import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ProxiedResponse {
  status: number;
  contentType: string;
  body: string;
}

/**
 * Changes one response, or returns undefined to pass it through untouched. With `webhooks` on, webhook
 * calls pass through it too, as `{method: 'WEBHOOK', path: <the receiver's url>}` with the call's body
 * as the response's: an empty body drops the call.
 */
export type Rewrite = (request: { method: string; path: string }, response: ProxiedResponse) => ProxiedResponse | undefined;

/** Changes one request's body before it is forwarded, or returns undefined to forward it untouched. */
export type RequestRewrite = (request: { method: string; path: string; body: string }) => string | undefined;

export interface ProxyOptions {
  /** Route the webhooks the sandbox posts through the proxy: `webhook` urls in request bodies are rewritten. */
  webhooks?: boolean;
  /** Change requests too ("a server without a behaviour" a client relies on). */
  rewriteRequest?: RequestRewrite;
}

const WEBHOOK_PREFIX = '/__proxied-webhook/';

/**
 * A server in front of a sandbox that forwards everything and rewrites what `rewrite` picks: "another
 * implementation" that breaks one quirk, for proving the conformance kit catches it.
 */
export async function startRewritingProxy(
  targetOrigin: string,
  rewrite: Rewrite,
  options: ProxyOptions = {},
): Promise<{ origin: string; close(): Promise<void> }> {
  let origin = '';
  const server: Server = createServer(async (request, reply) => {
    let body = await readAll(request);
    if (options.webhooks && request.url?.startsWith(WEBHOOK_PREFIX))
      return forwardWebhook(decodeURIComponent(request.url.slice(WEBHOOK_PREFIX.length)), body, rewrite, reply);
    const requestPath = (request.url ?? '/').split('?')[0]!;
    const rewritten = options.rewriteRequest?.({ method: request.method ?? 'GET', path: requestPath, body: body.toString('utf8') });
    if (rewritten !== undefined) body = Buffer.from(rewritten, 'utf8');
    if (options.webhooks && body.length > 0) body = Buffer.from(throughProxy(body.toString('utf8'), origin));
    const headers = new Headers();
    for (const [name, value] of Object.entries(request.headers)) {
      if (typeof value === 'string' && name !== 'host' && name !== 'content-length' && name !== 'connection') headers.set(name, value);
    }
    let upstream: Response;
    let bytes: Buffer;
    try {
      upstream = await fetch(targetOrigin + request.url, {
        method: request.method ?? 'GET',
        headers,
        ...(body.length > 0 && request.method !== 'GET' && request.method !== 'HEAD' ? { body } : {}),
      });
      // Bytes pass through untouched unless rewritten: media (images, audio) does not survive a text round trip.
      bytes = Buffer.from(await upstream.arrayBuffer());
    } catch (error) {
      // The sandbox went away under a request still in flight (a test ending): answer as a gateway does,
      // instead of an unhandled rejection that fails the whole test file.
      if (!reply.headersSent) reply.writeHead(502, { 'content-type': 'text/plain' });
      reply.end(error instanceof Error ? error.message : String(error));
      return;
    }
    const original: ProxiedResponse = { status: upstream.status, contentType: upstream.headers.get('content-type') ?? '', body: bytes.toString('utf8') };
    const answer = rewrite({ method: request.method ?? 'GET', path: requestPath }, original);
    if (answer) reply.writeHead(answer.status, { 'content-type': answer.contentType }).end(answer.body);
    else reply.writeHead(original.status, { 'content-type': original.contentType }).end(bytes);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  origin = `http://127.0.0.1:${port}`;
  return {
    origin,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A JSON body's `webhook` url (a string, or the `{webhook}` object form) pointed at the proxy. */
function throughProxy(text: string, origin: string): string {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return text;
  }
  if (typeof json !== 'object' || json === null) return text;
  const routed = (url: unknown) => (typeof url === 'string' && /^https?:\/\//.test(url) ? `${origin}${WEBHOOK_PREFIX}${encodeURIComponent(url)}` : url);
  const body = json as { webhook?: unknown };
  if (typeof body.webhook === 'object' && body.webhook !== null) {
    const inner = body.webhook as { webhook?: unknown };
    return JSON.stringify({ ...body, webhook: { ...inner, webhook: routed(inner.webhook) } });
  }
  return 'webhook' in body ? JSON.stringify({ ...body, webhook: routed(body.webhook) }) : text;
}

async function forwardWebhook(url: string, body: Buffer, rewrite: Rewrite, reply: import('node:http').ServerResponse): Promise<void> {
  const call: ProxiedResponse = { status: 200, contentType: 'application/json', body: body.toString('utf8') };
  const changed = rewrite({ method: 'WEBHOOK', path: url }, call) ?? call;
  if (changed.body === '') {
    reply.writeHead(200).end();
    return;
  }
  try {
    const answer = await fetch(url, { method: 'POST', headers: { 'content-type': changed.contentType }, body: changed.body });
    reply.writeHead(answer.status, { 'content-type': answer.headers.get('content-type') ?? 'text/plain' }).end(Buffer.from(await answer.arrayBuffer()));
  } catch (error) {
    reply.writeHead(502, { 'content-type': 'text/plain' }).end(error instanceof Error ? error.message : String(error));
  }
}

function readAll(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request
      .on('data', (chunk: Buffer) => chunks.push(chunk))
      .on('end', () => resolve(Buffer.concat(chunks)))
      .on('error', reject);
  });
}
