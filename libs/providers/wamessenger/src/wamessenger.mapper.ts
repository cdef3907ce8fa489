import type { Message } from '#engine';

/** Wire-format output: engine records in WaMessenger's shapes, field order and date formats. */

export const PAGE_SIZE = 100;

/** WaMessenger is an Iranian service and reports local time; Iran has kept +03:30 all year since 2022. */
const TEHRAN_OFFSET_MS = (3 * 60 + 30) * 60 * 1000;

/** `2022-08-29 21:52:05` for sent-message reports. */
export function formatSentDate(ms: number): string {
  return formatTehran(ms, '-');
}

/** `2022/08/29 21:54:18` for received messages: the seed uses slashes there. */
export function formatReceivedDate(ms: number): string {
  return formatTehran(ms, '/');
}

function formatTehran(ms: number, separator: string): string {
  const iso = new Date(ms + TEHRAN_OFFSET_MS).toISOString();
  return `${iso.slice(0, 4)}${separator}${iso.slice(5, 7)}${separator}${iso.slice(8, 10)} ${iso.slice(11, 19)}`;
}

const DELIVERY: Partial<Record<Message['status'], { code: 1 | 2 | 3; word: 'server' | 'phone' | 'read' }>> = {
  sent: { code: 1, word: 'server' },
  delivered: { code: 2, word: 'phone' },
  read: { code: 3, word: 'read' },
};

export function deliveryOf(message: Message) {
  return DELIVERY[message.status];
}

export interface StatusReport {
  status: 'OK' | 'pending' | 'failed';
  statusInfo: string;
  id: string;
  phonenumber: string;
  text: string;
  created: string;
  execute: string;
  delivery: '' | 'server' | 'phone' | 'read';
}

export function toStatusReport(message: Message): StatusReport {
  const executedAt = message.history.find((change) => change.status === 'sent' || change.status === 'failed')?.at;
  const base = {
    id: message.id,
    phonenumber: message.peer,
    text: message.text,
    created: formatSentDate(message.createdAt),
    execute: executedAt === undefined ? '' : formatSentDate(executedAt),
  };
  if (message.status === 'queued') return { status: 'pending', statusInfo: 'Message is in the send queue', ...base, delivery: '' };
  if (message.status === 'failed') {
    return { status: 'failed', statusInfo: `Message sending failed: ${message.failure?.reason ?? 'unknown reason'}`, ...base, delivery: '' };
  }
  return { status: 'OK', statusInfo: 'Message successfully sent', ...base, delivery: deliveryOf(message)?.word ?? '' };
}

export function toPendingItem(message: Message) {
  return { status: 'pending', id: message.id, phonenumber: message.peer, text: message.text, created: formatSentDate(message.createdAt) };
}

export function toReceivedItem(message: Message) {
  const head = { id: message.id, type: message.mediaUrl ? 'file' : 'chat', from: message.from, to: message.to, date: formatReceivedDate(message.createdAt) };
  return message.mediaUrl ? { ...head, file: message.mediaUrl } : { ...head, chat: message.text };
}

export function toPage<T>(total: number, page: number, data: T[]) {
  const pageCount = Math.max(1, Math.ceil(total / PAGE_SIZE));
  return { count: total, pageCount, page: `page ${page} from ${pageCount}`, data };
}
