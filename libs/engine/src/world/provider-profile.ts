import type { EngineEvent } from '../events.js';
import type { DurationRange } from '../random.js';
import type { Account, AccountLimits, Message, MessageKind } from '../store/models.js';
import type { ContactBook } from './contacts.js';
import type { CustomerDirectory } from './customers.js';

/** A webhook a provider wants sent for an engine event, in its own wire shape. */
export interface OutgoingWebhook {
  url: string;
  payload: unknown;
  /**
   * Collect payloads with the same key for a window of clock time and send them as one call
   * (acks sent as one array every few seconds, say). The window opens with the first payload.
   */
  batch?: WebhookBatch;
}

export interface WebhookBatch {
  key: string;
  windowMs: number;
  /**
   * Builds the one body sent for the collected payloads, in arrival order. It must place the array it is
   * given as it is (on a shared store it is first given a placeholder array, replaced later).
   */
  wrap(payloads: unknown[]): unknown;
}

/** What a profile may look up while it builds webhooks (WAMM names a chat after the saved contact). */
export interface WebhookWorld {
  contacts: ContactBook;
  /** Customers' WhatsApp profile names, for payloads that name the chat of a sent message. */
  customers: CustomerDirectory;
  /** Messages by id (a reply's quoted message). */
  message(id: string): Promise<Message | undefined>;
}

/** How a provider numbers messages: the n-th id (n counts from `start`) as its wire string. */
export interface MessageIdFormat {
  start: number;
  format?(n: number): string;
}

/**
 * What a provider tells the engine about itself. The engine stays provider-agnostic: wire shapes,
 * retention periods and defaults come from here.
 */
export interface ProviderProfile {
  name: string;
  /** Feature switches every new account starts with (receive off until the account turns it on, say). */
  featureDefaults: Record<string, boolean>;
  /** Calling code used to make up a line number for a new account (e.g. '98' for Iran). */
  lineCountryCode: string;
  webhooks: {
    /** How long an undelivered event is kept for redelivery. */
    retentionMs: number;
    /** Automatic retries after a failed attempt; after the last one the event waits for a resend. */
    retryDelaysMs: number[];
  };
  /** Time between two messages leaving one line; the engine's default when absent. */
  sendPacing?: DurationRange;
  /** How the provider numbers sent and received messages (ids are unique sandbox-wide, so the series must not meet another provider's). */
  messageIds: { outbound: MessageIdFormat; inbound: MessageIdFormat };
  /** Caps every new account starts with (the control API can change an account's). */
  limits?: Partial<AccountLimits>;
  /** The kinds of message the per-second cap counts and applies to (WhatsApp's 15 a second is for templates); every kind when absent. */
  rateLimitedKinds?: MessageKind[];
  /** The kinds of message that cost one unit of the account's balance as they leave; every kind when absent. */
  billedKinds?: MessageKind[];
  /** Same content to the same recipient again within this much clock time is accepted and fails as a `duplicate` at its turn; no check when absent. */
  duplicateWindowMs?: number;
  /** The provider's own failure codes, which the control API may force on a message; it forces none when absent. */
  failureCodes?: readonly string[];
  /** The provider's time zone, in minutes east of UTC: where its day begins for daily caps. */
  utcOffsetMinutes?: number;
  /**
   * The provider's API creates and links its own sessions (Maytapi's phones, Wamessage's devices); the
   * accounts of the others send on their own line, linked to a phone through the control API.
   */
  sessionApi?: boolean;
  /** How long a freshly linked or restarted session loads before it can send; the engine's default when absent. */
  sessionLoading?: DurationRange;
  /** Whether toWebhooks also gets 'message.receipt' events (played, deleted); off when absent. */
  receipts?: boolean;
  /**
   * How long a new session loads before it shows its first QR code (WhatsApp Web starting up); at once
   * when absent.
   */
  sessionStartup?: DurationRange;
  /** The QR screen gives up after this long without a scan (the session is then idle); never when absent. */
  qrIdleAfterMs?: number;
  /** Translates an engine event into this provider's webhook calls (none when it has no subscriber). */
  toWebhooks(event: EngineEvent, account: Account, world: WebhookWorld): OutgoingWebhook[] | Promise<OutgoingWebhook[]>;
}
