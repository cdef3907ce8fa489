import { normalizeLanguage, type TemplateUse } from '#engine';
import { requestRejected, unauthorized, type DevinoReason } from './devino.errors.js';

/** Wire-format input parsing: a Devino request validated into plain values, or the seed's reasons. */

/** Devino's older API allows 100 messages a call; the new one says only that there is a maximum. */
export const MAX_MESSAGES_PER_REQUEST = 100;
/** WhatsApp's limit on a text message. */
export const MAX_TEXT_LENGTH = 4096;
/** E.164: at most 15 digits. */
export const MAX_PHONE_DIGITS = 15;
export const MIN_PHONE_DIGITS = 8;
/** The older API's validity range, in seconds. */
export const VALIDITY_RANGE = { min: 30, max: 86_400 } as const;
/** Language codes are `en` to `pt_BR`. */
export const LANGUAGE_CODE_LENGTH = { min: 2, max: 5 } as const;
export const DEFAULT_LANGUAGE_CODE = 'EN';

export interface DevinoMessageInput {
  from: string;
  to: string;
  text: string | null;
  validity: number | null;
  content: { url: string; name: string | null; type: string | null } | null;
  callbackUrl: string | null;
  callbackData: string | null;
  template: TemplateUse | null;
}

export type ParsedMessage = { ok: true; input: DevinoMessageInput } | { ok: false; reasons: DevinoReason[] };

/** The API key from `Authorization: Key <key>`. */
export function parseAuthorization(header: string | undefined): string {
  const match = /^\s*Key\s+(\S+)\s*$/i.exec(header ?? '');
  if (!match) throw unauthorized('the Authorization header must be "Key <your API key>"');
  return match[1]!;
}

/** The `messages` array, or the request-level rejection the seed lists (empty, too many). */
export function parseMessages(body: Record<string, unknown>): unknown[] {
  const messages = body.messages;
  if (!Array.isArray(messages) || messages.length === 0) {
    throw requestRejected(400, { key: 'must.be.not.null', ref: 'messages' }, 'the body needs a non-empty "messages" array');
  }
  if (messages.length > MAX_MESSAGES_PER_REQUEST) {
    throw requestRejected(400, { key: 'too.many.messages', ref: 'messages' }, `${messages.length} messages, at most ${MAX_MESSAGES_PER_REQUEST} a request`);
  }
  return messages;
}

const ABSENT = Symbol('absent');
const MALFORMED = Symbol('malformed');

/** A string field as a Java client's JSON mapper would take it: numbers and booleans become strings. */
function stringField(value: unknown): string | typeof ABSENT | typeof MALFORMED {
  if (value === undefined || value === null) return ABSENT;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return MALFORMED;
}

const DIGITS = /^\d+$/;
/** A sender name: letters (any script), digits, spaces and . _ & ' -, with at least one letter. */
const SENDER_NAME = /^(?=.*\p{L})[\p{L}\p{N} ._&'-]{1,64}$/u;
/** An existing top-level MIME type, a subtype, optional parameters. */
const MIME_TYPE = /^(application|audio|font|image|message|model|multipart|text|video)\/[a-z0-9][\w!#$&^.+-]{0,126}(\s*;\s*[\w.+-]+=("[^"]*"|[^\s;]+))*\s*$/i;

export function isHttpUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === 'http:' || url.protocol === 'https:') && url.hostname !== '';
  } catch {
    return false;
  }
}

