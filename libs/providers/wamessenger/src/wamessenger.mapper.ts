import { DAY_MS, MINUTE_MS, TEHRAN_UTC_OFFSET_MINUTES, type Message } from '#engine';

/** Wire-format output: engine records in WaMessenger's shapes, field order and date formats. */

export const PAGE_SIZE = 100;

/** WaMessenger is an Iranian service and reports local time. */
const TEHRAN_OFFSET_MS = TEHRAN_UTC_OFFSET_MINUTES * MINUTE_MS;

/** `2022-08-29 21:52:05` for sent-message reports. */
export const formatSentDate = tehranFormatter('-');

/** `2022/08/29 21:54:18` for received messages: the seed uses slashes there. */
export const formatReceivedDate = tehranFormatter('/');

/**
 * Formats clock times as Tehran local time. The date part is formatted once per day and the time of day
 * by arithmetic: formatting through `Date#toISOString` took about 3 % of getStatus's CPU.
 */
function tehranFormatter(separator: string): (ms: number) => string {
  let day = Number.NaN;
  let date = '';
  return (ms) => {
    const local = ms + TEHRAN_OFFSET_MS;
    const localDay = Math.floor(local / DAY_MS);
    if (localDay !== day) {
      day = localDay;
      date = new Date(localDay * DAY_MS).toISOString().slice(0, 10).replaceAll('-', separator);
    }
    const second = Math.floor((local - localDay * DAY_MS) / 1000);
    return `${date} ${twoDigits(Math.floor(second / 3600))}:${twoDigits(Math.floor(second / 60) % 60)}:${twoDigits(second % 60)}`;
  };
}

function twoDigits(n: number): string {
  return n < 10 ? `0${n}` : String(n);
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
  status: 'OK' | 'failed';
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
  // The seed's only status is OK; clients test `status == "OK"` right after a send, so a queued message
  // is OK too, told apart by its empty execute and delivery (the pending method's items say "pending").
  if (message.status === 'queued') return { status: 'OK', statusInfo: 'Message is in the send queue', ...base, delivery: '' };
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
