import { ERR, wammError } from './wamm.errors.js';

/** Wire-format input parsing: query values (and the base64 form) validated into plain values, or WAMM's own errors. */

export const MAX_TEXT = 1500;
export const MAX_NAME = 250;
export const MAX_WEB = 150;
export const MAX_EMAIL = 150;
export const MAX_COL = 100;

/**
 * `:sm01:`…`:sm21:` as the seed's table maps them (sm02 and sm17 are the same bouquet there).
 * The seed lists `:sm22:` with no emoji beside it, so it is left as typed.
 */
export const SMILEYS: Readonly<Record<string, string>> = {
  ':sm01:': '🤗',
  ':sm02:': '💐',
  ':sm03:': '😂',
  ':sm04:': '🤩',
  ':sm05:': '😭',
  ':sm06:': '😤',
  ':sm07:': '🤝',
  ':sm08:': '😃',
  ':sm09:': '😉',
  ':sm10:': '😍',
  ':sm11:': '😘',
  ':sm12:': '😷',
  ':sm13:': '😕',
  ':sm14:': '🙏',
  ':sm15:': '👉',
  ':sm16:': '👍',
  ':sm17:': '💐',
  ':sm18:': '🔥',
  ':sm19:': '🕒',
  ':sm20:': '🎁',
  ':sm21:': '📺',
};

/** A chat: a phone number, or a group (WAMM clients pass a group's numeric id where a phone goes). */
export interface Peer {
  /** As the engine stores it: digits, or `<id>@g.us` for a group. */
  id: string;
  /** As WAMM shows it in `phone` fields: digits only. */
  phone: string;
  group: boolean;
}

export interface ContactInput {
  peer: Peer;
  name: string;
  info?: string;
  email?: string;
  web?: string;
}

export interface Base64File {
  bytes: Uint8Array;
  fileName: string;
}

/** A query value as PHP's $_GET would hold it: a repeated name keeps its last value. */
export function single(value: unknown): string | undefined {
  if (Array.isArray(value)) return single(value[value.length - 1]);
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

/** A value that was sent but left empty counts as not sent (PHP clients send `&info=` for a missing note). */
function present(value: unknown): string | undefined {
  const text = single(value);
  return text === undefined || text.trim() === '' ? undefined : text;
}

/** Characters (not UTF-16 units): what PHP's mb_strlen counts, so an emoji is one. */
function length(text: string): number {
  return [...text].length;
}

/**
 * International format, "may contain spaces, brackets, dashes and others" (the seed): every separator is
 * dropped, letters make it a bad number. A group is its numeric id (`120363…`, 18 digits or more) or `<id>@g.us`.
 */
export function parsePhone(value: unknown): Peer {
  const raw = single(value)?.trim() ?? '';
  const group = /^([\d-]+)@g\.us$/i.exec(raw);
  if (group) {
    const id = group[1]!.replace(/-/g, '');
    if (/^\d{10,}$/.test(id)) return { id: `${id}@g.us`, phone: id, group: true };
  }
  if (/[^\d\s()[\]+\-./]/.test(raw)) throw wammError(ERR.phoneFail, 'phone may hold digits, spaces, brackets, dashes, dots and a +; nothing else');
  const digits = raw.replace(/\D/g, '');
  if (/^120363\d{12,}$/.test(digits)) return { id: `${digits}@g.us`, phone: digits, group: true };
  if (!/^\d{8,15}$/.test(digits)) throw wammError(ERR.phoneFail, 'phone must be 8 to 15 digits in international format');
  return { id: digits, phone: digits, group: false };
}

/** `%0A` (sent percent-encoded, so it arrives as those three characters) is a newline; `:smNN:` become emoji. */
export function parseText(value: unknown): string {
  const raw = single(value) ?? '';
  const text = raw.replace(/%0A/gi, '\n').replace(/:sm\d\d:/g, (code) => SMILEYS[code] ?? code);
  if (text.trim() === '') throw wammError(ERR.textFail, 'text is empty');
  if (length(text) > MAX_TEXT) throw wammError(ERR.textTooLong, `text is ${length(text)} characters; the limit is ${MAX_TEXT}`);
  return text;
}

export function parseFileUrl(value: unknown): string {
  const url = single(value)?.trim() ?? '';
  if (!/^https?:\/\/\S+$/i.test(url)) throw wammError(ERR.urlFail, 'url must be a public http or https link to the file');
  return url;
}

export function parseMsgId(value: unknown): string {
  const id = single(value)?.trim() ?? '';
  if (!/^\d{1,18}$/.test(id)) throw wammError(ERR.msgIdFail, 'msg_id must be a message number');
  return String(BigInt(id));
}

export function parseCol(value: unknown): number {
  const col = single(value)?.trim() ?? '';
  if (!/^\d{1,9}$/.test(col) || Number(col) < 1 || Number(col) > MAX_COL) throw wammError(ERR.colFail, `col must be a number from 1 to ${MAX_COL}`);
  return Number(col);
}

/** `1` sent only, `0` received only; anything else (or nothing) both. */
export function parseFromMe(value: unknown): 'outbound' | 'inbound' | undefined {
  const flag = single(value)?.trim();
  if (flag === '1') return 'outbound';
  if (flag === '0') return 'inbound';
  return undefined;
}

/** contact_to's fields, checked in the order the seed lists its errors (after the phone). */
export function parseContact(query: Record<string, unknown>): ContactInput {
  const peer = parsePhone(query.phone);
  const name = present(query.name)?.trim();
  if (name === undefined) throw wammError(ERR.nameFail, 'name is required');
  if (length(name) > MAX_NAME) throw wammError(ERR.nameTooLong, `name is ${length(name)} characters; the limit is ${MAX_NAME}`);
  const web = present(query.web)?.trim();
  if (web !== undefined && length(web) > MAX_WEB) throw wammError(ERR.webTooLong, `web is ${length(web)} characters; the limit is ${MAX_WEB}`);
  const email = present(query.email)?.trim();
  if (email !== undefined && length(email) > MAX_EMAIL) throw wammError(ERR.emailTooLong, `email is ${length(email)} characters; the limit is ${MAX_EMAIL}`);
  const info = present(query.info);
  return { peer, name, ...(info !== undefined ? { info } : {}), ...(email !== undefined ? { email } : {}), ...(web !== undefined ? { web } : {}) };
}

/**
 * file_from_base64's form: `file_base64` (plain base64, a data: URL's prefix tolerated) and `file_name`.
 * A missing or undecodable file is WAMM's "url fail", the file counterpart of an empty link.
 */
export function parseBase64File(body: Record<string, unknown>): Base64File {
  const encoded = (single(body.file_base64) ?? '').replace(/^data:[^,]*;base64,/i, '').replace(/\s+/g, '');
  if (encoded === '' || !/^[A-Za-z0-9+/_-]+={0,2}$/.test(encoded)) throw wammError(ERR.urlFail, 'file_base64 must be the file in base64');
  const bytes = Buffer.from(encoded, encoded.includes('-') || encoded.includes('_') ? 'base64url' : 'base64');
  if (bytes.length === 0) throw wammError(ERR.urlFail, 'file_base64 decodes to an empty file');
  const fileName = present(body.file_name)?.trim() ?? 'file';
  return { bytes: new Uint8Array(bytes), fileName };
}
