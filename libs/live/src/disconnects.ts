import { DisconnectReason } from '@whiskeysockets/baileys';

/** What a closed socket means for the session: connect again now, later, or never with these credentials. */
export type AfterClose = { next: 'reconnect-now' | 'back-off' | 'logged-out'; reason: string };

/**
 * Baileys closes with a Boom whose status code is WhatsApp's `DisconnectReason`. (connectionLost and
 * timedOut share 408.)
 */
export function afterClose(statusCode: number | undefined): AfterClose {
  switch (statusCode) {
    // After a QR scan or pairing code, WhatsApp closes the stream so the client logs in with its new
    // credentials: part of linking, not a failure.
    case DisconnectReason.restartRequired:
      return { next: 'reconnect-now', reason: 'restart required' };
    // The stream ended, the network dropped, a keep-alive went unanswered, or WhatsApp is briefly
    // unavailable: the credentials are fine, and retrying in a tight loop is what gets a number flagged.
    case DisconnectReason.connectionClosed:
      return { next: 'back-off', reason: 'connection closed' };
    case DisconnectReason.connectionLost:
      return { next: 'back-off', reason: 'connection lost or timed out' };
    case DisconnectReason.unavailableService:
      return { next: 'back-off', reason: 'WhatsApp unavailable' };
    // The phone unlinked this device: the credentials are revoked for good.
    case DisconnectReason.loggedOut:
      return { next: 'logged-out', reason: 'logged out from the phone' };
    // The stored signal session is corrupt: reconnecting with it fails the same way every time.
    case DisconnectReason.badSession:
      return { next: 'logged-out', reason: 'bad session' };
    // Another client logged in with the same credentials: reconnecting would fight it, each kicking the
    // other off, which WhatsApp reads as abuse. A fresh scan links this sandbox on its own.
    case DisconnectReason.connectionReplaced:
      return { next: 'logged-out', reason: 'connection replaced by another client' };
    // The account cannot use linked devices: no retry will change that.
    case DisconnectReason.multideviceMismatch:
      return { next: 'logged-out', reason: 'multi-device mismatch' };
    // WhatsApp refuses the account (banned or restricted): retrying only confirms it.
    case DisconnectReason.forbidden:
      return { next: 'logged-out', reason: 'forbidden by WhatsApp' };
    default:
      return { next: 'back-off', reason: statusCode === undefined ? 'connection closed' : `closed with status ${statusCode}` };
  }
}
