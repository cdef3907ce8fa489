/** The engine's records. Repositories hand out snapshots: never mutate one, save a new object instead. */

export interface FeatureSwitch {
  enabled: boolean;
  /** A change that takes effect later (providers such as WaMessenger apply switches after a delay). */
  pending?: { enabled: boolean; effectiveAt: number };
}

export interface Account {
  /** `${provider}:${key}` */
  id: string;
  provider: string;
  key: string;
  createdAt: number;
  /** The account's own WhatsApp number (its line). */
  linePhone: string;
  features: Record<string, FeatureSwitch>;
  webhookUrl: string | null;
  limits: AccountLimits;
  /**
   * Provider-owned state the engine stores without reading it (a Maytapi product's phone limit, a
   * Wamessage user's password hash): providers keep their state in the engine's store, not in memory.
   * Plain JSON; providers read and write it typed through their StateSlot (world/provider-state.ts).
   */
  settings: Record<string, unknown>;
}

export interface AccountLimits {
  /** Outbound messages accepted per clock day (the day in the provider's time zone); null = no cap. */
  dailyMessages: number | null;
  /** Outbound messages accepted in any one clock second (of the kinds the provider rate-limits); null = no cap. */
  perSecond: number | null;
  /** Messages the account can still pay for (of the kinds the provider bills), one each as it leaves; null = unmetered. */
  balance: number | null;
}

export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';
export type MessageDirection = 'outbound' | 'inbound';

/** What a message carries. Providers name these their own way; unknown kinds travel as 'other'. */
export type MessageKind = 'text' | 'media' | 'location' | 'contacts' | 'link' | 'reaction' | 'poll' | 'sticker' | 'template' | 'other';

/** Why an accepted message failed; providers translate it into their own error codes. */
export type FailureCode =
  | 'no_whatsapp'
  | 'send_failed'
  | 'media_unfetchable'
  | 'session_closed'
  | 'rate_limited'
  | 'forced'
  | 'transport_error'
  /** Media the provider's rules refuse (format, size, codec), for providers that report it after accepting. */
  | 'media_rejected'
  /** A business line writing to its own number. */
  | 'own_number'
  /** Free text to a customer whose 24-hour customer-service window is closed (WhatsApp Business rules). */
  | 'outside_window'
  /** No template by that name in any language. */
  | 'template_not_found'
  /** The template exists, but not in the requested language or locale. */
  | 'template_language'
  /** The parameters given are not exactly the template's {{1}}…{{n}}. */
  | 'template_param_count'
  /** A parameter is longer than WhatsApp takes for one (the filled-in body too long is `text_too_long`). */
  | 'template_param_too_long'
  /** A parameter holds a newline, a tab or four spaces in a row, which WhatsApp refuses. */
  | 'template_param_format'
  /** Longer than WhatsApp takes where it goes: a media caption, a template's filled-in body. */
  | 'text_too_long'
  /** Not delivered within the validity the sender gave (still queued, or sent and not yet on the phone). */
  | 'expired'
  /** The same content to the same recipient again within the provider's duplicate window. */
  | 'duplicate'
  /** The account's balance was spent when the message's turn came. */
  | 'insufficient_funds';

export interface Failure {
  code: FailureCode;
  reason: string;
  /**
   * The provider's own error code when it is not one the engine's code maps to (a code a test forces
   * through the control API, a refusal only that provider knows); its webhooks report this one instead.
   */
  providerCode?: string;
}

export interface GeoLocation {
  latitude: number;
  longitude: number;
  name?: string;
  address?: string;
}

export interface ContactCard {
  name: string;
  phones: string[];
}

export interface MediaSummary {
  format: string;
  kind: string;
  mime: string;
  size: number;
  /** The file name the sender gave (uploads, base64), when there was one. */
  fileName?: string;
}

export interface StatusChange {
  status: MessageStatus;
  at: number;
}

