import { TextDecoder } from 'node:util';
import type { ParsedBody } from './body.state.js';
import { FormAssembler } from './form.assembly.js';

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
  return (text) => text.replace(/\+/g, ' ').replace(/(?:%[0-9a-fA-F]{2})+/g, (run) => decoder.decode(Buffer.from(run.replace(/%/g, ''), 'hex')));
}

/** Parses an `application/x-www-form-urlencoded` string already decoded from `charset`. */
export function parseForm(text: string, charset = 'utf-8'): ParsedBody {
  if (charset === 'utf-8' && !BRACKETS.test(text)) return parseFlatForm(text);
  const decode = charset === 'utf-8' ? decodeFormComponent : percentDecoderFor(charset);
  // Encoded brackets are brackets even beside a malformed escape that leaves the rest undecoded (qs's rule).
  const decodeWithBrackets = (part: string) => decode(part.includes('%5') ? part.replace(ENCODED_BRACKETS, bracketOf) : part);
  const assembler = new FormAssembler();
  if (text === '') return assembler.result();
  for (const part of text.split('&')) {
    const equals = part.indexOf('=');
    if (equals === -1) assembler.add(decodeWithBrackets(part), '');
    else assembler.add(decodeWithBrackets(part.slice(0, equals)), decodeWithBrackets(part.slice(equals + 1)));
  }
  return assembler.result();
}

// Brackets, raw or percent-encoded (`%5B`, `%5D`); without any, every key is a plain name.
const BRACKETS = /[[\]]|%5[bd]/i;
const ENCODED_BRACKETS = /%5[bd]/gi;
const bracketOf = (percentEscape: string) => (percentEscape[2] === 'B' || percentEscape[2] === 'b' ? '[' : ']');

/**
 * What FormAssembler gives for a UTF-8 form without brackets, without building its containers:
 * sendMessage bodies are such forms. Same rules: empty keys and keys shadowing Object.prototype are
 * dropped, a repeated key keeps its last value.
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

/** `+` is a space, and a malformed escape leaves the text as it is (as PHP and qs decode). */
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
  return segments.length > 0 && segments.some((segment) => segment.includes('=')) && segments.every((segment) => FORM_SEGMENT.test(segment));
}
