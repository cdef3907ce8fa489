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
}

export type MessageStatus = 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';
export type MessageDirection = 'outbound' | 'inbound';

export interface MediaSummary {
  format: string;
  kind: string;
  mime: string;
  size: number;
}

export interface StatusChange {
  status: MessageStatus;
  at: number;
}

export interface Message {
  /** Decimal digits, unique in the sandbox. */
  id: string;
  accountId: string;
  direction: MessageDirection;
  /** The customer's number or group id: the other side of the chat. */
  peer: string;
  from: string;
  to: string;
  text: string;
  mediaUrl: string | null;
  media: MediaSummary | null;
  /** Set when the media could not be fetched at send time: the message fails when its turn comes. */
  mediaError: string | null;
  status: MessageStatus;
  failureReason: string | null;
  createdAt: number;
  history: StatusChange[];
  /** For inbound messages: the customer's WhatsApp profile name. */
  profileName: string | null;
}

export type WebhookEventState = 'pending' | 'delivered';

export interface WebhookEvent {
  id: string;
  accountId: string;
  url: string;
  payload: unknown;
  createdAt: number;
  /** After this clock time an undelivered event is dropped. */
  expiresAt: number;
  state: WebhookEventState;
  attempts: number;
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
}

export interface RequestRecord {
  id: number;
  at: number;
  method: string;
  url: string;
  path: string;
  provider: string | null;
  status: number;
  durationMs: number;
}
