import { MINUTE_MS, MOSCOW_UTC_OFFSET_MINUTES, type Message } from '#engine';

/** Wire-format output: engine records in WAMM's shapes, key order and date format. */

export type WammState = 'sending' | 'sent' | 'delivered' | 'viewed' | 'received' | 'error';

/**
 * Engine statuses in WAMM's words. The seed names sending, delivered, viewed and received; `sent` (one tick)
 * and `error` (a failed send) are not in the seed.
 */
const STATES: Record<Message['status'], WammState> = {
  queued: 'sending',
  sent: 'sent',
  delivered: 'delivered',
  read: 'viewed',
  received: 'received',
  failed: 'error',
};

export function stateOf(message: Message): WammState {
  // A received message stays "received" even when the account marks it read.
  return message.direction === 'inbound' ? 'received' : STATES[message.status];
}

/** `2021-01-24 19:52:00`, Moscow time. */
export function formatDate(ms: number): string {
  const iso = new Date(ms + MOSCOW_UTC_OFFSET_MINUTES * MINUTE_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** The number as WAMM shows it: a group's id without the `@g.us` the engine keeps. */
export function phoneOf(message: Message): string {
  return message.peer.replace(/@g\.us$/, '');
}

export interface MessageRow {
  msg_id: string;
  from_me: '1' | '0';
  phone: string;
  chat_name: string;
  tip_msg: 'textMessage' | 'file_link';
  msg_text: string;
  msg_link: string;
  date_ins: string;
  date_upd: string;
  state: WammState;
}

/** How WAMM names a chat: the saved contact, else the customer's WhatsApp name; a group without a contact has none. */
export function chatNameOf(message: Message, contactName: string | undefined, whatsAppName: (phone: string) => string): string {
  if (contactName !== undefined) return contactName;
  if (message.peer.endsWith('@g.us')) return '';
  return message.profileName ?? whatsAppName(message.peer);
}

/** One entry of msg_get / msg_get_last, keys in the seed's order; ids are strings there. */
export function toMessageRow(message: Message, chatName: string): MessageRow {
  const file = message.mediaUrl !== null;
  return {
    msg_id: message.id,
    from_me: message.direction === 'outbound' ? '1' : '0',
    phone: phoneOf(message),
    chat_name: chatName,
    tip_msg: file ? 'file_link' : 'textMessage',
    msg_text: message.text,
    msg_link: message.mediaUrl ?? '',
    date_ins: formatDate(message.createdAt),
    date_upd: formatDate(message.history[message.history.length - 1]!.at),
    state: stateOf(message),
  };
}

/** msg_state's `msg_data`: exactly msg_id, phone, state, in that order (a client splits the JSON text on commas). */
export function toStateData(message: Message) {
  return { msg_id: message.id, phone: phoneOf(message), state: stateOf(message) };
}

/** The webhook for a status change, in the shape WAMM integrations parse. */
export function toStateWebhook(message: Message) {
  return { tip: 'msg_state', msg_data: { msg_id: message.id, state: stateOf(message) } };
}

/**
 * The webhook for a message received or sent: a msg_get row plus what WAMM integrations read beside it:
 * `id` (the message id again), `from_api` ("1" for a message sent through the API, as every sandbox send is)
 * and `phone_acc`, the account's own line number, by which an integration with several lines finds the channel.
 */
export function toMessageWebhook(message: Message, chatName: string, linePhone: string) {
  return {
    tip: 'msg',
    msg_data: { ...toMessageRow(message, chatName), id: message.id, from_api: message.direction === 'outbound' ? '1' : '0', phone_acc: linePhone },
  };
}
