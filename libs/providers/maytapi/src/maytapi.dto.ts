import { badRequest } from './maytapi.errors.js';

/** Wire-format input parsing: what Maytapi clients send, validated into plain values. */

export interface Recipient {
  /** Digits, or a group id: the engine's peer. */
  peer: string;
  chatId: string;
}

export type MediaSource = { url: string } | { base64: Buffer; mime: string | null };

export type SendInput = { to: Recipient; skipFilter: boolean } & (
  | { type: 'text'; text: string; replyTo: string | null }
  | { type: 'media'; declaredType: string; source: MediaSource; caption: string; filename: string | null; replyTo: string | null }
  | { type: 'location'; latitude: number; longitude: number; name: string }
  | { type: 'contact'; number: string }
  | { type: 'vcard'; cards: Array<{ name: string; phones: string[] }> }
  | { type: 'link'; url: string; text: string }
  | { type: 'reaction'; emoji: string; target: string }
  | { type: 'forward'; target: string; forwardCaption: boolean }
  | { type: 'delete'; target: string }
  | { type: 'edit'; text: string; target: string }
  | { type: 'poll'; question: string; options: string[] }
  | { type: 'product'; productId: string }
  | { type: 'other'; declaredType: string; text: string }
);

/** The spec's enum, plus what public clients send (image, poll, sticker, vcard, product, buttons…). */
const MEDIA_ALIASES = new Set(['media', 'image', 'video', 'audio', 'ptt', 'document', 'file', 'sticker']);
const OTHER_TYPES = new Set(['buttons', 'list', 'template']);

export function parseSendInput(body: Record<string, unknown>): SendInput {
  const to = parseRecipient(body.to_number);
  const skipFilter = parseBoolean(body.skip_filter) ?? false;
  const rawType = body.type ?? 'text';
  if (typeof rawType !== 'string') throw badRequest('type must be a string');
  const type = rawType.trim().toLowerCase();
  const message = body.message;
  const base = { to, skipFilter };
  const replyTo = optionalString(body.reply_to, 'reply_to');

  if (type === 'text') return { ...base, type, text: requiredText(message, 'message'), replyTo };
  if (MEDIA_ALIASES.has(type)) {
    const source = parseMediaSource(message);
    const caption = optionalString(body.text, 'text') ?? '';
    const filename = optionalString(body.filename, 'filename');
    return { ...base, type: 'media', declaredType: type, source, caption, filename, replyTo };
  }
  switch (type) {
    case 'location': {
      const latitude = parseCoordinate(body.latitude, 'latitude', 90);
      const longitude = parseCoordinate(body.longitude, 'longitude', 180);
      return { ...base, type, latitude, longitude, name: optionalString(body.text, 'text') ?? '' };
    }
    case 'contact': {
      const contact = parseRecipient(message, 'message');
      if (contact.peer.endsWith('@g.us')) throw badRequest("message must be the contact's number (e.g. 905301234567@c.us), not a group");
      return { ...base, type, number: contact.peer };
    }
    case 'vcard':
      return { ...base, type, cards: parseVcards(message) };
    case 'link': {
      const url = requiredText(message, 'message');
      if (!/^https?:\/\/\S+$/i.test(url.trim())) throw badRequest('message must be the link to send (http or https)');
      return { ...base, type, url: url.trim(), text: optionalString(body.text, 'text') ?? '' };
    }
    case 'reaction':
      return { ...base, type, emoji: requiredText(message, 'message'), target: requiredReference(replyTo, 'reply_to', 'the message to react to') };
    case 'forward':
      return { ...base, type, target: requiredText(message, 'message'), forwardCaption: parseBoolean(body.forward_caption) ?? false };
    case 'delete':
      return { ...base, type, target: requiredText(message, 'message') };
    case 'edit':
      return { ...base, type, text: requiredText(message, 'message'), target: requiredReference(replyTo, 'reply_to', 'the message to edit') };
    case 'poll': {
      const options = body.options;
      if (!Array.isArray(options) || options.length < 2 || !options.every((option) => typeof option === 'string' && option.trim() !== '')) {
        throw badRequest('options must be a list of at least two texts');
      }
      return { ...base, type, question: requiredText(message, 'message'), options: options as string[] };
    }
    case 'product': {
      const productId = typeof body.productId === 'number' ? String(body.productId) : body.productId;
      return { ...base, type, productId: requiredText(productId, 'productId').trim() };
    }
  }
  if (OTHER_TYPES.has(type)) return { ...base, type: 'other', declaredType: type, text: typeof message === 'string' ? message : '' };
  throw badRequest(`Unsupported message type: ${rawType}`);
}

