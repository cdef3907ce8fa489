import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { essence, isJsonMediaType, preview } from './contract.js';

/** How a request body is encoded. Field lists keep their order and allow repeated or bracketed names. */
export type RequestBody =
  | { json: unknown }
  | { form: Array<[string, string]> }
  | { multipart: Array<[string, string | MultipartFile]> }
  | { raw: string; contentType: string };

/** A file part of a multipart body (an upload). */
export interface MultipartFile {
  filename: string;
  /** `application/octet-stream` when absent. */
  contentType?: string;
  data: Uint8Array;
}

export interface ApiRequest {
  method: string;
  /** Relative to the base url, starting with `/`; path parameters already encoded. */
  path: string;
  query?: Record<string, string>;
  /**
   * Instead of `query`: the query string exactly as it goes on the wire, e.g. unencoded UTF-8
   * (`text=привет`) as some providers' own examples send it. fetch would percent-encode it, so such a
   * request goes out through node:http, without a body.
   */
  rawQuery?: string;
  /** Extra request headers, e.g. `authorization`; they win over the content type the body sets. */
  headers?: Record<string, string>;
  body?: RequestBody;
}

export interface ApiResponse {
  status: number;
  contentType: string | null;
  headers: Headers;
  text: string;
  /** The parsed body when the content type is JSON and it parses; undefined otherwise. */
  json: unknown;
}

export interface Exchange {
  method: string;
  url: string;
  /** The request path relative to the base url, without the query. */
  path: string;
  requestContentType?: string;
  response?: ApiResponse;
  /** Set when no response arrived (connection refused, timeout, …). */
  error?: string;
}

export function joinUrl(baseUrl: string, path: string, query?: Record<string, string>): string {
  const url = baseUrl.replace(/\/+$/, '') + path;
  if (!query || Object.keys(query).length === 0) return url;
  return `${url}?${new URLSearchParams(query).toString()}`;
}

export async function send(baseUrl: string, req: ApiRequest, timeoutMs = 30_000): Promise<Exchange> {
  if (req.rawQuery !== undefined) return sendRawQuery(baseUrl, req, req.rawQuery, timeoutMs);
  const method = req.method.toUpperCase();
  const url = joinUrl(baseUrl, req.path, req.query);
  const init: RequestInit = { method, redirect: 'manual', signal: AbortSignal.timeout(timeoutMs) };
  let requestContentType: string | undefined;
  if (req.body) {
    if ('json' in req.body) {
      requestContentType = 'application/json';
      init.body = JSON.stringify(req.body.json);
    } else if ('form' in req.body) {
      // URLSearchParams percent-encodes brackets, exactly as PHP's http_build_query does.
      requestContentType = 'application/x-www-form-urlencoded';
      init.body = new URLSearchParams(req.body.form).toString();
    } else if ('multipart' in req.body) {
      const form = new FormData();
      for (const [name, value] of req.body.multipart) {
        if (typeof value === 'string') form.append(name, value);
        else form.append(name, new Blob([value.data], { type: value.contentType ?? 'application/octet-stream' }), value.filename);
      }
      init.body = form;
      requestContentType = 'multipart/form-data';
    } else {
      requestContentType = req.body.contentType;
      init.body = req.body.raw;
    }
    // fetch sets the multipart boundary itself.
    if (!('multipart' in req.body)) init.headers = { 'content-type': requestContentType };
  }
  if (req.headers) init.headers = { ...(init.headers as Record<string, string> | undefined), ...req.headers };
  const exchange: Exchange = { method, url, path: req.path, requestContentType };
  try {
    const res = await fetch(url, init);
    exchange.response = toApiResponse(res.status, res.headers, await res.text());
  } catch (err) {
    exchange.error = describeFetchError(err);
  }
  return exchange;
}

function toApiResponse(status: number, headers: Headers, text: string): ApiResponse {
  const contentType = headers.get('content-type');
  let json: unknown;
  if (contentType !== null && isJsonMediaType(contentType)) {
    try {
      json = JSON.parse(text);
    } catch {
      json = undefined;
    }
  }
  return { status, contentType, headers, text, json };
}

/** A request whose query bytes go out as given (node:http writes a path's characters up to U+00FF as bytes). */
function sendRawQuery(baseUrl: string, req: ApiRequest, rawQuery: string, timeoutMs: number): Promise<Exchange> {
  const method = req.method.toUpperCase();
  const url = `${joinUrl(baseUrl, req.path)}?${rawQuery}`;
  const exchange: Exchange = { method, url, path: req.path };
  const target = new URL(joinUrl(baseUrl, req.path));
  const path = `${target.pathname}?${Buffer.from(rawQuery, 'utf8').toString('latin1')}`;
  const request = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve) => {
    const outgoing = request(target, { method, path, headers: req.headers, timeout: timeoutMs }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('end', () => {
        const headers = new Headers();
        for (const [name, value] of Object.entries(res.headers)) if (typeof value === 'string') headers.set(name, value);
        exchange.response = toApiResponse(res.statusCode ?? 0, headers, Buffer.concat(chunks).toString('utf8'));
        resolve(exchange);
      });
      res.on('error', (err) => {
        exchange.error = describeFetchError(err);
        resolve(exchange);
      });
    });
    outgoing.on('timeout', () => outgoing.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)));
    outgoing.on('error', (err) => {
      exchange.error = describeFetchError(err);
      resolve(exchange);
    });
    outgoing.end();
  });
}

/** `200 text/plain "80379458"` — for report lines. */
export function describeResponse(res: ApiResponse): string {
  const type = res.contentType === null ? '(no content type)' : essence(res.contentType);
  return `${res.status} ${type} ${preview(res.text)}`;
}

export function describeFetchError(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = (err as Error & { cause?: unknown }).cause;
  if (cause instanceof Error) {
    const code = (cause as Error & { code?: string }).code;
    return `${err.message}: ${code ? `${code} ` : ''}${cause.message}`.trim();
  }
  return err.message;
}
