/** The control API (`/__sandbox`) as the page uses it, with the shapes it answers. */

export interface Clock {
  mode: 'real' | 'manual';
  speed: number;
  now: string;
  nowMs: number;
  scheduled: number;
}

export interface Account {
  provider: string;
  key: string;
  linePhone: string;
  features: Record<string, boolean>;
  webhookUrl: string | null;
  limits: { dailyMessages: number | null; perSecond: number | null; balance: number | null };
  createdAt: string;
}

export interface Session {
  id: string;
  provider: string;
  accountKey: string;
  label: string;
  state: 'qr' | 'loading' | 'connected' | 'disconnected';
  stateSince: string;
  phone: string | null;
  linkedAt: string | null;
  qr: { payload: string; rotatesAt: string } | null;
  pairing: { code: string; phone: string; expiresAt: string } | null;
}

export interface Message {
  id: string;
  provider: string;
  accountKey: string;
  lineId: string;
  direction: 'outbound' | 'inbound';
  kind: string;
  from: string;
  to: string;
  text: string;
  mediaUrl: string | null;
  status: 'queued' | 'sent' | 'delivered' | 'read' | 'failed' | 'received';
  failureCode: string | null;
  failureReason: string | null;
  providerFailureCode: string | null;
  profileName: string | null;
  createdAt: string;
  history: Array<{ status: string; at: string }>;
  chaos?: ChaosMark;
}

/** The chaos rule that touched a journal entry or a message (present only when one did): its id and fault type. */
export interface ChaosMark {
  rule: string;
  fault: string;
  /** A message a `stuck` rule holds: the status it stays at. */
  stuckAt?: string;
}

export interface WebhookAttempt {
  eventId: string;
  provider: string;
  accountKey: string;
  url: string;
  at: string;
  ok: boolean;
  status: number | null;
  latencyMs: number;
  error: string | null;
  body: unknown;
  chaos?: ChaosMark;
}

export interface RequestRecord {
  id: number;
  at: string;
  method: string;
  url: string;
  path: string;
  provider: string | null;
  status: number;
  durationMs: number;
  chaos?: ChaosMark;
}

export type ChaosKind = 'api' | 'webhook' | 'session' | 'delivery';

export interface ChaosRuleInput {
  kind: ChaosKind;
  provider?: string;
  account?: string;
  route?: string;
  share?: number;
  next?: number;
  fault: { type: string; [parameter: string]: unknown };
}

export interface ChaosRule extends ChaosRuleInput {
  id: string;
  /** Matching events the rule has counted; `hits` of them met its fault. */
  seen: number;
  hits: number;
  remaining: number | null;
  createdAt: string;
}

export interface Health {
  version: string;
  providers: string[];
  clock: Clock;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** A control API call; `path` is under `/__sandbox`. The login cookie (if any) goes with it, same-origin. */
export async function api<T>(method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/__sandbox${path}`, {
    method,
    ...(body === undefined ? {} : { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }),
  });
  // The token is asked for and the cookie is gone (a restart with another token): the page itself shows the login.
  if (response.status === 401) window.location.reload();
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = text;
  }
  if (!response.ok) {
    const problem = parsed as { error?: unknown; message?: unknown } | undefined;
    const message =
      typeof problem?.error === 'string' ? problem.error : Array.isArray(problem?.message) ? problem.message.join('; ') : String(problem?.message ?? text);
    throw new ApiError(response.status, `${method} ${path}: ${response.status} ${message}`);
  }
  return parsed as T;
}

export const accountPath = (provider: string, key: string) => `/accounts/${encodeURIComponent(provider)}/${encodeURIComponent(key)}`;
