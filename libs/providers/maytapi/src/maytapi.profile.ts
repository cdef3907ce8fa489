import { DAY_MS, FEATURE_RECEIVE, MB, type MediaPolicy, type Message, type OutgoingWebhook, type ProviderProfile, type WebhookWorld } from '#engine';
import { ACKS, engineIdOf, IDLE_AFTER_MS, inboundId, outboundId, phoneStatus, toAck, toMessageEvent, toStatusEvent } from './maytapi.mapper.js';
import { deliveryTarget, MAYTAPI_MESSAGE, phoneIdOfSession } from './maytapi.product.js';

export const MAYTAPI = 'maytapi';

/** The seed: "Acknowledge messages are checked in every 2 seconds" and sent as one array. */
export const ACK_BATCH_MS = 2_000;

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
    retentionMs: DAY_MS,
    retryDelaysMs: [5_000, 30_000, 120_000],
  },
  messageIds: { outbound: { start: 1, format: outboundId }, inbound: { start: 1, format: inboundId } },
  // Played (4) and deleted (5) acks.
  receipts: true,
  // The seed: "loading if the session is loading before the qr-screen"; how long is not said.
  sessionApi: true,
  sessionStartup: { minMs: 1_000, maxMs: 3_000 },
  qrIdleAfterMs: IDLE_AFTER_MS,
  async toWebhooks(event, account, world) {
    // Every Maytapi session is a phone, labelled with its id (a new one is announced before addPhone records it).
    const phoneId = event.type === 'session.status' ? event.session.label : phoneIdOfSession(account, event.message.lineId);
    // Only a product's phones have a Maytapi face; nothing is sent for the account's own line.
    if (phoneId === undefined) return [];
    const target = deliveryTarget(account, phoneId);
    const url = target.url;
    if (!url) return [];
    if (event.type === 'session.status') return [{ url, payload: toStatusEvent(account, phoneId, phoneStatus(event.session)) }];
    const { message } = event;
    const ackBatch = { key: 'ack', windowMs: ACK_BATCH_MS, wrap: (data: unknown[]) => ({ type: 'ack', product_id: account.key, data }) };
    if (event.type === 'message.receipt') return target.acks ? [{ url, payload: toAck(message, ACKS[event.receipt], event.at), batch: ackBatch }] : [];
    if (event.type === 'message.received') return [{ url, payload: toMessageEvent(account, phoneId, message, await quotedBy(message, world)) }];
    const hooks: OutgoingWebhook[] = [];
    // A message the phone sent is also a message in the chat: Maytapi posts it with fromMe true (the spec's
    // logs example shows one), which is why its example client skips fromMe messages.
    if (message.status === 'sent') hooks.push({ url, payload: toMessageEvent(account, phoneId, message, await quotedBy(message, world)) });
    const ack = message.status === 'sent' || message.status === 'delivered' || message.status === 'read' ? ACKS[message.status] : null;
    if (ack && target.acks) hooks.push({ url, payload: toAck(message, ack), batch: ackBatch });
    return hooks;
  },
};

/** The message a reply quotes: an incoming one's, or the `reply_to` of one the phone sent. */
async function quotedBy(message: Message, world: WebhookWorld): Promise<Message | undefined> {
  const { replyTo } = MAYTAPI_MESSAGE.read(message.providerData);
  const id = message.quotedId ?? (typeof replyTo === 'string' ? engineIdOf(replyTo) : undefined);
  return id === undefined ? undefined : world.message(id);
}
