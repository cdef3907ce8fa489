import type { EngineClock } from '../clock/clock.js';
import type { EngineEvents } from '../events.js';
import type { Account, Session, SessionState } from '../store/models.js';
import type { EngineStore } from '../store/store.js';
import type { PhoneActResult, SimulatedLinks } from '../transport/simulated-links.js';
import type { LinkedTransport, LinkSink, LinkUpdate } from '../transport/transport.js';
import { SIMULATED_TRANSPORT, type Transports } from '../transport/transports.js';

export { DEFAULT_SESSION_LOADING, QR_ROTATION_MS } from '../transport/simulated-links.js';

/** How long a pairing code may be typed on the phone. */
export const PAIRING_CODE_TTL_MS = 3 * 60_000;

/** The label of an account's link session: its provider has no session API, so it has no number of its own for it. */
export const LINK_LABEL = 'link';

/** What a lifecycle act did; `heldBy` names the transport holding a session the control API cannot play (it is not simulated). */
export type SessionResult = { ok: true; session: Session } | { ok: false; reason: string; heldBy?: string };

export interface QrCode {
  /** What the QR image encodes: WhatsApp Web's `ref,noiseKey,identityKey,advSecret`. */
  payload: string;
  /** Clock time the next code replaces this one; null when the transport does not say (a live socket's next code). */
  rotatesAt: number | null;
}

/**
 * Linked-device sessions: a session waits for a QR scan or a pairing code, loads once a phone links it,
 * then sends. The records are kept here; the lifecycle is the transport's that holds each session (the
 * simulated one plays it on the clock, and the control API plays its phone), and every change it reports
 * comes back through `sessionChanged`, announced as a `session.status` event. Providers show the state in
 * their words and never know which transport runs.
 */
