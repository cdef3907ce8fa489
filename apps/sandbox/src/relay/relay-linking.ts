import { Injectable } from '@nestjs/common';
import { LINK_LABEL, makeLinePhone, WhatsAppEngine, type Session } from '#engine';
import { RelayTransport } from '#relay';

export type RelayLinkResult = { ok: true; session: Session } | { ok: false; code: 'not_found' | 'conflict'; reason: string };

/**
 * Links a relay phone to a session: an account's link session (`POST /__sandbox/accounts/{provider}/{key}/link`
 * with `"via":"relay"` and the device) or a provider's phone or device (`POST /__sandbox/relay/devices/{id}/link`),
 * which moves to the relay first. The session is then connected as the phone's number, or the line's own.
 */
@Injectable()
export class RelayLinking {
  constructor(
    private readonly relay: RelayTransport,
    private readonly engine: WhatsAppEngine,
  ) {}

  get transport(): string {
    return this.relay.name;
  }

  async link(deviceId: string, session: Session): Promise<RelayLinkResult> {
    const device = await this.relay.device(deviceId);
    if (!device) return { ok: false, code: 'not_found', reason: `no relay device ${deviceId}` };
    const account = await this.engine.accounts.get(session.accountId);
    if (!account) return { ok: false, code: 'not_found', reason: `no account ${session.accountId}` };
    const held = await this.relay.deviceOf(session.id);
    if (held && held.id !== deviceId) return { ok: false, code: 'conflict', reason: `the session is relayed by ${held.id}` };
    if (device.line && device.line.sessionId !== session.id)
      return { ok: false, code: 'conflict', reason: `the device already relays ${device.line.sessionId}` };
    const relayed = await this.engine.sessions.transfer(session, this.relay.name);
    // An account's link session carries the account's own line; a provider's session is a line of its own.
    const ownLine = relayed.label === LINK_LABEL;
    const phone =
      device.phone ?? (ownLine ? account.linePhone : makeLinePhone(this.engine.profile(account.provider).lineCountryCode, session.id, this.engine.seed));
    const linked = await this.relay.link(deviceId, { accountId: account.id, lineId: ownLine ? account.id : session.id, sessionId: session.id, phone });
    if (!linked.ok) return { ok: false, code: 'conflict', reason: linked.reason };
    await this.engine.clock.settle();
    return { ok: true, session: (await this.engine.sessions.get(session.id)) ?? relayed };
  }
}
