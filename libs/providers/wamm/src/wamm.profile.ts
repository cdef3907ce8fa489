import {
  DAY_MS,
  FEATURE_RECEIVE,
  FEATURE_SEND_SEEN,
  MB,
  MOSCOW_UTC_OFFSET_MINUTES,
  StateSlot,
  type MediaFormat,
  type MediaPolicy,
  type ProviderProfile,
} from '#engine';
import { chatNameOf, toMessageWebhook, toStateWebhook } from './wamm.mapper.js';

export const WAMM = 'wamm';

/** The seed: messages sent through the API queue up and leave 5 to 12 seconds apart, in random order of interval. */
export const WAMM_SEND_PACING = { minMs: 5_000, maxMs: 12_000 };

/** The seed: a test account may send at most 30 messages a day through the API. */
export const TEST_ACCOUNT_DAILY_MESSAGES = 30;

/**
 * WAMM sends "a file / picture / voice message and so on" from a public link and names no formats or
 * sizes. WhatsApp's own caps apply: 16 MB for media, 100 MB for documents; any other file goes as a document.
 */
const MEDIA: MediaFormat[] = ['jpeg', 'png', 'gif', 'webp', 'mp3', 'aac', 'ogg', 'amr', 'wav', 'mp4', '3gp'];
const DOCUMENTS: MediaFormat[] = ['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'rar', 'exe', 'apk', 'unknown'];
export const WAMM_MEDIA_POLICY: MediaPolicy = {
  rules: [...MEDIA.map((format) => ({ format, maxBytes: 16 * MB })), ...DOCUMENTS.map((format) => ({ format, maxBytes: 100 * MB }))],
};

/**
 * Ids are one series for sent and received messages (the seed's `1xxxxxx`, seven digits): sent messages
 * take the even numbers from 1000000, received ones the odd, so neither series can run into the other.
 */
const messageIds: NonNullable<ProviderProfile['messageIds']> = {
  outbound: { start: 500_000, format: (n) => String(2 * n) },
  inbound: { start: 500_000, format: (n) => String(2 * n + 1) },
};

export const wammProfile: ProviderProfile = {
  name: WAMM,
  // WAMM is a shared WhatsApp inbox: incoming messages always arrive; it does not mark them read for you.
  featureDefaults: { [FEATURE_RECEIVE]: true, [FEATURE_SEND_SEEN]: false },
  lineCountryCode: '7',
  sendPacing: WAMM_SEND_PACING,
  messageIds,
  limits: { dailyMessages: TEST_ACCOUNT_DAILY_MESSAGES },
  // WAMM is a Moscow service: its dates and its day (for the daily cap) are Moscow time.
  utcOffsetMinutes: MOSCOW_UTC_OFFSET_MINUTES,
  webhooks: {
    retentionMs: DAY_MS,
    retryDelaysMs: [10_000, 60_000, 300_000],
  },
  async toWebhooks(event, account, world) {
    const url = account.webhookUrl;
    if (!url || event.type === 'session.status') return [];
    const { message } = event;
    const state = { url, payload: toStateWebhook(message) };
    // A sent message is announced as a "msg" too when it leaves the line (integrations log outgoing
    // messages from it), before its first state change.
    if (event.type === 'message.status' && message.status !== 'sent') return [state];
    const contact = await world.contacts.get(account, message.peer);
    const chatName = chatNameOf(message, contact?.name, (phone) => world.customers.profileName(phone));
    const row = { url, payload: toMessageWebhook(message, chatName, account.linePhone) };
    return event.type === 'message.status' ? [row, state] : [row];
  },
};

/** What WAMM keeps on an account: the clock time each started slow WhatsApp check ends, by number. */
export interface WammAccountState {
  whatsappChecksReadyAt: Record<string, number>;
}

export const WAMM_ACCOUNT = new StateSlot<WammAccountState>({ whatsappChecksReadyAt: {} });