export interface Message {
  /** In the provider's own id format (see ProviderProfile.messageIds); unique in the sandbox. */
  id: string;
  accountId: string;
  /** The line the message went out on or came in to: the account itself, or one of its sessions. */
  lineId: string;
  kind: MessageKind;
  direction: MessageDirection;
  /** The customer's number or group id: the other side of the chat. */
  peer: string;
  from: string;
  to: string;
  text: string;
  mediaUrl: string | null;
  media: MediaSummary | null;
  location: GeoLocation | null;
  contacts: ContactCard[] | null;
  /** Accepted but doomed (e.g. media that could not be fetched): the message fails with this when its turn comes. */
  failAtDispatch: Failure | null;
  status: MessageStatus;
  failure: Failure | null;
  createdAt: number;
  /** A scheduled send: the clock time it joins the send queue (null = at once). */
  sendAt: number | null;
  history: StatusChange[];
  /** For inbound messages: the customer's WhatsApp profile name. */
  profileName: string | null;
  /** Provider-owned data carried verbatim (Devino's callbackUrl and callbackData, say): plain JSON, typed by the provider's StateSlot. */
  providerData: Record<string, unknown> | null;
  /** For inbound messages: the message it replies to (quotes), by id. */
  quotedId?: string;
  /** For outbound messages: the earlier message it deletes for everyone once sent, by id. */
  revokes?: string;
  /** Receipts beyond read, with their clock times: a voice message played, a message deleted for everyone. */
  receipts?: Partial<Record<MessageReceipt, number>>;
  /**
   * For outbound messages: the chaos rule that failed its delivery, or holds it at `stuckAt` (WhatsApp
   * reports nothing past it; a failure still ends it).
   */
  chaos?: ChaosMark & { stuckAt?: 'sent' | 'delivered' };
}

/** What WhatsApp reports about a message after it was read: played (voice and audio), deleted (revoked). */
export type MessageReceipt = 'played' | 'deleted';

/**
 * A linked-device session: what a provider such as Maytapi or Wamessage shows as a phone or device.
 * It waits on a QR code or pairing code until a (virtual) phone links it, loads, then can send.
 */
export type SessionState = 'qr' | 'loading' | 'connected' | 'disconnected';

export interface Session {
  id: string;
  accountId: string;
  /** The provider's own number for it (Maytapi phone id, Wamessage registration id); `link` for an account's link session. */
  label: string;
  /** The transport holding its link to WhatsApp (`simulated`, or one the app passed the engine). */
  transport: string;
  state: SessionState;
  stateSince: number;
  /** The linked WhatsApp number, once a phone has linked it. */
  phone: string | null;
  linkedAt: number | null;
  createdAt: number;
  /** When the current run of QR codes started; codes rotate on the clock from here. */
  qrSince: number;
  /** On the QR screen, it stopped showing codes after the provider's wait without a scan (WhatsApp Web's "reload" screen). */
  idle: boolean;
  /** A pairing code waiting to be typed on the phone. */
  pairing: { code: string; phone: string; expiresAt: number } | null;
}

export interface Contact {
  accountId: string;
  phone: string;
  name: string;
  info: string;
  email: string;
  web: string;
  createdAt: number;
  updatedAt: number;
}

/**
 * A file the sandbox holds because a client uploaded it (multipart, base64) rather than linking it. Its bytes
 * live in the engine's MediaFiles under the same id, until evicted.
 */
export interface StoredMedia {
  id: string;
  accountId: string;
  fileName: string | null;
  mime: string;
  size: number;
  createdAt: number;
}

export type WebhookEventState = 'pending' | 'delivered';

export interface WebhookEvent {
  id: string;
  accountId: string;
  url: string;
  payload: unknown;
  /** Events with the same key reach the receiver in the order they were made (one chat's, say). */
  orderKey: string;
  createdAt: number;
  /** After this clock time an undelivered event is dropped. */
  expiresAt: number;
  state: WebhookEventState;
  attempts: number;
}

/** What a chaos rule left on what it played with (a webhook attempt, a message, a request): the rule and the fault's type. */
export interface ChaosMark {
  rule: string;
  fault: string;
}

export interface WebhookAttempt {
  eventId: string;
  accountId: string;
  url: string;
  at: number;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
  body: unknown;
  /** The chaos rule that played with this attempt (duplicated, delayed, reordered or dropped it). */
  chaos?: ChaosMark;
}

/**
 * An approved WhatsApp Business message template (Meta's HSM) in one language: what a business may send
 * outside the 24-hour customer-service window. `{{1}}`…`{{n}}` in the body are its parameters.
 */
export interface MessageTemplate {
  /** Meta's rule: lowercase letters, digits and underscores. */
  name: string;
  /** Normalised language or locale code: `en`, `ru`, `pt_BR`. */
  language: string;
  /** The body text with its `{{n}}` placeholders. */
  text: string;
  /** How many parameters the body takes (its placeholders are exactly `{{1}}`…`{{n}}`). */
  parameterCount: number;
  updatedAt: number;
}
