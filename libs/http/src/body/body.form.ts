import { randomUUID } from 'node:crypto';
import { TextDecoder } from 'node:util';
import type { IParseOptions } from 'qs';
import type { ParsedBody } from './body.state.js';

/**
 * PHP-style assembly: `a[0]=x&a[1]=y` and `a[]=x&a[]=y` → arrays, `a[b]=c` → objects, a repeated plain
 * name → the last value (as PHP's $_POST does). Limits sized for 1000+ recipients in one request;
 * the body limit bounds the work anyway. Keys shadowing Object.prototype (`__proto__`, `toString`…)
 * are dropped.
 */
export const QS_OPTIONS = {
  arrayLimit: 100_000,
  parameterLimit: Infinity,
  depth: 20,
  duplicates: 'last',
} as const satisfies IParseOptions;

// Imported on the first form that needs it (brackets, another charset, multipart), not at start-up,
// where importing qs and its dependencies took about 20 ms. The promise is kept: import() itself costs
// microseconds per call.
let qsModule: Promise<typeof import('qs')> | undefined;
const loadQs = () => (qsModule ??= import('qs').then((module) => module.default));

const decoders = new Map<string, TextDecoder>();

/** The canonical name of a charset label (`UTF8`, `latin1`, `cp1256`…); unknown or absent labels read as UTF-8. */
export function resolveCharset(label: string | undefined): string {
  if (label === undefined) return 'utf-8';
  try {
    return new TextDecoder(label.trim()).encoding;
  } catch {
    return 'utf-8';
  }
}

function decoderFor(charset: string): TextDecoder {
  let decoder = decoders.get(charset);
  if (decoder === undefined) {
    decoder = new TextDecoder(charset);
    decoders.set(charset, decoder);
  }
  return decoder;
}

/** Bytes to text in the given (canonical) charset; a leading BOM is dropped. */
export function decodeText(data: Buffer, charset: string): string {
  return decoderFor(charset).decode(data);
}

/** Percent-escapes of a form body sent in a charset other than UTF-8 (e.g. windows-1256) decode in that charset. */
function percentDecoderFor(charset: string): (text: string) => string {
  const decoder = decoderFor(charset);
  return (text) =>
    text
      .replace(/\+/g, ' ')
      .replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => decoder.decode(Buffer.from(run.replace(/%/g, ''), 'hex')));
}

/** Parses an `application/x-www-form-urlencoded` string already decoded from `charset`. */
export async function parseForm(text: string, charset = 'utf-8'): Promise<ParsedBody> {
  if (charset === 'utf-8' && !BRACKETS.test(text)) return parseFlatForm(text);
  const qs = await loadQs();
  if (charset === 'utf-8') return qs.parse(text, QS_OPTIONS);
  const decode = percentDecoderFor(charset);
  return qs.parse(text, { ...QS_OPTIONS, decoder: (value: string) => decode(value) });
}

// qs reads `%5B`/`%5D` as brackets too; without any, every key is a plain name.
const BRACKETS = /[[\]]|%5[bd]/i;

/**
 * What qs.parse gives (with QS_OPTIONS) for a UTF-8 form without brackets, at a fraction of the cost:
 * sendMessage bodies are such forms, and qs was the largest cost of parsing them. Same rules: parts
 * split on `&`, the key up to the first `=`, a part without `=` is a key with the value `''`, empty
 * keys and keys shadowing Object.prototype are dropped, a repeated key keeps its last value.
 */
function parseFlatForm(text: string): ParsedBody {
  const body: ParsedBody = {};
  if (text === '') return body;
  for (const part of text.split('&')) {
    const equals = part.indexOf('=');
    const key = decodeFormComponent(equals === -1 ? part : part.slice(0, equals));
    if (key === '' || Object.hasOwn(Object.prototype, key)) continue;
    body[key] = equals === -1 ? '' : decodeFormComponent(part.slice(equals + 1));
  }
  return body;
}

/** qs's UTF-8 decoder: `+` is a space, and a malformed escape leaves the text as it is. */
function decodeFormComponent(text: string): string {
  const spaced = text.includes('+') ? text.replace(/\+/g, ' ') : text;
  if (!spaced.includes('%')) return spaced;
  try {
    return decodeURIComponent(spaced);
  } catch {
    return spaced;
  }
}

// A form key as clients write it: percent-encoded, PHP brackets possibly raw.
const FORM_SEGMENT = /^[\w.~*%+\-[\]]+(?:=[\s\S]*)?$/;

/** Whether text sent without (or with a wrong) content type is a form string like `k=v&k2=v2`. */
export function looksLikeForm(text: string): boolean {
  const segments = text.split('&').filter((segment) => segment !== '');
  return (
    segments.length > 0 &&
    segments.some((segment) => segment.includes('=')) &&
    segments.every((segment) => FORM_SEGMENT.test(segment))
  );
}

/**
 * Assembles multipart fields exactly as a form body with the same names would be. Values that are
 * not strings (files, JSON-typed fields) travel through qs as unique placeholders, so qs never
 * walks into them (it would enumerate every byte of a file's Buffer).
 */
export async function assembleFields(fields: ReadonlyArray<readonly [name: string, value: unknown]>): Promise<ParsedBody> {
  const nonce = randomUUID();
  const opaque = new Map<string, unknown>();
  const query = fields
    .map(([name, value]) => {
      let text: string;
      if (typeof value === 'string') {
        text = value;
      } else {
        text = `\u0000${nonce}:${opaque.size}`;
        opaque.set(text, value);
      }
      return `${encodeURIComponent(name)}=${encodeURIComponent(text)}`;
    })
    .join('&');
  const parsed = (await loadQs()).parse(query, QS_OPTIONS);
  return opaque.size === 0 ? parsed : (restore(parsed, opaque) as ParsedBody);
}

function restore(value: unknown, opaque: ReadonlyMap<string, unknown>): unknown {
  if (typeof value === 'string') return opaque.has(value) ? opaque.get(value) : value;
  if (Array.isArray(value)) return value.map((item) => restore(item, opaque));
  if (typeof value === 'object' && value !== null) {
    const object = value as Record<string, unknown>;
    for (const key of Object.keys(object)) object[key] = restore(object[key], opaque);
  }
  return value;
}
