import { randomBytes } from 'node:crypto';

/**
 * Every request the engine makes (media downloads, webhook deliveries) carries this header with a secret
 * drawn once per process, so the sandbox can recognise, and refuse to act on, a request it made itself: a
 * media or webhook URL pointing at its own API.
 */
export const SELF_REQUEST_HEADER = 'x-wa-sandbox-fetch';
export const SELF_REQUEST_TOKEN = randomBytes(16).toString('hex');
