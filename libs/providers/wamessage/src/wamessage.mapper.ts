import { MINUTE_MS, TURKEY_UTC_OFFSET_MINUTES, type Message, type Session } from '#engine';

/** Wire-format output: engine records in Wamessage's (inferred) envelope and Turkish texts. */

export interface Envelope<T> {
  status: true;
  code: number;
  description: string;
  data: T;
}

export function ok<T>(description: string, data: T, code = 200): Envelope<T> {
  return { status: true, code, description, data };
}

/** The text public clients compare a send's answer with. */
export const SENT_DESCRIPTION = 'Mesaj gönderildi';

/** `2026-01-02 12:00:00` in Turkey's time: the format `send_time` is written in. */
export function formatTurkeyTime(ms: number): string {
  const iso = new Date(ms + TURKEY_UTC_OFFSET_MINUTES * MINUTE_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** How a device's link looks to a client polling logincontrol or listing devices. */
export type LinkState = 'waiting_for_code' | 'code_expired' | 'loading' | 'connected' | 'disconnected';

export function linkStateOf(session: Session, now: number): LinkState {
  if (session.state === 'qr') return session.pairing && session.pairing.expiresAt > now ? 'waiting_for_code' : 'code_expired';
  return session.state;
}

export interface DeviceRecord {
  phone: string;
  registeredAt: number;
}

export function toDevice(registrationId: string, record: DeviceRecord, session: Session, now: number) {
  return {
    registration_id: Number(registrationId),
    phone: record.phone,
    status: linkStateOf(session, now),
    connected: session.state === 'connected',
    registered_at: formatTurkeyTime(record.registeredAt),
  };
}

export function toSent(message: Message) {
  return { id: message.id, contact: message.peer };
}
