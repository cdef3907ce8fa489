import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';
import { SELF_REQUEST_HEADER, SELF_REQUEST_TOKEN } from '../self-request.js';
import { formatLimit } from './media.size.js';

const USER_AGENT = 'wa-sandbox-media-fetch';

/** Hops followed after the first answer; each is checked like the URL it came from. */
export const MAX_REDIRECTS = 5;

export interface MediaFetchOptions {
  maxBytes: number;
  timeoutMs: number;
  /** Hosts the URL, and every redirect, may name; any host when absent. */
  allowHost?: (host: string) => boolean;
}

export type MediaFetchErrorCode = 'invalid_url' | 'host_refused' | 'unreachable' | 'http_status' | 'timeout' | 'too_large' | 'too_many_redirects';

export class MediaFetchError extends Error {
  override readonly name = 'MediaFetchError';

  constructor(
    readonly code: MediaFetchErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export interface FetchedMedia {
  size: number;
  contentType?: string;
}

/**
 * Downloads media from an http(s) or data: URL into the file at `path`. The body is streamed to disk and the
 * download abandoned as soon as it passes maxBytes, so a file costs a chunk of memory whatever its size.
 * Redirects are followed here, not by fetch, so each hop's host is checked and the chain cut after
 * MAX_REDIRECTS. On failure the file may hold a partial body: the caller discards it.
 */
export async function fetchMedia(url: string, path: string, opts: MediaFetchOptions): Promise<FetchedMedia> {
  // Checked before URL parsing so a large data: URL is not copied into a URL object for nothing.
  if (/^data:/i.test(url)) {
    const { bytes, contentType } = decodeDataUrl(url, opts.maxBytes);
    await writeFile(path, bytes);
    return contentType ? { size: bytes.byteLength, contentType } : { size: bytes.byteLength };
  }

  let target = checkUrl(url, opts);
  const timeout = AbortSignal.timeout(opts.timeoutMs);
  const giveUp = new AbortController();
  const signal = AbortSignal.any([timeout, giveUp.signal]);
  const failure = (error: unknown, doing: string): MediaFetchError => {
    if (error instanceof MediaFetchError) return error;
    if (timeout.aborted) {
      return new MediaFetchError('timeout', `no complete answer from ${target.host} within ${opts.timeoutMs} ms`, { cause: error });
    }
    return new MediaFetchError('unreachable', `${doing} ${target.host} failed: ${rootCause(error)}`, { cause: error });
  };

  let response: Response;
  for (let hops = 0; ; hops++) {
    try {
      response = await fetch(target, { signal, redirect: 'manual', headers: { [SELF_REQUEST_HEADER]: SELF_REQUEST_TOKEN, 'user-agent': USER_AGENT } });
    } catch (error) {
      throw failure(error, 'connecting to');
    }
    const location = REDIRECT_STATUSES.has(response.status) ? response.headers.get('location') : null;
    if (location === null) break;
    // The redirect's own body is not wanted; cancelling it frees the connection.
    await response.body?.cancel().catch(() => undefined);
    if (hops === MAX_REDIRECTS) {
      giveUp.abort();
      throw new MediaFetchError('too_many_redirects', `more than ${MAX_REDIRECTS} redirects (the last from ${target.host})`);
    }
    target = checkUrl(new URL(location, target).href, opts);
  }

  try {
    if (!response.ok) {
      throw new MediaFetchError('http_status', `${target.host} answered HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length') ?? NaN);
    if (declared > opts.maxBytes) {
      throw new MediaFetchError('too_large', `file is larger than the ${formatLimit(opts.maxBytes)} limit (Content-Length ${declared})`);
    }
    const size = await saveAtMost(response, path, opts.maxBytes);
    const contentType = response.headers.get('content-type') ?? undefined;
    return contentType === undefined ? { size } : { size, contentType };
  } catch (error) {
    // Aborting closes the connection, so the server stops sending what we will not read.
    giveUp.abort();
    throw failure(error, 'reading from');
  }
}

const REDIRECT_STATUSES = new Set([301, 302, 303, 307, 308]);

function checkUrl(url: string, opts: MediaFetchOptions): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new MediaFetchError('invalid_url', `not a valid URL: ${truncate(url)}`);
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
    throw new MediaFetchError('invalid_url', `unsupported URL scheme ${parsed.protocol} (only http, https and data)`);
  }
  if (parsed.username || parsed.password) {
    throw new MediaFetchError('invalid_url', 'URLs with credentials are not supported');
  }
  if (opts.allowHost && !opts.allowHost(parsed.hostname)) {
    throw new MediaFetchError('host_refused', `media host ${parsed.hostname} is not in the allowed list`);
  }
  return parsed;
}

async function saveAtMost(response: Response, path: string, maxBytes: number): Promise<number> {
  if (!response.body) {
    await writeFile(path, new Uint8Array(0));
    return 0;
  }
  let received = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      received += chunk.length;
      if (received > maxBytes) {
        done(new MediaFetchError('too_large', `file is larger than the ${formatLimit(maxBytes)} limit (stopped after ${received} bytes)`));
      } else {
        done(null, chunk);
      }
    },
  });
  await pipeline(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), counter, createWriteStream(path));
  return received;
}

/** RFC 2397, decoded as the fetch standard does: percent-decode first, then base64 when so marked. */
function decodeDataUrl(url: string, maxBytes: number): { bytes: Uint8Array; contentType?: string } {
  const comma = url.indexOf(',');
  if (comma < 0) throw new MediaFetchError('invalid_url', 'data: URL without a comma before its data');
  const meta = url.slice(5, comma).trim();
  const base64 = /;\s*base64$/i.test(meta);
  const contentType = (base64 ? meta.replace(/;\s*base64$/i, '') : meta).trim();

  const body = url.slice(comma + 1);
  // Refuse before decoding when even the densest encoding could not fit: a byte takes at least three URL
  // characters percent-encoded, and at least four when base64 characters are themselves percent-encoded.
  if (body.length / (base64 ? 4 : 3) > maxBytes) {
    throw new MediaFetchError('too_large', `file is larger than the ${formatLimit(maxBytes)} limit`);
  }
  let bytes = percentDecode(body);
  if (base64) {
    const text = Buffer.from(bytes)
      .toString('latin1')
      .replace(/[\t\n\f\r ]/g, '');
    if (!/^[A-Za-z0-9+/]*={0,2}$/.test(text) || text.length % 4 === 1) {
      throw new MediaFetchError('invalid_url', 'data: URL has invalid base64 data');
    }
    bytes = new Uint8Array(Buffer.from(text, 'base64'));
  }
  if (bytes.byteLength > maxBytes) {
    throw new MediaFetchError('too_large', `file is larger than the ${formatLimit(maxBytes)} limit (${bytes.byteLength} bytes)`);
  }
  return contentType ? { bytes, contentType } : { bytes };
}

function percentDecode(text: string): Uint8Array {
  const input = Buffer.from(text, 'utf8');
  const out = new Uint8Array(input.length);
  let n = 0;
  for (let i = 0; i < input.length; i++) {
    const byte = input[i]!;
    if (byte === 0x25 && i + 2 < input.length && isHex(input[i + 1]!) && isHex(input[i + 2]!)) {
      out[n++] = parseInt(String.fromCharCode(input[i + 1]!, input[i + 2]!), 16);
      i += 2;
    } else {
      out[n++] = byte;
    }
  }
  return out.slice(0, n);
}

function isHex(byte: number): boolean {
  return (byte >= 0x30 && byte <= 0x39) || (byte >= 0x41 && byte <= 0x46) || (byte >= 0x61 && byte <= 0x66);
}

/**
 * fetch reports every network failure as a bare 'fetch failed' whose cause chain holds the useful part
 * (ECONNREFUSED, ENOTFOUND…). Duck-typed because the error may come from another realm (e.g. a test VM).
 */
function rootCause(error: unknown): string {
  let current: unknown = error;
  while (isRecord(current) && isRecord(current.cause)) current = current.cause;
  if (!isRecord(current)) return String(current);
  const message = typeof current.message === 'string' ? current.message : String(current);
  const code = current.code;
  return typeof code === 'string' && !message.includes(code) ? `${code}: ${message}` : message;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function truncate(text: string): string {
  return text.length > 100 ? `${text.slice(0, 100)}…` : text;
}
