import { hashString, mentionsIn, type Account, type CatalogProduct, type Group, type Message, type Session, type WebhookAttempt } from '#engine';
import { apiBaseOf, MAYTAPI_MESSAGE, phoneNumberOf, type PhoneSettings } from './maytapi.product.js';

/** Wire-format output: engine records in Maytapi's shapes (official spec v1.9.1, seed where it is more precise). */

/** The spec's status-enum. */
export type PhoneStatus = 'active' | 'qr-code' | 'phone-error' | 'idle' | 'loading' | 'disabled';

/** The spec: "When a phone stays at qr-code for 3 min. it turns to idle state." */
export const IDLE_AFTER_MS = 3 * 60_000;

/** What the sandbox says it runs, in WhatsApp Web's own version format. */
export const WHATSAPP_WEB_VERSION = '2.3000.1015901307';

export function phoneStatus(session: Session): PhoneStatus {
  switch (session.state) {
    case 'qr':
      return session.idle ? 'idle' : 'qr-code';
    case 'loading':
      return 'loading';
    case 'connected':
      return 'active';
    case 'disconnected':
      return 'phone-error';
  }
}

/** WhatsApp Web's own connection state names, which Maytapi passes through in `status.state.state`. */
const WEB_STATE: Record<PhoneStatus, string> = {
  'qr-code': 'UNPAIRED',
  idle: 'UNPAIRED_IDLE',
  loading: 'OPENING',
  active: 'CONNECTED',
  'phone-error': 'TIMEOUT',
  disabled: 'UNLAUNCHED',
};

const STATUS_MESSAGE: Record<PhoneStatus, string> = {
  'qr-code': 'Waiting for the QR code to be scanned',
  idle: 'The QR code was not scanned for 3 minutes',
  loading: 'Loading chats',
  active: 'Logged in',
  'phone-error': 'Phone is not connected, retrying',
  disabled: 'Phone is disabled',
};

export function toStatus(session: Session, phone: PhoneSettings | undefined) {
  const status = phoneStatus(session);
  return {
    success: true,
    status: {
      loggedIn: status === 'active',
      isQr: status === 'qr-code' || status === 'idle',
      loading: status === 'loading',
      connRetry: status === 'phone-error',
      message: STATUS_MESSAGE[status],
      state: { state: WEB_STATE[status], canSend: status === 'active' },
      version: WHATSAPP_WEB_VERSION,
      number: phoneNumberOf(session, phone) ?? '',
      multidevice: true,
    },
  };
}

export function toProduct(account: Account, product: { ackDelivery: boolean; phoneLimit: number }) {
  return { pid: account.key, webhook: account.webhookUrl, ack_delivery: product.ackDelivery, phone_limit: product.phoneLimit };
}

export function toPhone(session: Session, phone: PhoneSettings | undefined) {
  return { id: Number(session.label), number: phoneNumberOf(session, phone), status: phoneStatus(session) };
}

/** `905301234567@c.us` for a person, the group id as it is for a group. */
export function chatIdOf(peer: string): string {
  return peer.endsWith('@g.us') ? peer : `${peer}@c.us`;
}

/** WhatsApp's serialized message id, as Maytapi shows it in webhooks and takes in reply_to / forward. */
export function serializedId(message: Message): string {
  return `${message.direction === 'outbound'}_${chatIdOf(message.peer)}_${message.id}`;
}

/**
 * Outbound ids are the uuid Maytapi hands out when it queues a message (the spec's "Reply Message (Outgoing)"
 * example: `50d8b950-a67f-11eb-91cc-d97af631df95`). The first group is a bijection of n, so ids never repeat.
 */
