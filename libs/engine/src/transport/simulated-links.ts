import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EngineClock } from '../clock/clock.js';
import type { Scheduler } from '../clock/scheduler.js';
import { pickDuration, seededRandom, type DurationRange } from '../random.js';
import type { Session } from '../store/models.js';
import { makeLinePhone, parseAccountId } from '../world/accounts.js';
import type { ProviderProfile } from '../world/provider-profile.js';
import type { LinkResult, LinkSink, LinkUpdate, SessionLinks } from './transport.js';

/** How long a linked session loads its chats before it can send. */
export const DEFAULT_SESSION_LOADING: DurationRange = { minMs: 2_000, maxMs: 5_000 };
/** WhatsApp Web shows a new QR code every 20 seconds. */
export const QR_ROTATION_MS = 20_000;
/** The alphabet of WhatsApp's 8-character pairing codes (no 0, I, O or U, so they read unambiguously). */
const PAIRING_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';

/**
 * A session's timed steps: loaded, started (its first QR screen) and idle (the QR screen gave up). The
 * names are stored with the jobs (a durable store's schedule): renaming one strands the jobs already kept.
 */
const LOADED_JOB = 'session.loaded';
const STARTED_JOB = 'session.started';
const IDLE_JOB = 'session.idle';

/** Each step happens only if the session is still in the state it was in when the step was scheduled. */
interface StepPayload {
  sessionId: string;
  stateSince: number;
}

/** What a phone act of the control API did: the session as it is now, or why nothing happened. */
export type PhoneActResult = LinkResult<{ session: Session }>;

/**
 * The session lifecycle as the simulated WhatsApp plays it: seeded QR codes rotating on the clock, pairing
 * codes, loading for the provider's while, idle QR screens and signed backups. The control API plays the
 * phone (scan, pair, disconnect, reconnect). It reads the engine's session records to know whether a
 * timed step still applies, and reports every change through the sink.
 */
export class SimulatedLinks implements SessionLinks {
  private sink: LinkSink | null = null;

  constructor(
    private readonly clock: EngineClock,
    private readonly scheduler: Scheduler,
    private readonly seed: number,
    private readonly profile: (name: string) => ProviderProfile,
    private readonly sessions: (id: string) => Promise<Session | undefined>,
  ) {
    scheduler.handle(LOADED_JOB, async (payload) => {
      const current = await this.current(payload, 'loading');
      if (current?.phone) await this.report(current, { state: 'connected', phone: current.phone, profileName: null });
    });
    scheduler.handle(STARTED_JOB, async (payload) => {
      const current = await this.current(payload, 'loading');
      if (current) await this.showQr(current);
    });
    scheduler.handle(IDLE_JOB, async (payload) => {
      const current = await this.current(payload, 'qr');
      if (current && !current.idle) await this.report(current, { state: 'qr', ...this.code(current), idle: true });
    });
  }

  attach(sink: LinkSink): void {
    this.sink = sink;
  }

  /** A new (or reset) session: its first QR screen, after the provider's start-up if it has one. A resumed one carries on with its stored steps. */
  async open(session: Session, resumed: boolean): Promise<void> {
    if (resumed) return;
    const startup = this.profileOf(session).sessionStartup;
    if (!startup) return this.showQr(session);
    const loading = await this.report(session, { state: 'loading', phone: null });
    const delay = pickDuration(seededRandom(this.seed, 'session-startup', session.id, loading.stateSince), startup);
    this.scheduler.after(delay, STARTED_JOB, { sessionId: session.id, stateSince: loading.stateSince } satisfies StepPayload);
  }

  async requestPairingCode(session: Session): Promise<LinkResult<{ code: string }>> {
    if (session.state !== 'qr') return { ok: false, reason: `the session is already linked (it is ${session.state})` };
    const random = seededRandom(this.seed, 'pairing', session.id, this.clock.now());
    return { ok: true, code: Array.from({ length: 8 }, () => PAIRING_ALPHABET[Math.floor(random() * PAIRING_ALPHABET.length)]).join('') };
  }

  /** A linked session loads again; an unlinked one shows a fresh QR code. */
  async restart(session: Session): Promise<void> {
    if (!session.phone) return this.showQr(session);
    await this.load(session, null);
  }

  /** Back to a fresh QR screen; a session already on the QR screen, unlinked, stays as it is. */
  async logout(session: Session): Promise<void> {
    if (session.state === 'qr' && !session.phone) return;
    await this.showQr(session);
  }

  /** Signed, so only this sandbox's backups restore. */
  async backup(session: Session): Promise<LinkResult<{ token: string; phone: string }>> {
    if (!session.phone) return { ok: false, reason: 'the session is not linked to a phone' };
    const body = Buffer.from(JSON.stringify({ phone: session.phone, at: this.clock.now() })).toString('base64url');
    return { ok: true, token: `${body}.${this.sign(body)}`, phone: session.phone };
  }

