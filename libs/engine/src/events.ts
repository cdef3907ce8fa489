import type { Message, MessageReceipt, Session } from './store/models.js';

export type EngineEvent =
  /** An outbound message moved on: sent, delivered, read or failed. */
  | { type: 'message.status'; message: Message }
  /**
   * A sent message was played (voice, audio) or deleted for everyone. Only profiles that ask for receipts
   * (ProviderProfile.receipts) get these.
   */
  | { type: 'message.receipt'; message: Message; receipt: MessageReceipt; at: number }
  /** A customer's message reached the account. */
  | { type: 'message.received'; message: Message }
  /** A session changed state: waiting for a QR scan, loading, connected, disconnected. */
  | { type: 'session.status'; session: Session };

export type EngineEventListener = (event: EngineEvent) => void | Promise<void>;

/** Listeners run in order and are awaited, so whoever emits knows its consequences are recorded. */
export class EngineEvents {
  private readonly listeners: EngineEventListener[] = [];

  on(listener: EngineEventListener): void {
    this.listeners.push(listener);
  }

  async emit(event: EngineEvent): Promise<void> {
    for (const listener of this.listeners) await listener(event);
  }
}

/** The account an event belongs to. */
export function accountOf(event: EngineEvent): string {
  return event.type === 'session.status' ? event.session.accountId : event.message.accountId;
}

/**
 * What an event's webhooks keep their order within: a chat (one line and one customer) for messages, the
 * session for session changes. A receiver gets different chats' events at once, one chat's in order.
 */
export function orderKeyOf(event: EngineEvent): string {
  if (event.type === 'session.status') return `session ${event.session.id}`;
  const { accountId, lineId, peer } = event.message;
  return `chat ${accountId} ${lineId} ${peer}`;
}
