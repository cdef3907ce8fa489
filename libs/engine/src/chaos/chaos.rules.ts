import type { FailureCode } from '../store/models.js';

/**
 * Chaos rules: faults a client's unhappy paths meet on purpose. A rule names what it acts on (a kind of
 * event, a provider, an account, an api route), how often (a seeded share of the matching events, or only
 * the next N) and the fault. The engine keeps the rules and decides which events they hit; the faults of
 * webhooks, sessions and deliveries are the engine's own, those of provider requests the HTTP layer's.
 */
export type ChaosKind = 'api' | 'webhook' | 'session' | 'delivery';

export type ApiFault =
  | { type: 'error'; status: 500 | 502 | 503 }
  | { type: 'rate-limit'; retryAfterSeconds: number }
  | { type: 'latency'; ms: number }
  | { type: 'timeout' }
  | { type: 'reset' };

/** `drop`: the attempt is lost on the way; the event is redelivered on the provider's retry schedule. */
export type WebhookFault = { type: 'duplicate' } | { type: 'delay'; ms: number } | { type: 'reorder' } | { type: 'drop' };

export type SessionFault = { type: 'disconnect' } | { type: 'logout' } | { type: 'flap'; periodMs: number; times: number };

export type DeliveryFault = { type: 'stuck'; at: 'sent' | 'delivered' } | { type: 'fail'; code: string; reason?: string };

export type ChaosFault = ApiFault | WebhookFault | SessionFault | DeliveryFault;

export interface ChaosRuleInput {
  kind: ChaosKind;
  provider?: string;
  /** The provider's account key; every account of the provider (or of every provider) when absent. */
  account?: string;
  /** api only: `METHOD /path`, either part may hold `*` (any run of characters, `/` included). */
  route?: string;
  /** Share of the matching events hit, 0..1, drawn from the engine's seed; 1 when absent. */
  share?: number;
  /** Only the next N matching events hit, then the rule is spent; until removed when absent. */
  next?: number;
  fault: ChaosFault;
}

export interface ChaosRule extends ChaosRuleInput {
  id: string;
  share: number;
  /** Events the rule hit. */
  hits: number;
  /** Hits left before the rule is spent (`next`); null for a rule that lasts until removed. */
  remaining: number | null;
  createdAt: string;
  /** Matching events the rule has seen, hit or not: the counter its seeded draws are keyed by. */
  seen: number;
}

/** What an event is, for matching: its provider and account key (and, for api rules, whatever the caller matches on). */
export interface ChaosScope {
  provider: string;
  account: string | undefined;
}

export type ChaosRuleCheck = { ok: true; rule: Omit<ChaosRule, 'id' | 'hits' | 'remaining' | 'createdAt' | 'seen'> } | { ok: false; problem: string };

/** Every FailureCode, for checking a delivery fault's code at run time. */
export const FAILURE_CODES = [
  'no_whatsapp',
  'send_failed',
  'media_unfetchable',
  'session_closed',
  'rate_limited',
  'forced',
  'transport_error',
  'media_rejected',
  'own_number',
  'outside_window',
  'template_not_found',
  'template_language',
  'template_param_count',
  'template_param_too_long',
  'template_param_format',
  'text_too_long',
  'expired',
  'duplicate',
  'insufficient_funds',
] as const satisfies readonly FailureCode[];
/** Fails to compile when FailureCode gains a code FAILURE_CODES does not list. */
type Unlisted = Exclude<FailureCode, (typeof FAILURE_CODES)[number]>;
const everyCodeListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyCodeListed;

