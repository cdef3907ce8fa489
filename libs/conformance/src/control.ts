import { describeFetchError } from './http.js';

export interface ClockState {
  mode: 'real' | 'manual';
  speed: number;
  now: string;
  nowMs: number;
  scheduled?: number;
}

export interface SandboxHealth {
  status: string;
  version?: string;
  providers: string[];
  /** The sandbox's own APIs with a contract (the relay's device API); absent on sandboxes older than the relay. */
  apis?: string[];
  clock?: ClockState;
}

export type ControlProbe = { available: true; health: SandboxHealth } | { available: false; reason: string };

export class ControlError extends Error {}

/** The wa-sandbox control API (`/__sandbox`): JSON in, JSON out. */
export class ControlClient {
  /** `token`: the sandbox's control token (`--control-token`), sent as a bearer header; none when it has none. */
  constructor(
    readonly url: string,
    private readonly token?: string,
  ) {}

  /** `<origin of baseUrl>/__sandbox`: the sandbox serves every provider and its control API on one port. */
  static defaultUrl(baseUrl: string): string {
    return `${new URL(baseUrl).origin}/__sandbox`;
  }

  async probe(): Promise<ControlProbe> {
    let res: Response;
    try {
      res = await fetch(`${this.url}/health`, { headers: this.authorization(), signal: AbortSignal.timeout(5_000) });
    } catch (err) {
      return { available: false, reason: `GET ${this.url}/health: ${describeFetchError(err)}` };
    }
    const text = await res.text();
    let body: unknown;
    try {
      body = JSON.parse(text);
    } catch {
      body = undefined;
    }
    const health = body as Partial<SandboxHealth> | undefined;
    if (res.status !== 200 || !health || health.status !== 'ok' || !Array.isArray(health.providers)) {
      return { available: false, reason: `GET ${this.url}/health answered ${res.status} ${JSON.stringify(text.slice(0, 80))}` };
    }
    return { available: true, health: health as SandboxHealth };
  }

  /** Forgets every account, message, webhook and journal entry; the clock returns to its start. */
  reset(): Promise<{ reset: boolean }> {
    return this.request('POST', '/reset') as Promise<{ reset: boolean }>;
  }

  clock(): Promise<ClockState> {
    return this.request('GET', '/clock') as Promise<ClockState>;
  }

  setClock(change: { mode?: 'real' | 'manual'; speed?: number }): Promise<ClockState> {
    return this.request('PUT', '/clock', change) as Promise<ClockState>;
  }

  /** Resolves once every task that fell due ran and every webhook delivery it started finished. */
  advance(ms: number): Promise<ClockState> {
    return this.request('POST', '/clock/advance', { ms }) as Promise<ClockState>;
  }

  /** A virtual customer writes to the account (to one of its sessions with `session`). */
  inbound(provider: string, key: string, message: InboundMessage): Promise<{ received: boolean; messageId?: string; reason?: string }> {
    return this.request('POST', `/accounts/${enc(provider)}/${enc(key)}/inbound`, message) as Promise<{
      received: boolean;
      messageId?: string;
      reason?: string;
    }>;
  }

  /** The account's webhook url, for providers that set it outside their API; null removes it. */
  setWebhook(provider: string, key: string, url: string | null): Promise<unknown> {
    return this.request('PUT', `/accounts/${enc(provider)}/${enc(key)}/webhook`, { url });
  }

  /** Send caps per clock day and per clock second, and the prepaid balance; null lifts one. */
  setLimits(provider: string, key: string, limits: { dailyMessages?: number | null; perSecond?: number | null; balance?: number | null }): Promise<unknown> {
    return this.request('PUT', `/accounts/${enc(provider)}/${enc(key)}/limits`, limits);
  }

  /** The account's sessions (a provider's phones or devices), oldest first. */
  sessions(provider: string, key: string): Promise<SandboxSession[]> {
    return this.request('GET', `/accounts/${enc(provider)}/${enc(key)}/sessions`) as Promise<SandboxSession[]>;
  }

  session(id: string): Promise<SandboxSession> {
    return this.request('GET', `/sessions/${enc(id)}`) as Promise<SandboxSession>;
  }

  /** A phone scans the session's QR code; the session connects after it loads (advance the clock). */
  scan(sessionId: string, phone?: string): Promise<SandboxSession> {
    return this.request('POST', `/sessions/${enc(sessionId)}/scan`, phone === undefined ? {} : { phone }) as Promise<SandboxSession>;
  }

  /** A phone types a pairing code; the session that issued it connects after it loads (advance the clock). */
  pair(code: string, phone?: string): Promise<SandboxSession> {
    return this.request('POST', '/sessions/pair', phone === undefined ? { code } : { code, phone }) as Promise<SandboxSession>;
  }

  /** A message with its full status history. */
  message(id: string): Promise<SandboxMessage> {
    return this.request('GET', `/messages/${enc(id)}`) as Promise<SandboxMessage>;
  }

  async journal(provider: string, key: string): Promise<WebhookAttempt[]> {
    const body = (await this.request('GET', `/webhooks/journal?${new URLSearchParams({ provider, key }).toString()}`)) as { attempts?: WebhookAttempt[] };
    return body.attempts ?? [];
  }

  /** Any control API call; `path` is relative to the control url (`/clock`, `/requests/count`, …). */
  async request<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    const url = `${this.url}${path}`;
    let res: Response;
    try {
      res = await fetch(url, {
        method,
        headers: { ...this.authorization(), ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new ControlError(`control API ${method} ${url}: ${describeFetchError(err)}`);
    }
    const text = await res.text();
    if (!res.ok) throw new ControlError(`control API ${method} ${url} answered ${res.status}: ${text.slice(0, 200)}`);
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new ControlError(`control API ${method} ${url} answered non-JSON: ${text.slice(0, 200)}`);
    }
  }

  private authorization(): Record<string, string> {
    return this.token === undefined ? {} : { authorization: `Bearer ${this.token}` };
  }
}

export interface InboundMessage {
  from: string;
  text?: string;
  mediaUrl?: string;
  profileName?: string;
  /** A session id (see `sessions`). */
  session?: string;
  location?: { latitude: number; longitude: number; name?: string; address?: string };
  contacts?: Array<{ name: string; phones: string[] }>;
  /** A group of the session the customer (a member) writes in. */
  group?: string;
  /** The id of the message the customer replies to. */
  replyTo?: string;
}

export interface SandboxSession {
  id: string;
  provider: string;
  accountKey: string;
  label: string;
  transport: string;
  state: 'qr' | 'loading' | 'connected' | 'disconnected';
  stateSince: string;
  phone: string | null;
  linkedAt: string | null;
  createdAt: string;
  qr: { payload: string; rotatesAt: string | null } | null;
  pairing: { code: string; phone: string; expiresAt: string } | null;
}

export interface SandboxMessage {
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
  status: string;
  failureCode: string | null;
  failureReason: string | null;
  profileName: string | null;
  createdAt: string;
  sendAt: string | null;
  history: Array<{ status: string; at: string }>;
}

export interface WebhookAttempt {
  eventId: string;
  provider: string;
  accountKey: string;
  url: string;
  at: string;
  ok: boolean;
  status: number | null;
  latencyMs?: number;
  error: string | null;
  body: unknown;
  /** The chaos rule that duplicated, delayed, reordered or dropped this attempt. */
  chaos?: { rule: string; fault: string };
}

function enc(s: string): string {
  return encodeURIComponent(s);
}
