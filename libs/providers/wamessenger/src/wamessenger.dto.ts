import { badRequest } from './wamessenger.errors.js';

/** Wire-format input parsing: everything a WaMessenger client may send, validated into plain values. */

export interface SendInput {
  /** An array on the wire means a bulk send, answered with tracking codes even for one number. */
  bulk: boolean;
  recipients: string[];
  text: string;
  url: string | null;
}

/**
 * Numbers in one send. The seed names no limit; a PHP backend reads at most 1,000 form fields (PHP's
 * default max_input_vars), and the bound keeps one request from holding the sandbox: 70,000 numbers
 * took about 4 s of engine work, with every other client waiting.
 */
export const MAX_RECIPIENTS = 1_000;

export function parseSendInput(body: Record<string, unknown>): SendInput {
  const raw = body.phonenumber;
  if (raw === undefined || raw === null || raw === '') throw badRequest('phonenumber is required');
  const bulk = Array.isArray(raw) || isPlainObject(raw);
  const values = Array.isArray(raw) ? raw : isPlainObject(raw) ? Object.values(raw) : [raw];
  if (values.length === 0) throw badRequest('phonenumber is an empty list');
  if (values.length > MAX_RECIPIENTS) throw badRequest(`phonenumber has ${values.length} numbers, at most ${MAX_RECIPIENTS} are taken in one request`);
  const recipients = values.map((value) => {
    const phone = normalizeRecipient(value);
    if (!phone) throw badRequest(`phonenumber ${JSON.stringify(value)} is not a phone number or group id`);
    return phone;
  });
  const text = body.text;
  if (typeof text !== 'string' || text.trim() === '') throw badRequest('text is required and must be a non-empty string');
  const url = body.url;
  if (url !== undefined && url !== null && typeof url !== 'string') throw badRequest('url must be a string');
  const mediaUrl = typeof url === 'string' && url.trim() !== '' ? url.trim() : null;
  if (mediaUrl && !/^(https?:\/\/[^\s/]+|data:)/i.test(mediaUrl)) throw badRequest('url must be an http(s) link to the file');
  // The seed's table marks url required for a send to several numbers, but public clients send every
  // message, text-only ones included, as an array (`phonenumber[0]=…`) without url: the live API takes them.
  return { bulk, recipients, text, url: mediaUrl };
}

/**
 * Digits with an optional +, or a group id. A single leading 0 is the Iranian local form (09121234567),
 * which WaMessenger's own report filters treat as 98…; sends get the same normalisation.
 */
export function normalizeRecipient(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) value = String(value);
  if (typeof value !== 'string') return null;
  const trimmed = value.trim();
  if (/^\d+(-\d+)?@g\.us$/.test(trimmed)) return trimmed;
  const digits = trimmed.replace(/^\+/, '');
  if (!/^\d{8,15}$/.test(digits)) return null;
  return /^0[1-9]/.test(digits) ? `98${digits.slice(1)}` : digits;
}

export function parseMessageId(value: unknown): string {
  if (typeof value !== 'string' || !/^\d{1,18}$/.test(value)) throw badRequest('id must be a message id (digits)');
  return String(BigInt(value));
}

export function parsePage(value: unknown): number {
  if (value === undefined || value === '') return 1;
  if (typeof value !== 'string' || !/^\d{1,9}$/.test(value) || Number(value) < 1) throw badRequest('page must be a positive integer');
  return Number(value);
}

/**
 * The report filter is a prefix: `989121…`, `912` and `0912` all match `98912…`.
 * Returns the prefixes a stored number may start with, or undefined for no filter.
 */
export function parsePhonePrefix(value: unknown): string[] | undefined {
  if (value === undefined || value === '') return undefined;
  if (typeof value !== 'string' || !/^\+?\d{1,15}$/.test(value)) throw badRequest('phonenumber filter must be digits');
  const digits = value.replace(/^\+/, '').replace(/^0+/, '');
  if (digits === '') return undefined;
  return digits.startsWith('98') ? [digits] : [digits, `98${digits}`];
}

export function parseSwitch(value: unknown): boolean | null {
  if (value === 'on') return true;
  if (value === 'off') return false;
  return null;
}

export function parseWebhookUrl(value: unknown): string | null {
  if (typeof value !== 'string') return null;
  try {
    const url = new URL(value);
    return url.protocol === 'http:' || url.protocol === 'https:' ? value : null;
  } catch {
    return null;
  }
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
