import { FEATURE_RECEIVE, FEATURE_SEND_SEEN, HOUR_MS, MB, type MediaPolicy, type ProviderProfile } from '#engine';
import { deliveryOf, formatSentDate, toReceivedItem } from './wamessenger.mapper.js';

export const WAMESSENGER = 'wamessenger';

/** The seed: receive and sendSeen changes take about 30 seconds to take effect. */
export const SWITCH_DELAY_MS = 30_000;

/**
 * The seed's media rules: files and documents up to 100 MB; audio, image and video up to 16 MB;
 * OGG only with Opus; MP4 only with an audio track. JPEG and PNG are not in the seed's list but its own
 * example sends a JPEG, so both are accepted as images.
 */
export const WAMESSENGER_MEDIA_POLICY: MediaPolicy = {
  rules: [
    { format: 'jpeg', maxBytes: 16 * MB },
    { format: 'png', maxBytes: 16 * MB },
    { format: 'mp3', maxBytes: 16 * MB },
    { format: 'aac', maxBytes: 16 * MB },
    { format: 'ogg', maxBytes: 16 * MB, audioCodecs: ['opus'] },
    { format: '3gp', maxBytes: 16 * MB },
    { format: 'mp4', maxBytes: 16 * MB, requireAudioTrack: true },
    ...(['pdf', 'xls', 'xlsx', 'doc', 'docx', 'ppt', 'pptx', 'amr', 'wav', 'gif', 'webp', 'zip', 'rar', 'exe', 'apk'] as const).map((format) => ({
      format,
      maxBytes: 100 * MB,
    })),
  ],
};

export const wamessengerProfile: ProviderProfile = {
  name: WAMESSENGER,
  featureDefaults: { [FEATURE_RECEIVE]: false, [FEATURE_SEND_SEEN]: false },
  lineCountryCode: '98',
  // WaMessenger's numbering: eight digits for sent messages, seven for received ones.
  messageIds: { outbound: { start: 80_000_000 }, inbound: { start: 3_800_000 } },
  webhooks: {
    // The seed: undelivered webhook messages stay queued up to 48 hours for webhook/resend.
    retentionMs: 48 * HOUR_MS,
    retryDelaysMs: [10_000, 60_000, 300_000],
  },
  toWebhooks(event, account) {
    const url = account.webhookUrl;
    // WaMessenger has no visible session, so only message events become webhooks.
    if (!url || event.type === 'session.status') return [];
    const { message } = event;
    if (event.type === 'message.received') return [{ url, payload: { ...toReceivedItem(message), hash: account.key } }];
    const delivery = deliveryOf(message);
    if (!delivery) return [];
    return [
      {
        url,
        payload: {
          type: 'delivery',
          hash: account.key,
          id: message.id,
          phonenumber: message.peer,
          delivery: delivery.code,
          status: delivery.word,
          date: formatSentDate(message.history[message.history.length - 1]!.at),
        },
      },
    ];
  },
};
