import type { EngineClock } from '../clock/clock.js';
import type { Scheduler } from '../clock/scheduler.js';
import { seededRandom } from '../random.js';
import type { SessionService } from '../sessions/session.service.js';
import type { ChaosMark, Session } from '../store/models.js';
import type { EngineStore } from '../store/store.js';
import { parseAccountId } from '../world/accounts.js';
import { checkChaosRule, isSpent, ruleCovers, type ChaosFault, type ChaosKind, type ChaosRule, type ChaosScope, type SessionFault } from './chaos.rules.js';

/** A rule's hit on one event: the fault to play, and the mark the journals carry. */
export interface ChaosHit<F extends ChaosFault = ChaosFault> {
  rule: string;
  fault: F;
  mark: ChaosMark;
}

export type ChaosAddResult = { ok: true; rule: ChaosRule } | { ok: false; problem: string };

/** Where the rules are kept in the store's state: a restart keeps them, a reset forgets them. */
const RULES_KEY = 'chaos.rules';
/** One step of a flapping session: even steps drop the connection, odd ones bring it back. */
const FLAP_JOB = 'chaos.flap';

interface FlapPayload {
  sessionId: string;
  step: number;
  /** Clock time of the first step; step k is due half a period times k after it. */
  startedAt: number;
  periodMs: number;
  times: number;
}

export interface ChaosServiceDeps {
  store: EngineStore;
  clock: EngineClock;
  scheduler: Scheduler;
  sessions: SessionService;
  seed: number;
  providers(): readonly string[];
  failureCodesOf(provider: string): readonly string[];
}

/**
 * The chaos rules and the decisions they make. Every matching event (a provider request, a webhook
 * attempt, a connected session when a session rule is added, a message when its turn to be sent comes)
 * counts for each rule it matches; whether a rule hits it is drawn from the engine's seed, keyed by the
 * rule's id and that count, so the same seed and the same events give the same faults, whatever else
 * happens between them. Rules are checked oldest first and the first that hits plays its fault.
 */
export class ChaosService {
  private rules: ChaosRule[] = [];

  constructor(private readonly deps: ChaosServiceDeps) {
    deps.scheduler.handle(FLAP_JOB, (payload) => this.flapStep(payload as unknown as FlapPayload));
  }

  /** Every rule, oldest first (spent ones included: their hits stay visible until they are removed). */
  list(): ChaosRule[] {
    return this.rules.map((rule) => structuredClone(rule));
  }

  /** Adds a rule; a session rule acts at once on the connected sessions it covers. */
  async add(input: unknown): Promise<ChaosAddResult> {
    const check = checkChaosRule(input, this.deps.providers(), this.deps.failureCodesOf);
    if (!check.ok) return check;
    const n = await this.deps.store.sequences.next('chaos.rule', 1);
    const rule: ChaosRule = {
      id: `c${n}`,
      ...check.rule,
      hits: 0,
      remaining: check.rule.next ?? null,
      createdAt: new Date(this.deps.clock.now()).toISOString(),
      seen: 0,
    };
    this.rules.push(rule);
    this.persist();
    if (rule.kind === 'session') await this.strikeSessions(rule);
    return { ok: true, rule: structuredClone(rule) };
  }

  /** Whether there was such a rule. A flap under way plays on: its steps are already on the clock. */
  remove(id: string): boolean {
    const before = this.rules.length;
    this.rules = this.rules.filter((rule) => rule.id !== id);
    if (this.rules.length === before) return false;
    this.persist();
    return true;
  }

  removeAll(): void {
    this.rules = [];
    this.persist();
  }

  /**
   * The fault for one event of `kind`, if a rule hits it. `matches` narrows the rules further (an api
   * rule's route, which only the HTTP layer can read). Decided at once, without waiting: concurrent
   * events are counted in the order they asked.
   */
  decide<F extends ChaosFault>(kind: ChaosKind, scope: ChaosScope, matches?: (rule: ChaosRule) => boolean): ChaosHit<F> | undefined {
    let hit: ChaosHit<F> | undefined;
    let counted = false;
    for (const rule of this.rules) {
      if (rule.kind !== kind || isSpent(rule) || !ruleCovers(rule, scope) || (matches && !matches(rule))) continue;
      counted = true;
      const draw = seededRandom(this.deps.seed, 'chaos', rule.id, rule.seen)();
      rule.seen++;
      if (draw >= rule.share) continue;
      rule.hits++;
      if (rule.remaining !== null) rule.remaining--;
      hit = { rule: rule.id, fault: rule.fault as F, mark: { rule: rule.id, fault: rule.fault.type } };
      break;
    }
    if (counted) this.persist();
    return hit;
  }

  /** The rules an earlier engine on this store left (call once, when the engine resumes). */
  async restore(): Promise<void> {
    this.rules = (await this.deps.scheduler.recall<ChaosRule[]>(RULES_KEY)) ?? [];
  }

  /** Forgets the rules (the engine's reset; the store forgets its copy with everything else). */
  clear(): void {
    this.rules = [];
  }

  private persist(): void {
    this.deps.scheduler.remember(RULES_KEY, this.rules);
  }

  /** A session rule's fault, on each connected session it covers (each a matching event). */
  private async strikeSessions(rule: ChaosRule): Promise<void> {
    const connected: Session[] = [];
    for (const account of await this.deps.store.accounts.list()) {
      const scope = { provider: account.provider, account: account.key };
      if (!ruleCovers(rule, scope)) continue;
      // Simulated sessions only: a live or relayed session's phone is real, and chaos must never unlink it.
      for (const session of await this.deps.store.sessions.list(account.id))
        if (session.state === 'connected' && this.deps.sessions.isSimulated(session)) connected.push(session);
    }
    for (const session of connected) {
      const { provider, key } = parseAccountId(session.accountId);
      // Only this rule decides: a session rule acts once, when it is added.
      const hit = this.decide<SessionFault>('session', { provider, account: key }, (candidate) => candidate === rule);
      if (hit) await this.strike(session, hit.fault);
    }
  }

  private async strike(session: Session, fault: SessionFault): Promise<void> {
    const { sessions, clock } = this.deps;
    if (fault.type === 'disconnect') await sessions.disconnect(session);
    else if (fault.type === 'logout') await sessions.logout(session);
    else await this.flapStep({ sessionId: session.id, step: 0, startedAt: clock.now(), periodMs: fault.periodMs, times: fault.times });
  }

  /**
   * Every `periodMs` the session drops its connection, and half a period later it reconnects (then loads
   * its chats for the provider's loading time), `times` times over.
   */
  private async flapStep(flap: FlapPayload): Promise<void> {
    const { sessionId, step, startedAt, periodMs, times } = flap;
    const session = await this.deps.sessions.get(sessionId);
    if (!session) return;
    if (step % 2 === 0) await this.deps.sessions.disconnect(session);
    else await this.deps.sessions.reconnect(session);
    if (step + 1 < times * 2) {
      const dueAt = startedAt + Math.round(((step + 1) * periodMs) / 2);
      this.deps.scheduler.at(dueAt, FLAP_JOB, { ...flap, step: step + 1 } satisfies FlapPayload, `${FLAP_JOB}:${sessionId}`);
    }
  }
}