/**
 * `905301234567`, `+90 530 123 45 67`, `905301234567@c.us`, or a group id (`905301234567-1574073754@g.us`,
 * `120363…@g.us`). The spec: "to_number should start with country code without any special characters".
 */
export function parseRecipient(value: unknown, field = 'to_number'): Recipient {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) value = String(value);
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) throw badRequest(`${field} is required`);
  if (typeof value !== 'string') throw badRequest(`${field} must be a phone number or a chat id`);
  const trimmed = value.trim();
  if (/^\d+(-\d+)?@g\.us$/.test(trimmed)) return { peer: trimmed, chatId: trimmed };
  const digits = trimmed
    .replace(/@c\.us$/, '')
    .replace(/^\+/, '')
    .replace(/[\s()-]/g, '');
  if (!/^\d{8,15}$/.test(digits)) throw badRequest(`${field} must be a phone number with its country code (e.g. 905301234567) or a chat id`);
  return { peer: digits, chatId: `${digits}@c.us` };
}

/** A media message's `message`: a direct link, a `data:` URI, or bare base64 text of an image. */
function parseMediaSource(value: unknown): MediaSource {
  const text = requiredText(value, 'message').trim();
  if (/^https?:\/\/\S+$/i.test(text)) return { url: text };
  const dataUri = /^data:([^;,]*)(;[^,]*)?,(.*)$/is.exec(text);
  if (dataUri) {
    if (!/;base64/i.test(dataUri[2] ?? '')) throw badRequest('A data: media must be base64 encoded');
    return { base64: decodeBase64(dataUri[3] ?? ''), mime: dataUri[1] || null };
  }
  if (/^[A-Za-z0-9+/=\s]{16,}$/.test(text)) return { base64: decodeBase64(text), mime: null };
  throw badRequest('message must be the media link (http or https) or a base64 image');
}

function decodeBase64(text: string): Buffer {
  const compact = text.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(compact) || compact.length === 0) throw badRequest('The base64 media is not valid base64');
  return Buffer.from(compact, 'base64');
}

function parseVcards(value: unknown): Array<{ name: string; phones: string[] }> {
  const list = Array.isArray(value) ? value : [value];
  if (list.length === 0) throw badRequest('message must be a vCard: {displayName, vcard}');
  return list.map((item) => {
    const card = item as { displayName?: unknown; vcard?: unknown } | null;
    if (typeof card !== 'object' || card === null || typeof card.vcard !== 'string' || !/BEGIN:VCARD/i.test(card.vcard)) {
      throw badRequest('message must be a vCard: {displayName, vcard}');
    }
    const phones = [...card.vcard.matchAll(/^TEL[^:\n]*:([+\d\s()-]+)$/gim)].map((match) => match[1]!.replace(/\D/g, '')).filter((phone) => phone !== '');
    const name =
      typeof card.displayName === 'string' && card.displayName.trim() !== '' ? card.displayName : (/^FN[^:\n]*:(.+)$/im.exec(card.vcard)?.[1]?.trim() ?? '');
    return { name, phones };
  });
}

