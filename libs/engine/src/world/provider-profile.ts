import type { EngineEvent } from '../events.js';
import type { Account } from '../store/models.js';

/** A webhook a provider wants sent for an engine event, in its own wire shape. */
export interface OutgoingWebhook {
  url: string;
  payload: unknown;
}

/**
 * What a provider tells the engine about itself. The engine stays provider-agnostic: wire shapes,
 * retention periods and defaults come from here.
 */
export interface ProviderProfile {
  name: string;
  /** Feature switches every new account starts with (e.g. WaMessenger: receive off). */
  featureDefaults: Record<string, boolean>;
  /** Calling code used to make up a line number for a new account (e.g. '98' for Iran). */
  lineCountryCode: string;
  webhooks: {
    /** How long an undelivered event is kept for redelivery. */
    retentionMs: number;
    /** Automatic retries after a failed attempt; after the last one the event waits for a resend. */
    retryDelaysMs: number[];
  };
  /** Translates an engine event into this provider's webhook calls (none when it has no subscriber). */
  toWebhooks(event: EngineEvent, account: Account): OutgoingWebhook[];
}
