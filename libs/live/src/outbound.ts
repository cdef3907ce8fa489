import type { AnyMessageContent, WAMediaUpload, WAMessageKey } from '@whiskeysockets/baileys';
import type { ContactCard, Message } from '#engine';

/** What an outbound message needs besides itself: its file, and the WhatsApp key of a message it deletes. */
export interface OutboundParts {
  /** The file's bytes when the sandbox holds them (an upload, a fetched link); null sends the link for Baileys to fetch. */
  mediaBytes: Uint8Array | null;
  /** The key of the message `revokes` names, when this sandbox sent it. */
  revokedKey?: WAMessageKey;
}

export type OutboundContent = { ok: true; content: AnyMessageContent } | { ok: false; reason: string };

/**
 * The WhatsApp message an engine message becomes, from what the engine's model carries. A reaction's
 * target, a poll's options and an edit's target are not in the model (Maytapi keeps them in its own
 * providerData, which the transport does not read): such messages fail with a reason saying so.
 */
export function toWhatsApp(message: Message, parts: OutboundParts): OutboundContent {
  if (message.revokes !== undefined) {
    return parts.revokedKey
      ? { ok: true, content: { delete: parts.revokedKey } }
      : { ok: false, reason: `the message it deletes (${message.revokes}) was not sent through this session` };
  }
  switch (message.kind) {
    case 'location': {
      const { location } = message;
      if (!location) return { ok: false, reason: 'a location message without a location' };
      return {
        ok: true,
        content: {
          location: {
            degreesLatitude: location.latitude,
            degreesLongitude: location.longitude,
            ...(location.name !== undefined ? { name: location.name } : {}),
            ...(location.address !== undefined ? { address: location.address } : {}),
          },
        },
      };
    }
    case 'contacts': {
      const cards = message.contacts ?? [];
      if (cards.length === 0) return { ok: false, reason: 'a contacts message without contacts' };
      return {
        ok: true,
        content: {
          contacts: {
            ...(cards.length === 1 ? { displayName: cards[0]!.name } : { displayName: `${cards.length} contacts` }),
            contacts: cards.map((card) => ({ displayName: card.name, vcard: vcardOf(card) })),
          },
        },
      };
    }
    case 'reaction':
      return { ok: false, reason: "the engine's message model does not carry the message a reaction answers" };
    case 'poll':
      return { ok: false, reason: "the engine's message model does not carry a poll's options" };
    default:
      if (message.mediaUrl !== null || message.media !== null) return mediaContent(message, parts.mediaBytes);
      if (message.text === '') return { ok: false, reason: `a ${message.kind} message with nothing WhatsApp can carry` };
      // Links, templates (their filled-in body) and other kinds with text go as text; WhatsApp draws a link's preview.
      return { ok: true, content: { text: message.text } };
  }
}

function mediaContent(message: Message, bytes: Uint8Array | null): OutboundContent {
  const upload: WAMediaUpload | null = bytes
    ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
    : message.mediaUrl
      ? { url: message.mediaUrl }
      : null;
  if (!upload) return { ok: false, reason: 'the media file is gone' };
  const media = message.media;
  const mimetype = media?.mime;
  const caption = message.text !== '' ? { caption: message.text } : {};
  const typed = mimetype ? { mimetype } : {};
  switch (media?.kind) {
    case 'image':
      // WhatsApp shows a WebP sent on its own as a sticker, as its apps do.
      if (message.kind === 'sticker') return { ok: true, content: { sticker: upload, ...typed } };
      return { ok: true, content: { image: upload, ...caption, ...typed } };
    case 'video':
      return { ok: true, content: { video: upload, ...caption, ...typed } };
    case 'audio':
      // A voice note is OGG/Opus (WhatsApp records nothing else); the summary does not carry the codec, and
      // the providers' policies admit OGG only as Opus, so an OGG file goes as a voice note.
      return { ok: true, content: { audio: upload, ...(media.format === 'ogg' ? { ptt: true, mimetype: 'audio/ogg; codecs=opus' } : typed) } };
    default:
      return {
        ok: true,
        content: {
          document: upload,
          mimetype: mimetype ?? 'application/octet-stream',
          fileName: media?.fileName ?? fileNameOf(message.mediaUrl) ?? 'file',
          ...caption,
        },
      };
  }
}

function fileNameOf(url: string | null): string | undefined {
  if (!url) return undefined;
  try {
    const name = new URL(url).pathname.split('/').pop();
    return name ? decodeURIComponent(name) : undefined;
  } catch {
    return undefined;
  }
}

/** A vCard 3.0 WhatsApp reads: each phone with its `waid`, the number WhatsApp opens a chat with. */
export function vcardOf(card: ContactCard): string {
  const phones = card.phones.map((phone) => {
    const digits = phone.replace(/\D/g, '');
    return `TEL;type=CELL;type=VOICE;waid=${digits}:+${digits}`;
  });
  return ['BEGIN:VCARD', 'VERSION:3.0', `FN:${escapeVcard(card.name)}`, ...phones, 'END:VCARD'].join('\n');
}

const escapeVcard = (text: string) =>
  text
    .replace(/\\/g, '\\\\')
    .replace(/\n/g, '\\n')
    .replace(/([,;])/g, '\\$1');
