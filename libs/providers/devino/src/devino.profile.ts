import {
  FEATURE_RECEIVE,
  FEATURE_SEND_SEEN,
  HOUR_MS,
  MB,
  MINUTE_MS,
  MOSCOW_UTC_OFFSET_MINUTES,
  type MediaFormat,
  type MediaPolicy,
  type MediaRule,
  type ProviderProfile,
} from '#engine';
import { callbackOf, DEVINO_ERROR_CODES, toIncomingMessage, toStatusCallback } from './devino.mapper.js';

export const DEVINO = 'devino';

/** The first message id is the seed's own example id; ids count up from it, beyond 2^53, so they are handled as BigInt. */
const FIRST_MESSAGE_ID = 3_482_512_350_952_730_368n;

/** WhatsApp's limit the seed quotes: 15 template messages (HSM) a second. Free text is not capped. */
export const DEVINO_MESSAGES_PER_SECOND = 15;

/**
 * The same text to the same recipient again within 10 clock-minutes fails as a duplicate (2009). The
 * seed names the code but not the window: long enough to catch a client's accidental resend, short
 * enough that a reminder repeated the next hour goes out.
 */
export const DEVINO_DUPLICATE_WINDOW_MS = 10 * MINUTE_MS;

/** How the seed sorts media, by the MIME type the sender declares in `contentType`. */
export type DevinoMediaClass = 'image' | 'video' | 'audio' | 'voice' | 'document';

const IMAGE: MediaRule[] = (['jpeg', 'png', 'gif'] as const).map((format) => ({ format, maxBytes: 16 * MB }));
const VIDEO: MediaRule[] = (['mp4', '3gp'] as const).map((format) => ({ format, maxBytes: 5 * MB, videoCodecs: ['h264'], audioCodecs: ['aac'] }));
const AUDIO: MediaRule[] = [{ format: 'ogg', maxBytes: 16 * MB, audioCodecs: ['opus'] }];
const VOICE: MediaRule[] = [{ format: 'ogg', maxBytes: 16 * MB }];
const EVERY_FORMAT: MediaFormat[] = [
  'jpeg',
  'png',
  'gif',
  'webp',
  'mp3',
  'aac',
  'ogg',
  'amr',
  'wav',
  'mp4',
  '3gp',
  'pdf',
  'doc',
  'docx',
  'xls',
  'xlsx',
  'ppt',
  'pptx',
  'zip',
  'rar',
  'exe',
  'apk',
  'unknown',
];
const DOCUMENT: MediaRule[] = EVERY_FORMAT.map((format) => ({ format, maxBytes: 100 * MB }));

/**
 * The seed's media table: image 16 MB (GIF allowed, WhatsApp turns it into MP4); video 5 MB, H.264 and
 * AAC only; audio 16 MB, Opus only; voice (`audio/ogg`) an .ogg up to 16 MB; a document any file up to
 * 100 MB. The file itself must be of the declared class, or WhatsApp refuses it (error 2303).
 */
export const DEVINO_MEDIA_POLICIES: Record<DevinoMediaClass, MediaPolicy> = {
  image: { rules: IMAGE },
  video: { rules: VIDEO },
  audio: { rules: AUDIO },
  voice: { rules: VOICE },
  document: { rules: DOCUMENT },
};

/** Without a declared type the file's own kind decides: the class rules first, anything else as a document. */
export const DEVINO_UNDECLARED_MEDIA_POLICY: MediaPolicy = {
  rules: [...IMAGE, ...VIDEO, ...AUDIO, ...DOCUMENT.filter((rule) => !['jpeg', 'png', 'gif', 'mp4', '3gp', 'ogg'].includes(rule.format))],
};

/** `audio/ogg` exactly is a voice message; other audio (such as `audio/ogg; codecs=opus`) is audio. */
export function mediaClassOf(contentType: string): DevinoMediaClass {
  const [essence = '', ...parameters] = contentType
    .toLowerCase()
    .split(';')
    .map((part) => part.trim());
  const [type] = essence.split('/');
  if (type === 'image') return 'image';
  if (type === 'video') return 'video';
  if (essence === 'audio/ogg' && parameters.length === 0) return 'voice';
  if (type === 'audio') return 'audio';
  return 'document';
}

export const devinoProfile: ProviderProfile = {
  name: DEVINO,
  // Receiving is on: incoming messages go to the account's incoming URL once one is set.
  featureDefaults: { [FEATURE_RECEIVE]: true, [FEATURE_SEND_SEEN]: false },
  lineCountryCode: '7',
  webhooks: {
    // Devino's older API retries status callbacks for 24 hours.
    retentionMs: 24 * HOUR_MS,
    retryDelaysMs: [10_000, 60_000, 5 * MINUTE_MS, 15 * MINUTE_MS, HOUR_MS, 3 * HOUR_MS, 6 * HOUR_MS, 12 * HOUR_MS],
  },
  // A business API, not a phone: messages leave quickly, one line at a time.
  sendPacing: { minMs: 20, maxMs: 100 },
  messageIds: {
    outbound: { start: 0, format: (n) => String(FIRST_MESSAGE_ID + BigInt(n)) },
    // Below 2^53, so incoming ids travel as exact JSON numbers (the seed types them long).
    inbound: { start: 100_000_000_001 },
  },
  limits: { perSecond: DEVINO_MESSAGES_PER_SECOND },
  rateLimitedKinds: ['template'],
  // The seed: a business pays for the conversations it starts (templates); replies in a window the customer opened are free.
  billedKinds: ['template'],
  duplicateWindowMs: DEVINO_DUPLICATE_WINDOW_MS,
  failureCodes: DEVINO_ERROR_CODES,
  // Devino is a Moscow company: its day (for daily caps) is Moscow's.
  utcOffsetMinutes: MOSCOW_UTC_OFFSET_MINUTES,
  toWebhooks(event, account) {
    if (event.type === 'session.status') return [];
    const { message } = event;
    if (event.type === 'message.received') return account.webhookUrl ? [{ url: account.webhookUrl, payload: toIncomingMessage(message) }] : [];
    const callback = callbackOf(message);
    const item = toStatusCallback(message);
    return callback.url && item ? [{ url: callback.url, payload: [item] }] : [];
  },
};