function parseCoordinate(value: unknown, field: string, limit: number): number {
  const number = typeof value === 'number' ? value : typeof value === 'string' && value.trim() !== '' ? Number(value) : Number.NaN;
  if (!Number.isFinite(number) || Math.abs(number) > limit) throw badRequest(`${field} is required and must be a number between -${limit} and ${limit}`);
  return number;
}

function requiredText(value: unknown, field: string): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`${field} is required and must be a non-empty string`);
  return value;
}

function requiredReference(value: string | null, field: string, what: string): string {
  if (value === null || value.trim() === '') throw badRequest(`${field} is required: ${what}`);
  return value.trim();
}

function optionalString(value: unknown, field: string): string | null {
  if (value === undefined || value === null) return null;
  if (typeof value !== 'string') throw badRequest(`${field} must be a string`);
  return value;
}

/** JSON booleans, and the strings and numbers form clients send for them. */
export function parseBoolean(value: unknown): boolean | null {
  if (value === true || value === 1 || value === 'true' || value === '1') return true;
  if (value === false || value === 0 || value === 'false' || value === '0') return false;
  return null;
}

/** setAckPreference: `ack_delivery` in the spec, `preference` in the seed. */
export function parseAckPreference(body: Record<string, unknown>): boolean {
  const raw = body.ack_delivery ?? body.preference;
  const value = parseBoolean(raw);
  if (value === null) throw badRequest('ack_delivery (or preference) is required and must be true or false');
  return value;
}

export function parseWebhookUrl(value: unknown, field = 'webhook'): string {
  if (typeof value !== 'string' || value.trim() === '') throw badRequest(`${field} is required and must be a url`);
  try {
    const url = new URL(value.trim());
    if (url.protocol === 'http:' || url.protocol === 'https:') return value.trim();
  } catch {
    // falls through to the refusal
  }
  throw badRequest(`${field} must be an http or https url`);
}

/** POST /{phone_id}/config: `webhook` as a string (or the spec's `{webhook}` object), `ack_delivery`. */
export function parsePhoneConfig(body: Record<string, unknown>): { webhook: string | null; ackDelivery: boolean } {
  let raw = body.webhook;
  if (typeof raw === 'object' && raw !== null && !Array.isArray(raw)) raw = (raw as { webhook?: unknown }).webhook;
  const webhook = raw === undefined || raw === null || raw === '' ? null : parseWebhookUrl(raw);
  const ack = body.ack_delivery === undefined ? false : parseBoolean(body.ack_delivery);
  if (ack === null) throw badRequest('ack_delivery must be true or false');
  return { webhook, ackDelivery: ack };
}

/** addPhone's optional `number`. */
export function parsePhoneNumber(value: unknown): string | null {
  if (value === undefined || value === null || value === '') return null;
  return parseRecipient(value, 'number').peer;
}

/** restore: the storage data of a backup, sent as the body (the seed) or wrapped in `data` as backup answers it. */
export function parseBackupData(body: Record<string, unknown>): string {
  const data = typeof body.data === 'object' && body.data !== null ? (body.data as Record<string, unknown>) : body;
  const token = data.WABrowserId;
  if (typeof token !== 'string' || token.trim() === '') throw badRequest('The backup data is not valid: WABrowserId is missing');
  return token.replace(/^"|"$/g, '');
}

/** A group's conversation id, as getGroups lists it (`905301234567-1574073754@g.us`, `120363…@g.us`). */
export function parseGroupId(value: unknown, field = 'conversation_id'): string {
  if (typeof value !== 'string' || !/^\d+(-\d+)?@g\.us$/.test(value.trim()))
    throw badRequest(`${field} must be a group id (e.g. 905301234567-1574073754@g.us)`);
  return value.trim();
}

