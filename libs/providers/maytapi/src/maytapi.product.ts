import { StateSlot, type Account, type Session } from '#engine';

/**
 * A Maytapi product is an engine account (key = product id); its phones are engine sessions whose label
 * is the phone id. Everything else Maytapi remembers about them lives here, in `account.settings`.
 */
export interface PhoneSettings {
  sessionId: string;
  /** The number given to addPhone; the linked phone's number wins once a phone scanned the QR code. */
  number: string | null;
  /** Phone-specific webhook (POST /{phone_id}/config); null = the product's webhook and ack preference. */
  webhook: string | null;
  ackDelivery: boolean;
  /** Backup tokens taken while the current link lasted: a logout revokes them (the spec says so). */
  backups: string[];
  /** The phone's own profile picture (setProfileImage without a conversation). */
  profileImage?: string;
}

export interface ProductSettings {
  /** The first x-maytapi-key used with the product id; other keys are refused from then on. */
  apiKey: string | null;
  phoneLimit: number;
  ackDelivery: boolean;
  /** Where the client reached the sandbox (`http://host:port/maytapi/api`), for webhook `reply` urls. */
  apiBase: string | null;
  phones: Record<string, PhoneSettings>;
  revokedBackups: string[];
}

/** Phones a new product may add: the sandbox is generous where a paid plan decides. */
export const DEFAULT_PHONE_LIMIT = 5;

/** Where `reply` urls point before any client call told the sandbox its address. */
const FALLBACK_API_BASE = 'http://localhost:4000/maytapi/api';

/** Maytapi's state on a product's engine account. */
export const MAYTAPI_PRODUCT = new StateSlot<ProductSettings>({
  apiKey: null,
  phoneLimit: DEFAULT_PHONE_LIMIT,
  ackDelivery: false,
  apiBase: null,
  phones: {},
  revokedBackups: [],
});

export function productOf(account: Account): ProductSettings {
  return MAYTAPI_PRODUCT.read(account.settings);
}

/**
 * What Maytapi keeps on a message it sent: the sendMessage type and the fields its webhooks and spam
 * filter read back (each type keeps its own). Inbound messages keep nothing.
 */
export interface MaytapiMessageState {
  type?: string;
  /** The spam filter's key of the content (see MaytapiService.dupeFilter). */
  filterKey?: string;
  /** The wire id of the message a text or media replies to. */
  replyTo?: string | null;
  /** The file name the client gave a media message. */
  filename?: string | null;
  declaredType?: string | null;
  url?: string;
  caption?: string | null;
  /** The engine id of the message a reaction, forward, delete or edit refers to. */
  target?: string;
  forwardCaption?: boolean;
  options?: string[];
  productId?: string;
}

export const MAYTAPI_MESSAGE = new StateSlot<MaytapiMessageState>({});

export function apiBaseOf(account: Account): string {
  return productOf(account).apiBase ?? FALLBACK_API_BASE;
}

export function phoneIdOfSession(account: Account, sessionId: string): string | undefined {
  return Object.entries(productOf(account).phones).find(([, phone]) => phone.sessionId === sessionId)?.[0];
}

/**
 * Where a phone's events go: its own webhook and ack preference when it has one (phone config), else the
 * product's. Maytapi: "If empty product webhook config would be used for delivery."
 */
export function deliveryTarget(account: Account, phoneId: string): { url: string | null; acks: boolean } {
  const product = productOf(account);
  const phone = product.phones[phoneId];
  if (phone?.webhook) return { url: phone.webhook, acks: phone.ackDelivery };
  return { url: account.webhookUrl, acks: product.ackDelivery };
}

/** The number a phone shows: the linked one, else the one given to addPhone, else none yet. */
export function phoneNumberOf(session: Session, phone: PhoneSettings | undefined): string | null {
  return session.phone ?? phone?.number ?? null;
}
