import { createHmac, timingSafeEqual } from 'node:crypto';
import type { EngineClock } from '../clock/clock.js';
import type { Scheduler } from '../clock/scheduler.js';
import type { EngineEvents } from '../events.js';
import { pickDuration, seededRandom, type DurationRange } from '../random.js';
import type { Account, Session, SessionState } from '../store/models.js';
import type { EngineStore } from '../store/store.js';
import { makeLinePhone, parseAccountId } from '../world/accounts.js';
import type { ProviderProfile } from '../world/provider-profile.js';

/** How long a linked session loads its chats before it can send. */
export const DEFAULT_SESSION_LOADING: DurationRange = { minMs: 2_000, maxMs: 5_000 };
/** WhatsApp Web shows a new QR code every 20 seconds. */
export const QR_ROTATION_MS = 20_000;
/** How long a pairing code may be typed on the phone. */
export const PAIRING_CODE_TTL_MS = 3 * 60_000;
/** The alphabet of WhatsApp's 8-character pairing codes (no 0, I, O or U, so they read unambiguously). */
const PAIRING_ALPHABET = '123456789ABCDEFGHJKLMNPQRSTVWXYZ';

/** A session's timed steps: loaded, started (its first QR screen) and idle (the QR screen gave up). */
const LOADED_JOB = 'session.loaded';
const STARTED_JOB = 'session.started';
const IDLE_JOB = 'session.idle';

/** Each step happens only if the session is still in the state it was in when the step was scheduled. */
interface StepPayload {
  sessionId: string;
  stateSince: number;
}

export type SessionResult = { ok: true; session: Session } | { ok: false; reason: string };

export interface QrCode {
  /** What the QR image encodes: WhatsApp Web's `ref,noiseKey,identityKey,advSecret`. */
  payload: string;
  /** Clock time the next code replaces this one. */
  rotatesAt: number;
}

/**
 * Linked-device sessions: a session waits for a QR scan or a pairing code, loads once a (virtual)
 * phone links it, then sends. The control API plays the phone; providers show the state in their words.
 */
