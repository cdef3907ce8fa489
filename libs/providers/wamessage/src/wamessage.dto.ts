import { MINUTE_MS, TURKEY_UTC_OFFSET_MINUTES } from '#engine';
import type { UploadedFile } from '#http';
import { badRequest } from './wamessage.errors.js';

/** Wire-format input parsing: what a Wamessage client may send, validated into plain values. */

export const MIN_PASSWORD_LENGTH = 6;
const MAX_PASSWORD_LENGTH = 128;

export interface Credentials {
  phone: string;
  password: string;
}

export interface RegisterInput extends Credentials {
  name: string | null;
  email: string | null;
}

export interface SendInput {
  registrationId: string;
  contacts: string[];
  /** `contacts` as the client wrote it: the answer echoes it, and integrations look numbers up by it later. */
  contactsAsSent: string;
  message: string;
  /** The uploaded file, on disk (the engine moves it into its media store when it keeps it). */
  upload: { path: string; size: number; fileName: string } | null;
  mediaUrl: string | null;
  /** Clock ms; null = now. */
  sendAt: number | null;
  sendSpeed: number | null;
}

export interface LogoutInput {
  registrationId: string;
  phone: string | null;
}

/**
 * A phone number as people write it: an optional +, spaces, dashes, dots or parentheses around
 * 7 to 15 digits. Returns the digits, or null.
 */
export function normalizePhone(value: unknown): string | null {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value > 0) value = String(value);
  if (typeof value !== 'string') return null;
  const digits = value
    .trim()
    .replace(/[\s\-().]/g, '')
    .replace(/^\+/, '');
  return /^\d{7,15}$/.test(digits) ? digits : null;
}

function requiredPhone(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') throw badRequest(`${field} alanı zorunludur`, `${field} is required`);
  const phone = normalizePhone(value);
  if (!phone) throw badRequest('Geçersiz telefon numarası', `${field} must be a phone number (7-15 digits, + optional)`);
  return phone;
}

function optionalString(value: unknown, field: string, max: number): string | null {
  if (value === undefined || value === null || value === '') return null;
  if (typeof value !== 'string' || value.length > max) throw badRequest(`${field} alanı geçersiz`, `${field} must be a string of at most ${max} characters`);
  return value.trim() || null;
}

function password(value: unknown): string {
  if (value === undefined || value === null || value === '') throw badRequest('password alanı zorunludur', 'password is required');
  if (typeof value !== 'string') throw badRequest('Şifre geçersiz', 'password must be a string');
  return value;
}

export function parseCredentials(body: Record<string, unknown>): Credentials {
  return { phone: requiredPhone(body.phone, 'phone'), password: password(body.password) };
}

export function parseRegister(body: Record<string, unknown>): RegisterInput {
  const credentials = parseCredentials(body);
  if (credentials.password.length < MIN_PASSWORD_LENGTH || credentials.password.length > MAX_PASSWORD_LENGTH) {
    throw badRequest(
      `Şifre en az ${MIN_PASSWORD_LENGTH} karakter olmalıdır`,
      `password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long`,
    );
  }
  const email = optionalString(body.email, 'email', 254);
  if (email !== null && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(email)) throw badRequest('E-posta adresi geçersiz', 'email must be an e-mail address');
  return { ...credentials, name: optionalString(body.name, 'name', 200), email };
}

export function parsePairingPhone(body: Record<string, unknown>): string {
  return requiredPhone(body.phone, 'phone');
}

/** A registration id: the digits login/code handed out (JSON clients may send it as a number). */
export function parseRegistrationId(value: unknown, field: string): string {
  if (value === undefined || value === null || value === '') throw badRequest(`${field} alanı zorunludur`, `${field} is required`);
  const text = typeof value === 'number' && Number.isSafeInteger(value) ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,15}$/.test(text.trim()))
    throw badRequest(`${field} geçersiz`, `${field} must be a registration id (up to 15 digits)`);
  return String(BigInt(text.trim()));
}

export function parseLoginControl(query: Record<string, unknown>): { registrationId: string; phone: string | null } {
  const registrationId = parseRegistrationId(query.registrationId, 'registrationId');
  const raw = query.phone;
  if (raw === undefined || raw === '') return { registrationId, phone: null };
  // The seed: the phone without its +; a + (or its form-decoded space) is forgiven.
  const phone = normalizePhone(raw);
  if (!phone) throw badRequest('Geçersiz telefon numarası', 'phone must be a phone number (digits, without +)');
  return { registrationId, phone };
}

/** `page=-1` (the seed's) lists every device; a positive page lists DEVICES_PAGE_SIZE of them. */
export const ALL_PAGES = -1;
export const DEVICES_PAGE_SIZE = 10;

export function parseDevicesPage(value: unknown): number {
  if (value === undefined || value === '') return ALL_PAGES;
  if (typeof value !== 'string' || !/^(-1|[1-9]\d{0,8})$/.test(value.trim())) {
    throw badRequest('page geçersiz', 'page must be -1 (all devices) or a positive integer');
  }
  return Number(value);
}

export function parseLogout(body: Record<string, unknown>): LogoutInput {
  const registrationId = parseRegistrationId(body.reg_id, 'reg_id');
  const raw = body.phone;
  if (raw === undefined || raw === null || raw === '') return { registrationId, phone: null };
  return { registrationId, phone: requiredPhone(raw, 'phone') };
}

