import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { TransportState } from '#engine';

const SECRET_KEY = 'backup-secret';
const VERSION = 'wsb1';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * A session's credentials as a token, sealed with AES-256-GCM under a key this sandbox keeps in its own state.
 * Encrypted, not only signed: the credentials hold the linked device's private keys, and a signed token
 * would show them to anyone holding it, who could then act as the number. GCM's tag also refuses a token
 * that was altered, or made by another sandbox (another key), before anything is imported.
 */
export async function sealBackup(state: TransportState, entries: Array<[string, unknown]>): Promise<string> {
  const key = await secret(state);
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const sealed = Buffer.concat([cipher.update(JSON.stringify(entries), 'utf8'), cipher.final()]);
  return `${VERSION}.${Buffer.concat([iv, cipher.getAuthTag(), sealed]).toString('base64url')}`;
}

/** The entries a token sealed, or null when this sandbox did not seal it (or it was altered). */
export async function openBackup(state: TransportState, token: string): Promise<Array<[string, unknown]> | null> {
  const [version, body] = token.split('.');
  if (version !== VERSION || !body) return null;
  const bytes = Buffer.from(body, 'base64url');
  if (bytes.length <= IV_BYTES + TAG_BYTES) return null;
  const decipher = createDecipheriv('aes-256-gcm', await secret(state), bytes.subarray(0, IV_BYTES));
  decipher.setAuthTag(bytes.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  try {
    const plain = Buffer.concat([decipher.update(bytes.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
    return JSON.parse(plain.toString('utf8')) as Array<[string, unknown]>;
  } catch {
    return null;
  }
}

/** The sandbox's backup key: made once, durable with the store (an in-memory sandbox's tokens die with it). */
async function secret(state: TransportState): Promise<Buffer> {
  const stored = await state.get<string>(SECRET_KEY);
  if (stored !== undefined) return Buffer.from(stored, 'base64');
  const made = randomBytes(32);
  await state.set(SECRET_KEY, made.toString('base64'));
  return made;
}