export function outboundId(n: number): string {
  const head = (Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  const a = hashString(`maytapi-out-a-${n}`).toString(16).padStart(14, '0');
  const b = hashString(`maytapi-out-b-${n}`).toString(16).padStart(14, '0');
  return `${head}-${a.slice(0, 4)}-11eb-${(8 + (Number.parseInt(a[4]!, 16) % 4)).toString(16)}${a.slice(5, 8)}-${b.slice(0, 12)}`;
}

/** Incoming ids look like WhatsApp Web's: `3EB0` and 16 hex digits (the spec's `3EB081AF26FADE6416D8`). */
export function inboundId(n: number): string {
  const head = (Math.imul(n, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0');
  const tail = hashString(`maytapi-in-${n}`).toString(16).padStart(14, '0').slice(0, 8);
  return `3EB0${head}${tail}`.toUpperCase();
}

/** The engine id inside any id form a client may send back: uuid, bare id, or `false_<chat>_<id>`. */
export function engineIdOf(wireId: string): string {
  const underscore = wireId.lastIndexOf('_');
  return underscore === -1 ? wireId : wireId.slice(underscore + 1);
}

/** The spec's ack codes: the three ticks, then a voice or audio message played (4) and a message deleted (5). */
export const ACKS = {
  sent: { ackType: 'delivered', ackCode: 1 },
  delivered: { ackType: 'reached', ackCode: 2 },
  read: { ackType: 'seen', ackCode: 3 },
  played: { ackType: 'played', ackCode: 4 },
  deleted: { ackType: 'deleted', ackCode: 5 },
} as const;

export function toAck(message: Message, ack: { ackType: string; ackCode: number }, at = message.history[message.history.length - 1]!.at) {
  return { ackType: ack.ackType, ackCode: ack.ackCode, chatId: chatIdOf(message.peer), msgId: message.id, time: Math.floor(at / 1000) };
}

const EXTENSION_KIND: Array<[RegExp, { type: string; mime: string }]> = [
  [/\.jpe?g$/i, { type: 'image', mime: 'image/jpeg' }],
  [/\.png$/i, { type: 'image', mime: 'image/png' }],
  [/\.webp$/i, { type: 'sticker', mime: 'image/webp' }],
  [/\.gif$/i, { type: 'video', mime: 'image/gif' }],
  [/\.(mp4|3gp)$/i, { type: 'video', mime: 'video/mp4' }],
  [/\.(ogg|opus)$/i, { type: 'ptt', mime: 'audio/ogg; codecs=opus' }],
  [/\.(mp3|aac|m4a|amr|wav)$/i, { type: 'audio', mime: 'audio/mpeg' }],
  [/\.pdf$/i, { type: 'document', mime: 'application/pdf' }],
];

/** The `message` object of a webhook: text, media, location or vCard, as the spec's message-data shapes. */
export function toMessageData(message: Message): Record<string, unknown> {
  const common = { id: serializedId(message), _serialized: serializedId(message), fromMe: message.direction === 'outbound' };
  if (message.location) {
    return { type: 'location', ...common, payload: `${message.location.latitude},${message.location.longitude}` };
  }
  if (message.contacts && message.contacts.length > 0) {
    return { type: message.contacts.length > 1 ? 'multi_vcard' : 'vcard', ...common, vcardList: message.contacts.map(toVcardData) };
  }
  if (message.mediaUrl) {
    const path = message.mediaUrl.split(/[?#]/)[0] ?? '';
    const guess = EXTENSION_KIND.find(([pattern]) => pattern.test(path))?.[1] ?? { type: 'document', mime: 'application/octet-stream' };
    const kind = message.media ? mediaTypeOfKind(message.media.kind, guess.type) : guess.type;
    const custom = MAYTAPI_MESSAGE.read(message.providerData).filename;
    const filename = custom ? custom : (message.media?.fileName ?? path.slice(path.lastIndexOf('/') + 1));
    return { type: kind, ...common, url: message.mediaUrl, caption: message.text, filename, mime: message.media?.mime ?? guess.mime };
  }
  // A group message lists the members it mentions (`@<number>` in its text), as the spec's mention-message.
  if (message.peer.endsWith('@g.us')) return { type: 'text', ...common, text: message.text, mentions: mentionsIn(message.text).map(chatIdOf) };
  return { type: 'text', ...common, text: message.text };
}

function mediaTypeOfKind(kind: string, guess: string): string {
  if (kind === 'image' || kind === 'video') return kind;
  if (kind === 'audio') return guess === 'ptt' ? 'ptt' : 'audio';
  return 'document';
}

function toVcardData(card: { name: string; phones: string[] }) {
  const tels = card.phones.map((phone) => `TEL;type=CELL;waid=${phone}:+${phone}`).join('\n');
  return { displayName: card.name, vcard: `BEGIN:VCARD\nVERSION:3.0\nFN:${card.name}\n${tels}\nEND:VCARD` };
}

/**
 * A message event: the spec's incomingMessageType. Public payloads (the spec's logs example) carry the
 * ids twice, snake_case and camelCase, so both are sent.
 */
export function toMessageEvent(account: Account, phoneId: string, message: Message, quoted?: Message) {
  return {
    product_id: account.key,
    phone_id: Number(phoneId),
    productId: account.key,
    phoneId: Number(phoneId),
    message: toMessageData(message),
    user: toUser(message.peer.endsWith('@g.us') ? message.from : message.peer, message),
    conversation: chatIdOf(message.peer),
    receiver: message.direction === 'inbound' ? message.to : message.from,
    timestamp: Math.floor(message.createdAt / 1000),
    type: 'message',
    reply: `${apiBaseOf(account)}/${account.key}/${phoneId}/sendMessage`,
    // The spec's message-quoted-data: the replied-to message with who wrote it and when.
    ...(quoted ? { quoted: { ...toMessageData(quoted), user: toUser(quoted.from, quoted), timestamp: Math.floor(quoted.createdAt / 1000) } } : {}),
  };
}

/** A person in a chat: named by their WhatsApp profile when they wrote the message, else by their number. */
function toUser(number: string, message: Message) {
  const name = message.direction === 'inbound' && number === message.from ? (message.profileName ?? number) : number;
  return { id: chatIdOf(number), name, phone: number, image: '' };
}

/** The spec's groupData; the invite link only when asked for. */
export function toGroupData(group: Group, withInvite: boolean) {
  return {
    id: group.id,
    name: group.name,
    participants: group.participants.map(chatIdOf),
    admins: group.admins.map(chatIdOf),
    image: group.image ?? '',
    config: { edit: group.settings.edit, send: group.settings.send, disappear: group.settings.disappear },
    ...(withInvite ? { invite: `https://chat.whatsapp.com/${group.inviteCode}` } : {}),
  };
}

/** The spec's product-data: one catalog product as the business phone shows it. */
export function toProductData(product: CatalogProduct, business: string) {
  return {
    type: 'product',
    productId: product.productId,
    image: product.image,
    url: product.url,
    price: product.price,
    price1000: Math.round(product.price * 1000),
    title: product.title,
    description: product.description,
    retailerId: product.retailerId,
    business: chatIdOf(business),
    currency: product.currency,
    id: product.productId,
  };
}

export function toStatusEvent(account: Account, phoneId: string, status: PhoneStatus) {
  return { type: 'status', pid: account.key, phone_id: Number(phoneId), status };
}

export interface LogEntry {
  at: number;
  phoneId: string;
  type: 'incoming' | 'outgoing' | 'error';
  data: Record<string, unknown>;
}

/** A webhook delivery attempt as a log line: what was posted, where, and what the receiver answered. */
export function attemptLog(attempt: WebhookAttempt, phoneId: string): LogEntry {
  const body = attempt.body as { type?: string; message?: { fromMe?: boolean } } | undefined;
  const type = !attempt.ok ? 'error' : body?.type === 'message' && body.message?.fromMe === false ? 'incoming' : 'outgoing';
  return {
    at: attempt.at,
    phoneId,
    type,
    data: {
      body: attempt.body,
      webhook: attempt.url,
      response: attempt.ok ? { body: 'OK', statusCode: attempt.status } : { body: attempt.error ?? '', statusCode: attempt.status },
    },
  };
}

/** A sent message that failed, as a log line: Maytapi's logs are where a wrong send format shows up. */
export function failureLog(message: Message, phoneId: string): LogEntry {
  return {
    at: message.history[message.history.length - 1]!.at,
    phoneId,
    type: 'error',
    data: { msgId: message.id, chatId: chatIdOf(message.peer), message: message.failure?.reason ?? 'the message could not be sent' },
  };
}

export function toLogs(account: Account, entries: LogEntry[]) {
  const list = entries.map((entry, index) => ({
    id: index + 1,
    pid: account.key,
    phone: entry.phoneId,
    created_at: new Date(entry.at).toISOString(),
    updated_at: new Date(entry.at).toISOString(),
    type: entry.type,
    data: entry.data,
  }));
  return { success: true, data: { count: String(list.length), list: list.reverse() } };
}
