import { FEATURE_RECEIVE, type MediaPolicy, type OutgoingWebhook, type ProviderProfile } from '#engine';
import { ACKS, inboundId, outboundId, phoneStatus, toAck, toMessageEvent, toStatusEvent } from './maytapi.mapper.js';
import { deliveryTarget, phoneIdOfSession } from './maytapi.product.js';

export const MAYTAPI = 'maytapi';

/** The seed: "Acknowledge messages are checked in every 2 seconds" and sent as one array. */
export const ACK_BATCH_MS = 2_000;

const MB = 1024 * 1024;

/**
 * The spec's media list: images, audio (OGG only in the Opus codec), video, and documents "pdf, docx, etc."
 * (its own example sends a .txt, so any other file goes as a document). WhatsApp's own caps: 16 MB for
 * media, 100 MB for documents.
 */
export const MAYTAPI_MEDIA_POLICY: MediaPolicy = {
  rules: [
    ...(['jpeg', 'png', 'gif', 'webp', 'mp3', 'aac', 'amr', 'wav', 'mp4', '3gp'] as const).map((format) => ({ format, maxBytes: 16 * MB })),
    { format: 'ogg', maxBytes: 16 * MB, audioCodecs: ['opus'] },
    ...(['pdf', 'doc', 'docx', 'xls', 'xlsx', 'ppt', 'pptx', 'zip', 'rar', 'exe', 'apk', 'unknown'] as const).map((format) => ({
      format,
      maxBytes: 100 * MB,
    })),
  ],
};

/** The seed: "if the media is an image under 1MB, then its base64 text can be also given". */
export const BASE64_IMAGE_POLICY: MediaPolicy = {
  rules: (['jpeg', 'png', 'gif', 'webp'] as const).map((format) => ({ format, maxBytes: MB })),
};

export const maytapiProfile: ProviderProfile = {
  name: MAYTAPI,
  // Every incoming message reaches the webhook: Maytapi has no receive switch.
  featureDefaults: { [FEATURE_RECEIVE]: true },
  lineCountryCode: '90',
  webhooks: {
    retentionMs: 24 * 60 * 60 * 1000,
    retryDelaysMs: [5_000, 30_000, 120_000],
  },
  messageIds: { outbound: { start: 1, format: outboundId }, inbound: { start: 1, format: inboundId } },
  toWebhooks(event, account) {
    const sessionId = event.type === 'session.status' ? event.session.id : event.message.lineId;
    const phoneId = phoneIdOfSession(account, sessionId);
    // Only a product's phones have a Maytapi face; nothing is sent for the account's own line.
    if (phoneId === undefined) return [];
    const target = deliveryTarget(account, phoneId);
    const url = target.url;
    if (!url) return [];
    if (event.type === 'session.status') {
      return [{ url, payload: toStatusEvent(account, phoneId, phoneStatus(event.session, event.session.stateSince)) }];
    }
    const { message } = event;
    if (event.type === 'message.received') return [{ url, payload: toMessageEvent(account, phoneId, message) }];
    const hooks: OutgoingWebhook[] = [];
    // A message the phone sent is also a message in the chat: Maytapi posts it with fromMe true (the spec's
    // logs example shows one), which is why its example client skips fromMe messages.
    if (message.status === 'sent') hooks.push({ url, payload: toMessageEvent(account, phoneId, message) });
    const ack = message.status === 'sent' || message.status === 'delivered' || message.status === 'read' ? ACKS[message.status] : null;
    if (ack && target.acks) {
      hooks.push({
        url,
        payload: toAck(message, ack),
        batch: { key: 'ack', windowMs: ACK_BATCH_MS, wrap: (data) => ({ type: 'ack', product_id: account.key, data }) },
      });
    }
    return hooks;
  },
};
