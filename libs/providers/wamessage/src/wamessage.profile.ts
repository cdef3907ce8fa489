import { DAY_MS, MB, StateSlot, TURKEY_UTC_OFFSET_MINUTES, type MediaPolicy, type ProviderProfile } from '#engine';
import type { DeviceRecord } from './wamessage.mapper.js';

export const WAMESSAGE = 'wamessage';

/**
 * Inferred: the seed accepts a `file` upload without naming limits, so WhatsApp's own limits apply:
 * images 5 MB, audio and video 16 MB, anything else goes as a document up to 100 MB (WhatsApp sends any
 * file as a document, so a format the sandbox cannot name, such as text or CSV, is a document too).
 */
export const WAMESSAGE_MEDIA_POLICY: MediaPolicy = {
  rules: [
    ...(['jpeg', 'png', 'gif', 'webp'] as const).map((format) => ({ format, maxBytes: 5 * MB })),
    ...(['mp3', 'aac', 'ogg', 'amr', 'mp4', '3gp'] as const).map((format) => ({ format, maxBytes: 16 * MB })),
    ...(['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'wav', 'zip', 'rar', 'exe', 'apk', 'unknown'] as const).map((format) => ({
      format,
      maxBytes: 100 * MB,
    })),
  ],
};

export const wamessageProfile: ProviderProfile = {
  name: WAMESSAGE,
  featureDefaults: {},
  lineCountryCode: '90',
  sessionApi: true,
  // Wamessage is a Turkish service: `send_time` is read, and times are shown, in Turkey's time.
  // Inferred: the seed gives the format but no time zone.
  utcOffsetMinutes: TURKEY_UTC_OFFSET_MINUTES,
  // Inferred: the seed shows no message id; ten-digit numbers keep Wamessage's ids apart from other providers'.
  messageIds: { outbound: { start: 1_000_000_001 }, inbound: { start: 2_000_000_001 } },
  webhooks: { retentionMs: DAY_MS, retryDelaysMs: [] },
  // Wamessage documents no webhooks: clients learn nothing after "Mesaj gönderildi".
  toWebhooks: () => [],
};

/** What Wamessage keeps about a user on the engine account (whose key is the login phone). */
export interface UserState {
  /** Null on an account no sign-up made (one the control API created, say): it has no user to log in as. */
  userId: number | null;
  passwordHash: string | null;
  name: string | null;
  email: string | null;
  /** Devices a logincontrol call saw connected, by registration id. */
  devices: Record<string, DeviceRecord>;
}

export const WAMESSAGE_USER = new StateSlot<UserState>({ userId: null, passwordHash: null, name: null, email: null, devices: {} });