const KINDS: readonly ChaosKind[] = ['api', 'webhook', 'session', 'delivery'];
const FAULT_TYPES: Record<ChaosKind, readonly string[]> = {
  api: ['error', 'rate-limit', 'latency', 'timeout', 'reset'],
  webhook: ['duplicate', 'delay', 'reorder', 'drop'],
  session: ['disconnect', 'logout', 'flap'],
  delivery: ['stuck', 'fail'],
};
/** `METHOD /path`: a method (or `*`) and a path starting with `/` (or `*`), no spaces inside either. */
export const ROUTE_SYNTAX = /^(\*|[A-Za-z]+) ([/*]\S*)$/;
/** Longest latency, delay or flap period a rule may ask for: a day of clock (or wall) time. */
const MAX_MS = 24 * 60 * 60 * 1000;

/**
 * Checks a rule as the control API received it; `providers` are the registered ones, `failureCodesOf` a
 * provider's own failure codes (Devino's numbers), for a delivery failure's code.
 */
export function checkChaosRule(input: unknown, providers: readonly string[], failureCodesOf: (provider: string) => readonly string[]): ChaosRuleCheck {
  if (!isRecord(input)) return fail('the rule must be a JSON object');
  const known = new Set(['kind', 'provider', 'account', 'route', 'share', 'next', 'fault']);
  const unknown = Object.keys(input).find((key) => !known.has(key));
  if (unknown !== undefined) return fail(`unknown field ${unknown}`);
  const { kind, provider, account, route, share, next, fault } = input;
  if (!KINDS.includes(kind as ChaosKind)) return fail(`kind must be one of ${KINDS.join(', ')}`);
  const ruleKind = kind as ChaosKind;
  if (provider !== undefined && !(typeof provider === 'string' && providers.includes(provider))) return fail(`provider must be one of ${providers.join(', ')}`);
  if (account !== undefined && !(typeof account === 'string' && account !== '')) return fail('account must be a non-empty string (the account key)');
  if (account !== undefined && provider === undefined) return fail('account needs provider: an account key is its provider’s');
  if (route !== undefined) {
    if (ruleKind !== 'api') return fail('route is for api rules only');
    if (typeof route !== 'string' || !ROUTE_SYNTAX.test(route)) return fail('route must be "METHOD /path", e.g. "POST /*/sendMessage" (* matches anything)');
  }
  if (share !== undefined && !(typeof share === 'number' && share >= 0 && share <= 1)) return fail('share must be a number from 0 to 1');
  if (next !== undefined && !(Number.isInteger(next) && (next as number) >= 1)) return fail('next must be a positive integer');
  if (!isRecord(fault)) return fail('fault must be an object with a type');
  if (!FAULT_TYPES[ruleKind].includes(fault.type as string))
    return fail(`the fault type of ${ruleKind === 'api' ? 'an' : 'a'} ${ruleKind} rule must be one of ${FAULT_TYPES[ruleKind].join(', ')}`);
  const checked = checkFault(ruleKind, fault, provider as string | undefined, failureCodesOf);
  if (typeof checked === 'string') return fail(checked);
  return {
    ok: true,
    rule: {
      kind: ruleKind,
      ...(provider !== undefined ? { provider: provider as string } : {}),
      ...(account !== undefined ? { account: account as string } : {}),
      ...(route !== undefined ? { route: route as string } : {}),
      share: (share as number | undefined) ?? 1,
      ...(next !== undefined ? { next: next as number } : {}),
      fault: checked,
    },
  };
}

/** The fault with only its own fields, or what is wrong with it. */
function checkFault(
  kind: ChaosKind,
  fault: Record<string, unknown>,
  provider: string | undefined,
  failureCodesOf: (provider: string) => readonly string[],
): ChaosFault | string {
  const fields = (...names: string[]) => {
    const extra = Object.keys(fault).find((key) => key !== 'type' && !names.includes(key));
    return extra === undefined ? undefined : `the ${fault.type} fault has no field ${extra}`;
  };
  const ms = (name: string, min: number) => {
    const value = fault[name];
    return Number.isInteger(value) && (value as number) >= min && (value as number) <= MAX_MS
      ? undefined
      : `${name} must be a whole number from ${min} to ${MAX_MS}`;
  };
  const problem = (...checks: Array<string | undefined>) => checks.find((check) => check !== undefined);
  switch (`${kind} ${fault.type as string}`) {
    case 'api error': {
      const wrong = problem(fields('status'), [500, 502, 503].includes(fault.status as number) ? undefined : 'status must be 500, 502 or 503');
      return wrong ?? { type: 'error', status: fault.status as 500 | 502 | 503 };
    }
    case 'api rate-limit':
      return problem(fields('retryAfterSeconds'), ms('retryAfterSeconds', 0)) ?? { type: 'rate-limit', retryAfterSeconds: fault.retryAfterSeconds as number };
    case 'api latency':
      return problem(fields('ms'), ms('ms', 1)) ?? { type: 'latency', ms: fault.ms as number };
    case 'webhook delay':
      return problem(fields('ms'), ms('ms', 1)) ?? { type: 'delay', ms: fault.ms as number };
    case 'session flap': {
      const wrong = problem(
        fields('periodMs', 'times'),
        ms('periodMs', 2),
        Number.isInteger(fault.times) && (fault.times as number) >= 1 && (fault.times as number) <= 1000
          ? undefined
          : 'times must be a whole number from 1 to 1000',
      );
      return wrong ?? { type: 'flap', periodMs: fault.periodMs as number, times: fault.times as number };
    }
    case 'delivery stuck':
      return (
        problem(fields('at'), fault.at === 'sent' || fault.at === 'delivered' ? undefined : 'at must be sent or delivered') ?? {
          type: 'stuck',
          at: fault.at as 'sent' | 'delivered',
        }
      );
    case 'delivery fail': {
      const { code, reason } = fault;
      const wrong = problem(fields('code', 'reason'), reason === undefined || typeof reason === 'string' ? undefined : 'reason must be a string');
      if (wrong) return wrong;
      if (typeof code !== 'string') return 'code must be a string';
      const own = provider === undefined ? [] : failureCodesOf(provider);
      if (!(FAILURE_CODES as readonly string[]).includes(code) && !own.includes(code)) {
        return `code must be one of the engine's failure codes (${FAILURE_CODES.join(', ')})${own.length ? ` or one of ${provider}'s own (${own.join(', ')})` : ''}`;
      }
      return { type: 'fail', code, ...(reason !== undefined ? { reason: reason as string } : {}) };
    }
    default:
      return fields() ?? ({ type: fault.type } as ChaosFault);
  }
}

/** Whether the rule acts on an event of this provider and account (its route, if any, is the caller's to match). */
export function ruleCovers(rule: ChaosRule, scope: ChaosScope): boolean {
  if (rule.provider !== undefined && rule.provider !== scope.provider) return false;
  if (rule.account !== undefined && rule.account !== scope.account) return false;
  return true;
}

/** Whether a spent rule (its `next` used up) still acts. */
export function isSpent(rule: ChaosRule): boolean {
  return rule.remaining !== null && rule.remaining <= 0;
}

function fail(problem: string): ChaosRuleCheck {
  return { ok: false, problem };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