/** A person's number in a group operation: `905301234567` or `905301234567@c.us`. */
export function parsePersonNumber(value: unknown, field = 'number'): string {
  const recipient = parseRecipient(value, field);
  if (recipient.peer.endsWith('@g.us')) throw badRequest(`${field} must be a person's number (e.g. 905301234567@c.us), not a group`);
  return recipient.peer;
}

/** createGroup: `{name, numbers: [...]}`. */
export function parseCreateGroup(body: Record<string, unknown>): { name: string; numbers: string[] } {
  const name = requiredText(body.name, 'name');
  if (!Array.isArray(body.numbers) || body.numbers.length === 0) throw badRequest('numbers must be a list of at least one phone number');
  return { name, numbers: body.numbers.map((number) => parsePersonNumber(number, 'numbers')) };
}

/** group/add, remove, promote, demote: `{conversation_id, number}`. */
export function parseGroupMember(body: Record<string, unknown>): { groupId: string; number: string } {
  return { groupId: parseGroupId(body.conversation_id), number: parsePersonNumber(body.number) };
}

const PERMISSIONS = new Set(['admins', 'all']);

/** group/config: `{conversation_id, config: {edit?, send?, disappear?}}`; only the keys given change. */
export function parseGroupConfig(body: Record<string, unknown>): {
  groupId: string;
  change: { edit?: 'admins' | 'all'; send?: 'admins' | 'all'; disappear?: boolean };
} {
  const groupId = parseGroupId(body.conversation_id);
  const config = body.config;
  if (typeof config !== 'object' || config === null || Array.isArray(config)) throw badRequest('config must be an object with edit, send or disappear');
  const { edit, send, disappear } = config as Record<string, unknown>;
  const change: { edit?: 'admins' | 'all'; send?: 'admins' | 'all'; disappear?: boolean } = {};
  for (const [key, value] of [
    ['edit', edit],
    ['send', send],
  ] as const) {
    if (value === undefined) continue;
    if (typeof value !== 'string' || !PERMISSIONS.has(value)) throw badRequest(`config.${key} must be "admins" or "all"`);
    change[key] = value as 'admins' | 'all';
  }
  if (disappear !== undefined) {
    const on = parseBoolean(disappear);
    if (on === null) throw badRequest('config.disappear must be true or false');
    change.disappear = on;
  }
  if (Object.keys(change).length === 0) throw badRequest('config must set at least one of edit, send or disappear');
  return { groupId, change };
}

/** setProfileImage: `{conversation_id?, image}`; no conversation_id = the phone's own picture. */
export function parseProfileImage(body: Record<string, unknown>): { groupId: string | null; image: string } {
  const groupId =
    body.conversation_id === undefined || body.conversation_id === null || body.conversation_id === '' ? null : parseGroupId(body.conversation_id);
  const image = requiredText(body.image, 'image').trim();
  if (!/^https?:\/\/\S+$/i.test(image)) throw badRequest('image must be the link (http or https) of the picture');
  return { groupId, image };
}

/** getGroups' query: `full`, `sort`, `invite` booleans and a 1-based `page`. */
export function parseGroupsQuery(query: Record<string, unknown>): { sort: boolean; invite: boolean; page: number } {
  const flag = (name: string) => {
    const value = query[name];
    if (value === undefined || value === '') return false;
    const on = parseBoolean(value);
    if (on === null) throw badRequest(`${name} must be true or false`);
    return on;
  };
  flag('full');
  const page = query.page === undefined || query.page === '' ? 1 : Number(query.page);
  if (!Number.isInteger(page) || page < 1) throw badRequest('page must be a whole number from 1');
  return { sort: flag('sort'), invite: flag('invite'), page };
}

/** leaveGroup: `{id}`. */
export function parseLeaveGroup(body: Record<string, unknown>): string {
  return parseGroupId(body.id, 'id');
}

/** contact/{conversation_id}: a number (with or without `@c.us`) or a group id. */
export function parseConversationId(value: string): string {
  return parseRecipient(value, 'conversation_id').peer;
}
