import { isJidGroup, isPnUser, jidDecode, normalizeMessageContent, type proto, type WAMessage, type WAMessageKey } from '@whiskeysockets/baileys';
import type { ContactCard, InboundMessage } from '#engine';

/** What a received WhatsApp message says, before its file is downloaded and its quote looked up. */
export interface ReadInbound {
  message: Omit<InboundMessage, 'mediaUrl' | 'media' | 'quotedId' | 'lineId'>;
  /** The file to download, when it carries one. */
  media: { mime: string; fileName: string | null } | null;
  /** The WhatsApp id of the message it quotes (or reacts to). */
  quotedWaId: string | null;
}

/** The engine's number for a WhatsApp user id: its digits (`905551234567@s.whatsapp.net` → `905551234567`). */
export const numberOf = (jid: string): string => jidDecode(jid)?.user ?? jid;

/** The WhatsApp id the engine's peer (a number, or a group id) is. */
export const jidOf = (peer: string): string => (peer.includes('@') ? peer : `${peer.replace(/\D/g, '')}@s.whatsapp.net`);

/**
 * WhatsApp now names senders by LID (`…@lid`, a privacy id) and gives the phone number alongside
 * (`remoteJidAlt`, `participantAlt`) when it knows it; the engine speaks phone numbers.
 */
function senderOf(key: WAMessageKey): string {
  const group = isJidGroup(key.remoteJid ?? undefined);
  const [id, alt] = group ? [key.participant, key.participantAlt] : [key.remoteJid, key.remoteJidAlt];
  return numberOf((isPnUser(alt ?? undefined) ? alt : id) ?? '');
}

/** A received message as the engine takes it; null for what is not a message to the line (protocol messages, edits, poll votes). */
export function readInbound(received: WAMessage): ReadInbound | null {
  const content = normalizeMessageContent(received.message);
  if (!content || !received.key.remoteJid) return null;
  const chat = isJidGroup(received.key.remoteJid) ? { chat: received.key.remoteJid } : {};
  const base = { from: senderOf(received.key), profileName: received.pushName ?? null, ...chat };
  const quotedOf = (context: proto.IContextInfo | null | undefined) => context?.stanzaId ?? null;

  if (content.conversation) return { message: { ...base, kind: 'text', text: content.conversation }, media: null, quotedWaId: null };
  if (content.extendedTextMessage?.text) {
    const { text, contextInfo } = content.extendedTextMessage;
    return { message: { ...base, kind: 'text', text }, media: null, quotedWaId: quotedOf(contextInfo) };
  }
  const media = content.imageMessage ?? content.videoMessage ?? content.audioMessage ?? content.documentMessage ?? content.stickerMessage;
  if (media) {
    const caption = 'caption' in media ? (media.caption ?? '') : '';
    const fileName = 'fileName' in media ? (media.fileName ?? null) : null;
    return {
      message: { ...base, kind: content.stickerMessage ? 'sticker' : 'media', text: caption },
      media: { mime: media.mimetype ?? 'application/octet-stream', fileName },
      quotedWaId: quotedOf(media.contextInfo),
    };
  }
  if (content.locationMessage) {
    const { degreesLatitude, degreesLongitude, name, address, contextInfo } = content.locationMessage;
    return {
      message: {
        ...base,
        kind: 'location',
        text: name ?? '',
        location: { latitude: degreesLatitude ?? 0, longitude: degreesLongitude ?? 0, ...(name ? { name } : {}), ...(address ? { address } : {}) },
      },
      media: null,
      quotedWaId: quotedOf(contextInfo),
    };
  }
  const cards = content.contactMessage ? [content.contactMessage] : (content.contactsArrayMessage?.contacts ?? []);
  if (cards.length > 0) {
    const contacts = cards.map(cardOf);
    return { message: { ...base, kind: 'contacts', text: '', contacts }, media: null, quotedWaId: quotedOf(content.contactMessage?.contextInfo) };
  }
  if (content.reactionMessage?.text) {
    return { message: { ...base, kind: 'reaction', text: content.reactionMessage.text }, media: null, quotedWaId: content.reactionMessage.key?.id ?? null };
  }
  return null;
}

/** A vCard's name and phone numbers (its `waid`s when WhatsApp wrote them, else the TEL values' digits). */
function cardOf(contact: proto.Message.IContactMessage): ContactCard {
  const lines = (contact.vcard ?? '').split(/\r?\n/);
  const fullName = lines.find((line) => line.startsWith('FN:'))?.slice(3);
  const phones = lines
    .filter((line) => line.startsWith('TEL'))
    .map((line) => /waid=(\d+)/.exec(line)?.[1] ?? line.slice(line.lastIndexOf(':') + 1).replace(/\D/g, ''))
    .filter((phone) => phone !== '');
  return { name: contact.displayName ?? fullName ?? '', phones };
}