export class SessionService {
  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
    private readonly scheduler: Scheduler,
    private readonly events: EngineEvents,
    private readonly seed: number,
    private readonly profile: (name: string) => ProviderProfile,
  ) {
    scheduler.handle(LOADED_JOB, async (payload) => {
      const { sessionId, stateSince } = payload as unknown as StepPayload;
      const current = await this.store.sessions.get(sessionId);
      if (current?.state === 'loading' && current.stateSince === stateSince) await this.enter(current, 'connected');
    });
    scheduler.handle(STARTED_JOB, async (payload) => {
      const { sessionId, stateSince } = payload as unknown as StepPayload;
      const current = await this.store.sessions.get(sessionId);
      if (current?.state === 'loading' && current.stateSince === stateSince) await this.enter({ ...current, qrSince: this.clock.now() }, 'qr');
    });
    scheduler.handle(IDLE_JOB, async (payload) => {
      const { sessionId, stateSince } = payload as unknown as StepPayload;
      const current = await this.store.sessions.get(sessionId);
      if (current?.state === 'qr' && current.stateSince === stateSince && !current.idle) await this.save({ ...current, idle: true }, true);
    });
  }

  /**
   * A new session: on the QR screen, or first loading for the provider's start-up time (then on the QR
   * screen). The label is the provider's id for it; a sequence number when absent.
   */
  async create(account: Account, label?: string): Promise<Session> {
    const n = await this.store.sequences.next(`${account.provider}.session`, 1);
    const now = this.clock.now();
    const session: Session = {
      id: `${account.provider}-s${n}`,
      accountId: account.id,
      label: label ?? String(n),
      state: 'qr',
      stateSince: now,
      phone: null,
      linkedAt: null,
      createdAt: now,
      qrSince: now,
      pairing: null,
      idle: false,
    };
    return this.start(session);
  }

  /** Like a new session again: unlinked, its first QR screen after the start-up (a provider's factory reset). */
  async reset(session: Session): Promise<Session> {
    return this.start({ ...session, phone: null, linkedAt: null, pairing: null });
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

  /** The QR code on screen now (it changes on the clock), or null when the session is not on the QR screen. */
  qrCode(session: Session): QrCode | null {
    if (session.state !== 'qr') return null;
    const rotation = Math.floor((this.clock.now() - session.qrSince) / QR_ROTATION_MS);
    const random = seededRandom(this.seed, 'qr', session.id, session.qrSince, rotation);
    const part = (bytes: number) => Buffer.from(Array.from({ length: bytes }, () => Math.floor(random() * 256))).toString('base64');
    return { payload: `2@${part(60)},${part(32)},${part(32)},${part(32)}`, rotatesAt: session.qrSince + (rotation + 1) * QR_ROTATION_MS };
  }

  /** Linking by phone number instead of a QR scan: the code to type on that phone. */
  async requestPairingCode(session: Session, phone: string): Promise<{ ok: true; code: string; session: Session } | { ok: false; reason: string }> {
    if (session.state !== 'qr') return { ok: false, reason: `the session is already linked (it is ${session.state})` };
    const random = seededRandom(this.seed, 'pairing', session.id, this.clock.now());
    const code = Array.from({ length: 8 }, () => PAIRING_ALPHABET[Math.floor(random() * PAIRING_ALPHABET.length)]).join('');
    const updated = await this.save({ ...session, pairing: { code, phone, expiresAt: this.clock.now() + PAIRING_CODE_TTL_MS } });
    return { ok: true, code, session: updated };
  }

  /** A phone scans the session's QR code (the control API plays the phone). */
  async scan(sessionId: string, phone?: string): Promise<SessionResult> {
    const session = await this.store.sessions.get(sessionId);
    if (!session) return { ok: false, reason: 'no such session' };
    if (session.state !== 'qr') return { ok: false, reason: `the session is not showing a QR code (it is ${session.state})` };
    return { ok: true, session: await this.link(session, phone ?? this.defaultPhone(session)) };
  }

  /** A phone types a pairing code (with or without its dash); it links the session that issued it. */
  async enterPairingCode(code: string, phone?: string): Promise<SessionResult> {
    const wanted = code.replace(/[-\s]/g, '').toUpperCase();
    const session = await this.store.sessions.findByPairingCode(wanted);
    if (!session || session.state !== 'qr' || !session.pairing) return { ok: false, reason: 'no session is waiting for this code' };
    if (session.pairing.expiresAt <= this.clock.now()) return { ok: false, reason: 'the pairing code has expired' };
    if (phone !== undefined && phone !== session.pairing.phone) return { ok: false, reason: `the code was issued for ${session.pairing.phone}` };
    return { ok: true, session: await this.link(session, session.pairing.phone) };
  }

  /**
   * Unlinks the phone: back to a fresh QR screen. Messages still queued on the session fail when due. A
   * session already on the QR screen, unlinked, stays as it is.
   */
  async logout(session: Session): Promise<Session> {
    if (session.state === 'qr' && !session.phone) return session;
    return this.enter({ ...session, phone: null, linkedAt: null, qrSince: this.clock.now(), pairing: null }, 'qr');
  }

  /** Restarts the session: a linked one loads again; an unlinked one shows a fresh QR code. */
  async restart(session: Session): Promise<Session> {
    if (!session.phone) return this.enter({ ...session, qrSince: this.clock.now(), pairing: null }, 'qr');
    return this.load(session);
  }

  /** The phone loses its connection (control API): the session retries until `reconnect`. */
  async disconnect(session: Session): Promise<Session> {
    if (session.state !== 'connected' && session.state !== 'loading') return session;
    return this.enter(session, 'disconnected');
  }

  async reconnect(session: Session): Promise<Session> {
    if (session.state !== 'disconnected') return session;
    return this.load(session);
  }

  /** Credentials that log a session back in without a scan; signed, so only this sandbox's backups restore. */
  backup(session: Session): { ok: true; token: string; phone: string } | { ok: false; reason: string } {
    if (!session.phone) return { ok: false, reason: 'the session is not linked to a phone' };
    const body = Buffer.from(JSON.stringify({ phone: session.phone, at: this.clock.now() })).toString('base64url');
    return { ok: true, token: `${body}.${this.sign(body)}`, phone: session.phone };
  }

  async restore(session: Session, token: string): Promise<SessionResult> {
    const [body, signature] = token.split('.');
    if (!body || !signature || !safeEqual(signature, this.sign(body))) return { ok: false, reason: 'the backup is not valid' };
    let phone: unknown;
    try {
      ({ phone } = JSON.parse(Buffer.from(body, 'base64url').toString('utf8')) as { phone?: unknown });
    } catch {
      return { ok: false, reason: 'the backup is not valid' };
    }
    if (typeof phone !== 'string') return { ok: false, reason: 'the backup is not valid' };
    return { ok: true, session: await this.link(session, phone) };
  }

  async remove(session: Session): Promise<void> {
    await this.store.sessions.delete(session.id);
  }

  private async link(session: Session, phone: string): Promise<Session> {
    return this.load({ ...session, phone, linkedAt: this.clock.now(), pairing: null });
  }

  /** Loading takes a seeded while on the clock, then the session is connected (unless something changed it meanwhile). */
  private async load(session: Session): Promise<Session> {
    const loading = await this.enter(session, 'loading');
    const { provider } = parseAccountId(session.accountId);
    const range = this.profile(provider).sessionLoading ?? DEFAULT_SESSION_LOADING;
    const delay = pickDuration(seededRandom(this.seed, 'session-loading', session.id, loading.stateSince), range);
    this.scheduler.after(delay, LOADED_JOB, { sessionId: session.id, stateSince: loading.stateSince } satisfies StepPayload);
    return loading;
  }

  private async start(session: Session): Promise<Session> {
    const { provider } = parseAccountId(session.accountId);
    const startup = this.profile(provider).sessionStartup;
    if (!startup) return this.enter({ ...session, qrSince: this.clock.now() }, 'qr');
    const loading = await this.enter(session, 'loading');
    const delay = pickDuration(seededRandom(this.seed, 'session-startup', session.id, loading.stateSince), startup);
    this.scheduler.after(delay, STARTED_JOB, { sessionId: session.id, stateSince: loading.stateSince } satisfies StepPayload);
    return loading;
  }

  /** Every state change is announced; a QR screen the provider lets go idle is announced again when it does. */
  private async enter(session: Session, state: SessionState): Promise<Session> {
    const entered = await this.save({ ...session, state, stateSince: this.clock.now(), idle: false }, true);
    const { provider } = parseAccountId(session.accountId);
    const idleAfter = this.profile(provider).qrIdleAfterMs;
    if (state === 'qr' && idleAfter !== undefined) {
      this.scheduler.after(idleAfter, IDLE_JOB, { sessionId: session.id, stateSince: entered.stateSince } satisfies StepPayload);
    }
    return entered;
  }

  private async save(session: Session, announce = false): Promise<Session> {
    await this.store.sessions.save(session);
    if (announce) await this.events.emit({ type: 'session.status', session });
    return session;
  }

  private defaultPhone(session: Session): string {
    const { provider } = parseAccountId(session.accountId);
    return makeLinePhone(this.profile(provider).lineCountryCode, session.id, this.seed);
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