  async restore(session: Session, token: string): Promise<LinkResult> {
    const [body, signature] = token.split('.');
    if (!body || !signature || !safeEqual(signature, this.sign(body))) return { ok: false, reason: 'the backup is not valid' };
    let phone: unknown;
    try {
      ({ phone } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { phone?: unknown });
    } catch {
      return { ok: false, reason: 'the backup is not valid' };
    }
    if (typeof phone !== 'string') return { ok: false, reason: 'the backup is not valid' };
    await this.load(session, phone);
    return { ok: true };
  }

  /** Nothing to let go: a pending step finds the session changed (or gone) and does nothing. */
  async close(): Promise<void> {}

  /** The QR code on screen now: it changes every 20 seconds on the clock, from when the screen opened. */
  qrCode(session: Session): { qr: string; rotatesAt: number } | null {
    return session.state === 'qr' ? this.code(session) : null;
  }

  /** A phone scans the session's QR code (the control API plays the phone); a seeded number when none is given. */
  async scan(session: Session, phone?: string): Promise<PhoneActResult> {
    if (session.state !== 'qr') return { ok: false, reason: `the session is not showing a QR code (it is ${session.state})` };
    return { ok: true, session: await this.load(session, phone ?? makeLinePhone(this.profileOf(session).lineCountryCode, session.id, this.seed)) };
  }

  /** A phone types the pairing code the session issued; only the phone it was issued for, while it is valid. */
  async pair(session: Session, phone?: string): Promise<PhoneActResult> {
    if (session.state !== 'qr' || !session.pairing) return { ok: false, reason: 'no session is waiting for this code' };
    if (session.pairing.expiresAt <= this.clock.now()) return { ok: false, reason: 'the pairing code has expired' };
    if (phone !== undefined && phone !== session.pairing.phone) return { ok: false, reason: `the code was issued for ${session.pairing.phone}` };
    return { ok: true, session: await this.load(session, session.pairing.phone) };
  }

  /** The phone loses its connection: the session waits until `reconnect`. */
  async disconnect(session: Session): Promise<Session> {
    if (session.state !== 'connected' && session.state !== 'loading') return session;
    return this.report(session, { state: 'disconnected', reason: 'the phone lost its connection', retryInMs: null });
  }

  async reconnect(session: Session): Promise<Session> {
    if (session.state !== 'disconnected') return session;
    return this.load(session, null);
  }

  /** Loading (newly linked to `phone`, or reconnecting) takes a seeded while on the clock, then the session is connected unless something changed it meanwhile. */
  private async load(session: Session, phone: string | null): Promise<Session> {
    const loading = await this.report(session, { state: 'loading', phone });
    const range = this.profileOf(session).sessionLoading ?? DEFAULT_SESSION_LOADING;
    const delay = pickDuration(seededRandom(this.seed, 'session-loading', session.id, loading.stateSince), range);
    this.scheduler.after(delay, LOADED_JOB, { sessionId: session.id, stateSince: loading.stateSince } satisfies StepPayload);
    return loading;
  }

  /** A fresh QR screen (its codes start now); the provider may let it go idle after a while without a scan. */
  private async showQr(session: Session): Promise<void> {
    const fresh = { ...session, qrSince: this.clock.now() };
    const shown = await this.report(session, { state: 'qr', ...this.code(fresh) });
    const idleAfter = this.profileOf(session).qrIdleAfterMs;
    if (idleAfter !== undefined) this.scheduler.after(idleAfter, IDLE_JOB, { sessionId: session.id, stateSince: shown.stateSince } satisfies StepPayload);
  }

  private code(session: Session): { qr: string; rotatesAt: number } {
    const rotation = Math.floor((this.clock.now() - session.qrSince) / QR_ROTATION_MS);
    const random = seededRandom(this.seed, 'qr', session.id, session.qrSince, rotation);
    const part = (bytes: number) => Buffer.from(Array.from({ length: bytes }, () => Math.floor(random() * 256))).toString('base64');
    return { qr: `2@${part(60)},${part(32)},${part(32)},${part(32)}`, rotatesAt: session.qrSince + (rotation + 1) * QR_ROTATION_MS };
  }

  /** Reports the change; the session as the engine recorded it. */
  private async report(session: Session, update: LinkUpdate): Promise<Session> {
    if (!this.sink) throw new Error('transport used before the engine attached to it');
    await this.sink.sessionChanged(session.id, update);
    const recorded = await this.sessions(session.id);
    if (!recorded) throw new Error(`session ${session.id} is gone`);
    return recorded;
  }

  /** The session, if a step scheduled for it still applies: it is in `state` since the step was scheduled. */
  private async current(payload: Record<string, unknown>, state: Session['state']): Promise<Session | undefined> {
    const { sessionId, stateSince } = payload as unknown as StepPayload;
    const current = await this.sessions(sessionId);
    return current?.state === state && current.stateSince === stateSince ? current : undefined;
  }

  private profileOf(session: Session): ProviderProfile {
    return this.profile(parseAccountId(session.accountId).provider);
  }

  private sign(body: string): string {
    return createHmac('sha256', `wa-sandbox-backup-${this.seed}`).update(body).digest('base64url');
  }
}

function safeEqual(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}