export class SessionService implements LinkSink {
  /** The code each session shows, for transports that report their codes (the simulated one is asked instead). */
  private readonly codes = new Map<string, QrCode>();
  /** The sessions this process opened on their transports, as last recorded: what `closeAll` lets go of. */
  private readonly opened = new Map<string, Session>();

  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
    private readonly events: EngineEvents,
    private readonly transports: Transports,
    private readonly simulated: SimulatedLinks,
  ) {}

  /**
   * A new session, on `transport` (the engine's default when absent): on the QR screen, or first loading
   * for the provider's start-up time (then on the QR screen). The label is the provider's id for it; a
   * sequence number when absent.
   */
  async create(account: Account, label?: string, transport = this.transports.defaultName): Promise<Session> {
    const links = this.transports.of(transport);
    const n = await this.store.sequences.next(`${account.provider}.session`, 1);
    const now = this.clock.now();
    const session: Session = {
      id: `${account.provider}-s${n}`,
      accountId: account.id,
      label: label ?? String(n),
      transport,
      state: 'qr',
      stateSince: now,
      phone: null,
      linkedAt: null,
      createdAt: now,
      qrSince: now,
      pairing: null,
      idle: false,
    };
    await this.store.sessions.save(session);
    this.opened.set(session.id, session);
    await links.open(session, false);
    return this.current(session);
  }

  /** Like a new session again: unlinked, its first QR screen after the start-up (a provider's factory reset). */
  async reset(session: Session): Promise<Session> {
    const links = this.linksOf(session);
    await links.close(session);
    const unlinked = await this.update(session.id, (current) => ({ ...current, phone: null, linkedAt: null, pairing: null }));
    if (!unlinked) throw new Error(`session ${session.id} is gone`);
    this.opened.set(session.id, unlinked);
    await links.open(unlinked, false);
    return this.current(session);
  }

  /**
   * Hands a session to another transport (a provider's phone, made on the default transport, that a relay
   * phone is to hold): the one holding it lets go, and the other opens it unlinked, as a new session.
   */
  async transfer(session: Session, transport: string): Promise<Session> {
    if (session.transport === transport) return session;
    const links = this.transports.of(transport);
    await this.linksOf(session).close(session);
    this.codes.delete(session.id);
    const moved = await this.update(session.id, (current) => ({ ...current, transport, phone: null, linkedAt: null, pairing: null }));
    if (!moved) throw new Error(`session ${session.id} is gone`);
    await links.open(moved, false);
    return this.current(moved);
  }

  async get(id: string): Promise<Session | undefined> {
    return this.store.sessions.get(id);
  }

  async list(account: Account): Promise<Session[]> {
    return this.store.sessions.list(account.id);
  }

  async findByLabel(account: Account, label: string): Promise<Session | undefined> {
    return (await this.list(account)).find((session) => session.label === label);
  }

  /** The session that links an account whose provider has no session API (its messages go through it), if it has one. */
  async linkOf(account: Account): Promise<Session | undefined> {
    return this.findByLabel(account, LINK_LABEL);
  }

  /** The account's link session, on `transport` (the default when absent): the one it has, or a new one showing QR codes. */
  async link(account: Account, transport = this.transports.defaultName): Promise<SessionResult> {
    const existing = await this.linkOf(account);
    if (!existing) return { ok: true, session: await this.create(account, LINK_LABEL, transport) };
    if (existing.transport !== transport) {
      return { ok: false, reason: `the account is linked through the ${existing.transport} transport: remove that link first`, heldBy: existing.transport };
    }
    return { ok: true, session: existing };
  }

  /** Unlinks the account's phone and forgets its link session; whether it had one. */
  async unlink(account: Account): Promise<boolean> {
    const link = await this.linkOf(account);
    if (!link) return false;
    await this.remove(await this.logout(link));
    return true;
  }

  /** The names of the transports a session may be held by. */
  transportNames(): string[] {
    return this.transports.names;
  }

  /** The QR code on screen now (it changes on the clock), or null when the session is not on the QR screen. */
  qrCode(session: Session): QrCode | null {
    if (session.state !== 'qr') return null;
    const links = this.linksOf(session);
    if (!links.qrCode) return this.codes.get(session.id) ?? null;
    const code = links.qrCode(session);
    return code && { payload: code.qr, rotatesAt: code.rotatesAt };
  }

  /** Linking by phone number instead of a QR scan: the code to type on that phone. */
  async requestPairingCode(session: Session, phone: string): Promise<{ ok: true; code: string; session: Session } | { ok: false; reason: string }> {
    const result = await this.linksOf(session).requestPairingCode(session, phone);
    if (!result.ok) return result;
    const pairing = { code: result.code, phone, expiresAt: this.clock.now() + PAIRING_CODE_TTL_MS };
    const updated = await this.update(session.id, (current) => ({ ...current, pairing }));
    if (!updated) return { ok: false, reason: 'no such session' };
    return { ok: true, code: result.code, session: updated };
  }

  /**
   * Unlinks the phone: back to a fresh QR screen. Messages still queued on the session fail when due. A
   * session already on the QR screen, unlinked, stays as it is.
   */
  async logout(session: Session): Promise<Session> {
    await this.linksOf(session).logout(session);
    return this.current(session);
  }

  /** Restarts the session: a linked one loads again; an unlinked one shows a fresh QR code. */
  async restart(session: Session): Promise<Session> {
    await this.linksOf(session).restart(session);
    return this.current(session);
  }

  /** Credentials that log a session back in without a scan. */
  async backup(session: Session): Promise<{ ok: true; token: string; phone: string } | { ok: false; reason: string }> {
    return this.linksOf(session).backup(session);
  }

  async restore(session: Session, token: string): Promise<SessionResult> {
    const result = await this.linksOf(session).restore(session, token);
    if (!result.ok) return result;
    return { ok: true, session: await this.current(session) };
  }

  /** Lets go of the session's link (`logout` first to unlink the phone) and forgets it. */
  async remove(session: Session): Promise<void> {
    this.opened.delete(session.id);
    await this.linksOf(session).close(session);
    this.codes.delete(session.id);
    await this.store.sessions.delete(session.id);
  }

  /** After a restart on a durable store: each stored session is opened again on its transport (a linked live one reconnects without a scan). */
  async reopen(accounts: Account[]): Promise<void> {
    for (const account of accounts) {
      for (const session of await this.list(account)) {
        this.opened.set(session.id, session);
        await this.linksOf(session).open(session, true);
      }
    }
  }

  /**
   * The process stops, or the world is reset: every transport lets go of the sessions this process opened
   * (their links stay, for the next start). Called at once for all of them: the engine closes its store
   * right after, so a transport lets go before its first await (ends its socket).
   */
  closeAll(): Promise<unknown> {
    const closing = [...this.opened.values()].map((session) => this.linksOf(session).close(session));
    this.opened.clear();
    this.codes.clear();
    return Promise.allSettled(closing);
  }

  /** A phone scans the session's QR code (the control API plays the phone of a simulated session). */
  async scan(sessionId: string, phone?: string): Promise<SessionResult> {
    const session = await this.store.sessions.get(sessionId);
    if (!session) return { ok: false, reason: 'no such session' };
    return this.playPhone(session, () => this.simulated.scan(session, phone));
  }

  /** A phone types a pairing code (with or without its dash); it links the session that issued it. */
  async enterPairingCode(code: string, phone?: string): Promise<SessionResult> {
    const session = await this.store.sessions.findByPairingCode(code.replace(/[-\s]/g, '').toUpperCase());
    if (!session) return { ok: false, reason: 'no session is waiting for this code' };
    return this.playPhone(session, () => this.simulated.pair(session, phone));
  }

  /** The phone of a simulated session loses its connection (control API): the session waits until `reconnect`. */
  async disconnect(session: Session): Promise<Session> {
    return this.simulated.disconnect(this.requireSimulated(session));
  }

  async reconnect(session: Session): Promise<Session> {
    return this.simulated.reconnect(this.requireSimulated(session));
  }

  /** Whether the control API can play the session's phone: only a simulated session has a phone the sandbox plays. */
  isSimulated(session: Session): boolean {
    return session.transport === SIMULATED_TRANSPORT;
  }

  /** What a transport reports of a session it holds: the record follows, and each change of state is announced. */
  async sessionChanged(sessionId: string, update: LinkUpdate): Promise<void> {
    const now = this.clock.now();
    let announce = false;
    const recorded = await this.update(sessionId, (session) => {
      const next = nextRecord(session, update, now);
      announce = next?.announce ?? false;
      return next?.session;
    });
    if (!recorded) return;
    // The code on screen, for a transport that reports its codes; a session leaving the QR screen has none.
    if (recorded.state === 'qr') {
      if (update.state === 'qr' && !update.idle) this.codes.set(sessionId, { payload: update.qr, rotatesAt: update.rotatesAt });
    } else this.codes.delete(sessionId);
    if (announce) await this.events.emit({ type: 'session.status', session: recorded });
  }

  /**
   * Applies `change` to the session as stored now, and again to a fresh read if anything changed it
   * meanwhile (a request, a timed step, another instance on a shared store): a change computed from a stale
   * read never overwrites a newer one (CI once saw a QR screen going idle saved over the scan that had just
   * linked it: the session never connected). The session as saved; as stored when `change` has nothing to
   * change (undefined); undefined when it is gone.
   */
  private async update(id: string, change: (current: Session) => Session | undefined): Promise<Session | undefined> {
    for (;;) {
      const current = await this.store.sessions.get(id);
      if (!current) return undefined;
      const next = change(current);
      if (!next) return current;
      if (await this.store.sessions.replace(current, next)) {
        if (this.opened.has(id)) this.opened.set(id, next);
        return next;
      }
    }
  }

  /** The session as recorded now (an act's changes came back through `sessionChanged`). */
  private async current(session: Session): Promise<Session> {
    const current = await this.store.sessions.get(session.id);
    if (!current) throw new Error(`session ${session.id} is gone`);
    return current;
  }

  private linksOf(session: Session): LinkedTransport {
    return this.transports.of(session.transport);
  }

  private async playPhone(session: Session, act: () => Promise<PhoneActResult>): Promise<SessionResult> {
    if (!this.isSimulated(session)) return { ok: false, reason: notSimulated(session), heldBy: session.transport };
    return act();
  }

  private requireSimulated(session: Session): Session {
    if (!this.isSimulated(session)) throw new Error(notSimulated(session));
    return session;
  }
}