/** Checks one entry of `messages`; every problem is reported, in field order, with `messages[i]` refs. */
export function parseMessage(raw: unknown, index: number): ParsedMessage {
  const ref = (field?: string) => (field ? `messages[${index}].${field}` : `messages[${index}]`);
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { ok: false, reasons: [{ key: 'must.be.not.null', ref: ref() }] };
  const message = raw as Record<string, unknown>;
  const reasons: DevinoReason[] = [];
  const reject = (key: string, field?: string) => reasons.push({ key, ref: ref(field) });

  const from = stringField(message.from);
  if (from === ABSENT || (from !== MALFORMED && from.trim() === '')) reject('must.be.not.null', 'from');
  else if (from === MALFORMED || !isSender(from)) reject('invalid', 'from');

  const to = stringField(message.to);
  if (to === ABSENT || (to !== MALFORMED && to.trim() === '')) reject('must.be.not.null', 'to');
  else if (to === MALFORMED || !DIGITS.test(to)) reject('invalid', 'to');
  else if (to.length > MAX_PHONE_DIGITS) reject('length.too.long', 'to');
  else if (to.length < MIN_PHONE_DIGITS) reject('invalid', 'to');

  const text = stringField(message.text);
  if (text === MALFORMED) reject('invalid', 'text');
  else if (text !== ABSENT && text.length > MAX_TEXT_LENGTH) reject('length.too.long', 'text');

  const validity = parseValidity(message.validity);
  if (validity === MALFORMED) reject('invalid', 'validity');

  const contentUrl = stringField(message.contentUrl);
  if (contentUrl === MALFORMED || (contentUrl !== ABSENT && !isHttpUrl(contentUrl))) reject('invalid', 'contentUrl');

  const contentName = stringField(message.contentName);
  if (contentName === MALFORMED) reject('invalid', 'contentName');
  else if (contentName !== ABSENT && contentName.trim() === '') reject('length.too.short', 'contentName');

  const contentType = stringField(message.contentType);
  if (contentType === MALFORMED || (contentType !== ABSENT && !MIME_TYPE.test(contentType))) reject('invalid', 'contentType');

  const callbackUrl = stringField(message.callbackUrl);
  if (callbackUrl === MALFORMED || (callbackUrl !== ABSENT && !isHttpUrl(callbackUrl))) reject('invalid', 'callbackUrl');

  const callbackData = stringField(message.callbackData);
  if (callbackData === MALFORMED) reject('invalid', 'callbackData');

  const templateId = stringField(message.templateId);
  if (templateId === MALFORMED) reject('invalid', 'templateId');

  const templateParams = parseTemplateParams(message.templateParams);
  if (templateParams === MALFORMED) reject('invalid', 'templateParams');

  const languageCode = stringField(message.languageCode);
  if (languageCode === MALFORMED) reject('invalid', 'languageCode');
  else if (languageCode !== ABSENT) {
    const code = languageCode.trim();
    if (code.length < LANGUAGE_CODE_LENGTH.min) reject('length.too.short', 'languageCode');
    else if (code.length > LANGUAGE_CODE_LENGTH.max) reject('length.too.long', 'languageCode');
    else if (!normalizeLanguage(code)) reject('invalid', 'languageCode');
  }

  const hasText = typeof text === 'string' && text !== '';
  const hasContent = typeof contentUrl === 'string' && contentUrl !== '';
  const hasTemplate = typeof templateId === 'string' && templateId.trim() !== '';
  if (!hasText && !hasContent && !hasTemplate && contentUrl !== MALFORMED && text !== MALFORMED && templateId !== MALFORMED) reject('must.be.not.null');

  if (reasons.length > 0) return { ok: false, reasons };
  const value = (field: string | typeof ABSENT | typeof MALFORMED) => (typeof field === 'string' ? field : null);
  return {
    ok: true,
    input: {
      from: (from as string).trim(),
      to: to as string,
      text: hasText ? (text as string) : null,
      validity: validity === ABSENT ? null : (validity as number),
      content: hasContent ? { url: contentUrl as string, name: value(contentName), type: value(contentType) } : null,
      callbackUrl: value(callbackUrl),
      callbackData: value(callbackData),
      template: hasTemplate
        ? {
            name: (templateId as string).trim(),
            language: value(languageCode)?.trim() ?? DEFAULT_LANGUAGE_CODE,
            params: templateParams === ABSENT ? {} : (templateParams as Record<string, string>),
          }
        : null,
    },
  };
}

/** A phone number (digits) or a sender name. */
function isSender(value: string): boolean {
  const trimmed = value.trim();
  if (DIGITS.test(trimmed)) return trimmed.length >= MIN_PHONE_DIGITS && trimmed.length <= MAX_PHONE_DIGITS;
  return SENDER_NAME.test(trimmed);
}

function parseValidity(value: unknown): number | typeof ABSENT | typeof MALFORMED {
  if (value === undefined || value === null) return ABSENT;
  const seconds = typeof value === 'string' && DIGITS.test(value) ? Number(value) : value;
  if (typeof seconds !== 'number' || !Number.isInteger(seconds) || seconds < VALIDITY_RANGE.min || seconds > VALIDITY_RANGE.max) return MALFORMED;
  return seconds;
}

/** `{ "1": "value1", "2": "value2" }`; numbers and booleans become strings, anything nested is malformed. */
function parseTemplateParams(value: unknown): Record<string, string> | typeof ABSENT | typeof MALFORMED {
  if (value === undefined || value === null) return ABSENT;
  if (typeof value !== 'object' || Array.isArray(value)) return MALFORMED;
  const params: Record<string, string> = {};
  for (const [key, raw] of Object.entries(value)) {
    const text = stringField(raw);
    if (typeof text !== 'string') return MALFORMED;
    params[key] = text;
  }
  return params;
}