export function parseSendInput(body: Record<string, unknown>): SendInput {
  const registrationId = parseRegistrationId(body.reg_id, 'reg_id');
  const contacts = parseContacts(body.contacts);
  const contactsAsSent = Array.isArray(body.contacts) ? body.contacts.map(String).join(',') : String(body.contacts);
  const message = body.message ?? '';
  if (typeof message !== 'string') throw badRequest('message alanı geçersiz', 'message must be a string');
  const { upload, mediaUrl } = parseFile(body.file);
  if (message.trim() === '' && !upload && !mediaUrl) {
    throw badRequest('Mesaj içeriği veya dosya zorunludur', 'message is required unless a file is sent');
  }
  return {
    registrationId,
    contacts,
    contactsAsSent,
    message,
    upload,
    mediaUrl,
    sendAt: parseSendTime(body.send_time),
    sendSpeed: parseSendSpeed(body.send_speed),
  };
}

/** Numbers in one send: the seed names no limit; the bound keeps one request from holding the sandbox for seconds. */
export const MAX_CONTACTS = 1_000;

/** `contacts`: numbers separated by commas (semicolons and new lines forgiven), or a JSON/bracket array. */
export function parseContacts(value: unknown): string[] {
  const items = Array.isArray(value) ? value : typeof value === 'string' || typeof value === 'number' ? String(value).split(/[,;\n]/) : null;
  if (items === null) throw badRequest('contacts alanı zorunludur', 'contacts is required: numbers separated by commas');
  if (items.length > MAX_CONTACTS)
    throw badRequest(
      `En fazla ${MAX_CONTACTS} numaraya gönderilebilir`,
      `contacts has ${items.length} numbers, at most ${MAX_CONTACTS} are taken in one request`,
    );
  const contacts: string[] = [];
  for (const item of items) {
    if (typeof item === 'string' && item.trim() === '') continue;
    const phone = normalizePhone(item);
    if (!phone) throw badRequest(`Geçersiz telefon numarası: ${String(item).trim()}`, `contacts: ${JSON.stringify(item)} is not a phone number`);
    contacts.push(phone);
  }
  if (contacts.length === 0) throw badRequest('contacts alanı zorunludur', 'contacts is empty');
  return contacts;
}

function parseFile(value: unknown): { upload: SendInput['upload']; mediaUrl: string | null } {
  if (value === undefined || value === null || value === '') return { upload: null, mediaUrl: null };
  if (isUploadedFile(value)) {
    // A browser form with no file chosen still sends an empty part without a file name.
    if (value.size === 0 && value.filename === '') return { upload: null, mediaUrl: null };
    if (value.size === 0) throw badRequest('Dosya boş olamaz', `the uploaded file ${value.filename} is empty`);
    return { upload: { path: value.path, size: value.size, fileName: value.filename }, mediaUrl: null };
  }
  // Inferred leniency: JSON and form bodies cannot carry an upload, so a link to the file stands in for it.
  if (typeof value === 'string' && /^https?:\/\/[^\s/]+/i.test(value.trim())) return { upload: null, mediaUrl: value.trim() };
  throw badRequest('file alanı geçersiz', 'file must be a multipart file upload (or, in JSON and forms, an http(s) link to the file)');
}

function isUploadedFile(value: unknown): value is UploadedFile {
  const file = value as Partial<UploadedFile> | null;
  return typeof file === 'object' && file !== null && typeof file.path === 'string' && typeof file.size === 'number' && typeof file.filename === 'string';
}

const SEND_TIME = /^(\d{4})-(\d{2})-(\d{2}) (\d{2}):(\d{2}):(\d{2})$/;
const TURKEY_OFFSET_MS = TURKEY_UTC_OFFSET_MINUTES * MINUTE_MS;

/** `YYYY-MM-DD HH:MM:SS` in Turkey's time → clock ms; empty means now (null). Whether it is past is the engine's call. */
export function parseSendTime(value: unknown): number | null {
  if (value === undefined || value === null || (typeof value === 'string' && value.trim() === '')) return null;
  const match = typeof value === 'string' ? SEND_TIME.exec(value.trim()) : null;
  if (!match) throw badRequest('send_time biçimi YYYY-MM-DD HH:MM:SS olmalıdır', 'send_time must be YYYY-MM-DD HH:MM:SS (Turkey time) or empty');
  const [year, month, day, hour, minute, second] = match.slice(1).map(Number) as [number, number, number, number, number, number];
  const utc = Date.UTC(year, month - 1, day, hour, minute, second);
  const check = new Date(utc);
  // Date.UTC rolls 2026-02-30 over to March: a date that does not come back unchanged does not exist.
  if (check.getUTCFullYear() !== year || check.getUTCMonth() !== month - 1 || check.getUTCDate() !== day || hour > 23 || minute > 59 || second > 59) {
    throw badRequest('send_time geçerli bir tarih değil', `send_time ${String(value)} is not a real date and time`);
  }
  return utc - TURKEY_OFFSET_MS;
}

/** Inferred: seen in client code (`send_speed=1`) but undocumented; a non-negative integer, echoed back. */
function parseSendSpeed(value: unknown): number | null {
  if (value === undefined || value === null || value === '') return null;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text !== 'string' || !/^\d{1,6}$/.test(text.trim())) throw badRequest('send_speed geçersiz', 'send_speed must be a non-negative integer');
  return Number(text);
}
