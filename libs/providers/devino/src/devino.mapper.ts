import { StateSlot, type FailureCode, type Message } from '#engine';

/** Wire-format output: engine records in Devino's shapes. */

/** What a Devino message carries besides its content, kept verbatim on the engine message (nothing on an inbound one). */
export interface DevinoProviderData {
  from: string | null;
  callbackUrl: string | null;
  callbackData: string | null;
  validity: number | null;
  templateId: string | null;
}

export const DEVINO_MESSAGE = new StateSlot<DevinoProviderData>({ from: null, callbackUrl: null, callbackData: null, validity: null, templateId: null });

export function callbackOf(message: Message): { url: string | null; data: string | null } {
  const { callbackUrl, callbackData } = DEVINO_MESSAGE.read(message.providerData);
  return { url: callbackUrl, data: callbackData };
}

/** Status words, upper-case as in the seed's example (`DELIVERED`); the vocabulary is Devino's older API's. */
const STATUS_WORDS: Partial<Record<Message['status'], string>> = {
  sent: 'SENT',
  delivered: 'DELIVERED',
  read: 'READ',
  failed: 'FAILED',
};
/** The older API's word for a message whose validity ran out before a final status ("vp_expired"). */
const EXPIRED_WORD = 'VP_EXPIRED';

/** Every code of the seed's status table, 2000–2313: the codes the control API may force. */
export const DEVINO_ERROR_CODES = [
  '2000',
  '2001',
  '2002',
  '2003',
  '2004',
  '2005',
  '2006',
  '2007',
  '2008',
  '2009',
  '2010',
  '2011',
  '2012',
  '2017',
  '2300',
  '2301',
  '2302',
  '2303',
  '2304',
  '2305',
  '2307',
  '2308',
  '2309',
  '2310',
  '2311',
  '2312',
  '2313',
] as const;

/** The seed's status error codes (2000–2313) for the engine's failure codes. */
export const ERROR_CODES: Record<FailureCode, number> = {
  rate_limited: 2301,
  media_rejected: 2303,
  media_unfetchable: 2303,
  no_whatsapp: 2305,
  own_number: 2307,
  template_param_count: 2308,
  template_not_found: 2309,
  template_language: 2310,
  template_param_too_long: 2311,
  outside_window: 2312,
  duplicate: 2009,
  insufficient_funds: 2005,
  // Refined by the message below: 2010 or 2011, 2300 or 2304.
  expired: 2010,
  text_too_long: 2300,
  template_param_format: 2313,
  send_failed: 2313,
  session_closed: 2313,
  transport_error: 2313,
  forced: 2313,
};

export interface StatusCallbackItem {
  messageId: string;
  ts: number;
  status: string;
  errorCode: number;
  ip: string | null;
  browser: string | null;
  os: string | null;
  userAgent: string | null;
  options: string | null;
}

/**
 * The seed's code for a failed message: a provider code it carries wins; an expiry is 2010 while still
 * queued and 2011 once sent; text too long is 2304 for a media caption and 2300 otherwise.
 */
export function errorCodeOf(message: Message): number {
  const failure = message.failure ?? { code: 'send_failed' as const, reason: '' };
  if (failure.providerCode !== undefined) return Number(failure.providerCode);
  if (failure.code === 'expired') return message.history.some((step) => step.status === 'sent') ? 2011 : 2010;
  if (failure.code === 'text_too_long') return message.kind === 'media' ? 2304 : 2300;
  return ERROR_CODES[failure.code];
}

/**
 * One entry of a status callback. `messageId` is the same digit string the send answered: the ids pass
 * 2^53, where a JSON number would lose digits in most clients. ip/browser/os/userAgent describe a
 * customer who opened a link, which the sandbox does not simulate: always null.
 */
export function toStatusCallback(message: Message): StatusCallbackItem | null {
  const status = message.failure?.code === 'expired' ? EXPIRED_WORD : STATUS_WORDS[message.status];
  if (!status) return null;
  return {
    messageId: message.id,
    ts: message.history[message.history.length - 1]!.at,
    status,
    errorCode: message.status === 'failed' ? errorCodeOf(message) : 0,
    ip: null,
    browser: null,
    os: null,
    userAgent: null,
    options: callbackOf(message).data,
  };
}

const MIME_BY_EXTENSION: Record<string, string> = {
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  ogg: 'audio/ogg',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  amr: 'audio/amr',
  pdf: 'application/pdf',
  txt: 'text/plain',
};

/** The incoming-message payload posted to the account's incoming URL, keys in the seed example's order. */
export function toIncomingMessage(message: Message) {
  const payload: Record<string, unknown> = { incomingMessageId: Number(message.id), to: message.to, from: message.from };
  if (message.text) payload.text = message.text;
  if (message.mediaUrl) {
    const fileName = message.media?.fileName ?? decodeURIComponent(new URL(message.mediaUrl).pathname.split('/').pop() ?? '');
    const extension = fileName.includes('.') ? fileName.split('.').pop()!.toLowerCase() : '';
    payload.contentUrl = message.mediaUrl;
    payload.contentType = message.media?.mime ?? MIME_BY_EXTENSION[extension] ?? 'application/octet-stream';
    if (fileName) payload.contentName = fileName;
  }
  if (message.profileName) payload.profileName = message.profileName;
  payload.ts = message.createdAt;
  if (message.location) {
    const { latitude, longitude, address, name } = message.location;
    payload.whatsAppGeoLocation = { latitude, longitude, ...(address ? { address } : {}), ...(name ? { addressName: name } : {}) };
  }
  if (message.contacts) payload.whatsAppContacts = message.contacts.map(toWhatsAppContact);
  return payload;
}

/** A shared contact card in the seed's WhatsAppContact shape (Meta's contact object, camel-cased). */
function toWhatsAppContact(card: { name: string; phones: string[] }) {
  const [firstName = card.name, ...rest] = card.name.trim().split(/\s+/);
  return {
    addresses: [],
    emails: [],
    contactName: [{ formattedName: card.name, firstName, ...(rest.length ? { lastName: rest.join(' ') } : {}) }],
    contactCompany: [],
    phones: card.phones.map((phone) => ({ phone: `+${phone}`, waId: phone, type: 'CELL' })),
    urls: [],
  };
}
