import type { SandboxHandle } from '../support/sandbox.js';

/** A chaos rule as the control API answers it. */
export interface ChaosRuleView {
  id: string;
  kind: string;
  provider?: string;
  account?: string;
  route?: string;
  share: number;
  next?: number;
  fault: { type: string } & Record<string, unknown>;
  hits: number;
  remaining: number | null;
  createdAt: string;
}

export interface ChaosMarkView {
  rule: string;
  fault: string;
}

export interface JournalRequest {
  method: string;
  path: string;
  status: number;
  durationMs: number;
  chaos?: ChaosMarkView;
}

/** The control API's chaos routes, answered as they are (ControlClient.request reads JSON only, and DELETE answers 204). */
export function chaosControl(sandbox: SandboxHandle) {
  const url = (path = '') => `${sandbox.origin}/__sandbox/chaos${path}`;
  return {
    /** POST /__sandbox/chaos, expecting 201. */
    async add(input: unknown): Promise<ChaosRuleView> {
      const response = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
      const body = await response.json();
      if (response.status !== 201) throw new Error(`adding ${JSON.stringify(input)} answered ${response.status}: ${JSON.stringify(body)}`);
      return body as ChaosRuleView;
    },
    /** POST /__sandbox/chaos as it is answered, for refusals. */
    async post(input: unknown): Promise<{ status: number; body: unknown }> {
      const response = await fetch(url(), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(input) });
      return { status: response.status, body: await response.json() };
    },
    async list(): Promise<{ seed: number; rules: ChaosRuleView[] }> {
      return (await fetch(url())).json() as Promise<{ seed: number; rules: ChaosRuleView[] }>;
    },
    async rule(id: string): Promise<ChaosRuleView | undefined> {
      return (await this.list()).rules.find((rule) => rule.id === id);
    },
    /** DELETE one rule (with an id) or all; the status it answered. */
    async remove(id?: string): Promise<number> {
      return (await fetch(url(id === undefined ? '' : `/${id}`), { method: 'DELETE' })).status;
    },
    /** The request journal's entries for a provider, oldest first. */
    async requests(provider: string): Promise<JournalRequest[]> {
      return (await sandbox.control.request<{ requests: JournalRequest[] }>('GET', `/requests?provider=${provider}`)).requests;
    },
  };
}
