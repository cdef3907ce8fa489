/**
 * Requests encoded the way the providers' PHP examples encode them, so tests send what real clients send.
 */

/** PHP's http_build_query: arrays become `name[0]=…&name[1]=…`. */
export function httpBuildQuery(fields: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value))
      for (const [index, item] of value.entries()) parts.push(`${encodeURIComponent(`${name}[${index}]`)}=${encodeURIComponent(String(item))}`);
    else parts.push(`${encodeURIComponent(name)}=${encodeURIComponent(String(value))}`);
  }
  return parts.join('&');
}

/** CURLOPT_POSTFIELDS given a PHP array: multipart/form-data (arrays as `name[0]` fields). */
export function phpMultipart(fields: Record<string, unknown>): FormData {
  const form = new FormData();
  for (const [name, value] of Object.entries(fields)) {
    if (Array.isArray(value)) for (const [index, item] of value.entries()) form.append(`${name}[${index}]`, String(item));
    else form.append(name, String(value));
  }
  return form;
}

export interface WireResponse {
  status: number;
  contentType: string;
  text: string;
  json: unknown;
}

export async function send(url: string, init: RequestInit = {}): Promise<WireResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  const contentType = response.headers.get('content-type') ?? '';
  let json: unknown;
  if (contentType.startsWith('application/json')) json = JSON.parse(text);
  return { status: response.status, contentType, text, json };
}

/** The structure of a JSON value: key order, key casing and types, without the values. */
export function shapeOf(value: unknown): unknown {
  if (Array.isArray(value)) return value.length === 0 ? [] : [shapeOf(value[0])];
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, shapeOf(item)]));
  }
  return value === null ? 'null' : typeof value;
}