/** Why the control API cannot play a session's phone. */
export function notSimulated(session: Session): string {
  return `session ${session.id} is held by the ${session.transport} transport: only a simulated session's phone is played from the control API`;
}

/**
 * The record after what a transport reported, and whether it is a change of state to announce; undefined
 * when the record stays as it is (a code rotating on the QR screen, an idle report for a screen already left).
 */
function nextRecord(session: Session, update: LinkUpdate, now: number): { session: Session; announce: boolean } | undefined {
  const enter = (changed: Session, state: SessionState) => ({ session: { ...changed, state, stateSince: now, idle: false }, announce: true });
  switch (update.state) {
    case 'qr':
      if (session.state === 'qr' && update.rotated) return undefined;
      if (update.idle) return session.state === 'qr' && !session.idle ? { session: { ...session, idle: true }, announce: true } : undefined;
      return enter({ ...session, phone: null, linkedAt: null, qrSince: now, pairing: null }, 'qr');
    case 'loading':
      return enter(update.phone === null ? session : { ...session, phone: update.phone, linkedAt: now, pairing: null }, 'loading');
    case 'connected':
      return enter({ ...session, phone: update.phone }, 'connected');
    case 'disconnected':
      return enter(session, 'disconnected');
    case 'logged-out':
      return enter({ ...session, phone: null, linkedAt: null, qrSince: now, pairing: null }, 'qr');
  }
}
