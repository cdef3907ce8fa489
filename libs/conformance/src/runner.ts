import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';
import { isDeepStrictEqual } from 'node:util';
import { loadContract, render, type Contract } from './contract.js';
import { ControlClient, type ClockState } from './control.js';
import { describeResponse, send, type ApiRequest, type ApiResponse, type Exchange } from './http.js';
import { WebhookReceiver, type ReceivedRequest } from './receiver.js';
import { summarize, type CheckResult, type ConformanceReport, type ControlInfo } from './report.js';
import { getSuite } from './suites/index.js';
import { ScenarioFailure, ScenarioSkip, type Expect, type ProbeContext, type ScenarioContext, type Suite } from './suites/suite.js';

export interface ConformanceOptions {
  provider: string;
  /** The provider's base url on the target, e.g. `http://localhost:4000/wamessenger`. */
  baseUrl: string;
  /** The API key the probes use; a random one when omitted (any key works on a wa-sandbox). */
  key?: string;
  /** The recipient of the probes' messages; the suite's default when omitted. */
  phone?: string;
  /** Defaults to `<origin of baseUrl>/__sandbox`. */
  controlUrl?: string;
  /** The sandbox's control token, when it was started with one (`--control-token`). */
  controlToken?: string;
  /** Media the probes attach where the provider requires it; a tiny inline PNG on a wa-sandbox. */
  mediaUrl?: string;
  /** Where `<provider>.openapi.yaml` lives; defaults to the repository's `contracts/`. */
  contractsDir?: string;
}

export async function runConformance(options: ConformanceOptions): Promise<ConformanceReport> {
  const started = Date.now();
  const suite = getSuite(options.provider);
  const contractPath = resolve(options.contractsDir ?? defaultContractsDir(suite.contract), suite.contract);
  const contract = await loadContract(contractPath);
  const controlUrl = (options.controlUrl ?? ControlClient.defaultUrl(options.baseUrl)).replace(/\/+$/, '');
  const control = new ControlClient(controlUrl, options.controlToken);
  const controlInfo = await detectControl(control, suite.provider);

  const run = new Run(suite, contract, options.baseUrl);
  const key = options.key ?? `wa-conformance-${randomBytes(4).toString('hex')}`;
  await run.probes({
    key,
    phone: options.phone ?? suite.defaultPhone,
    mediaUrl: options.mediaUrl,
    sandbox: controlInfo.available,
    control: controlInfo.available ? control : undefined,
  });
  if (controlInfo.available) {
    await run.scenarios(control, key);
  } else {
    for (const scenario of suite.scenarios) {
      run.record({
        name: scenario.name,
        kind: 'scenario',
        status: 'skipped',
        details: [`no control API at ${controlUrl} (the target is not a wa-sandbox): scenario skipped`],
      });
    }
  }
  const unexercised = run.coverage();

  const checks = run.checks;
  const summary = summarize(checks);
  return {
    provider: suite.provider,
    baseUrl: options.baseUrl,
    contract: contractPath,
    control: controlInfo,
    startedAt: new Date(started).toISOString(),
    durationMs: Date.now() - started,
    checks,
    unexercisedOperations: unexercised,
    summary,
    ok: summary.failed === 0,
  };
}

/** The nearest `contracts/` above this module that holds the file (works from src/ and from dist/). */
export function defaultContractsDir(file: string): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = join(dir, 'contracts');
    if (existsSync(join(candidate, file))) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return resolve('contracts');
    dir = parent;
  }
}

async function detectControl(control: ControlClient, provider: string): Promise<ControlInfo> {
  const probe = await control.probe();
  if (!probe.available) return { url: control.url, available: false, reason: probe.reason };
  const served = [...probe.health.providers, ...(probe.health.apis ?? [])];
  if (!served.includes(provider)) {
    return {
      url: control.url,
      available: false,
      reason: `the sandbox there serves ${served.join(', ') || 'no provider'}, not ${provider}`,
    };
  }
  return { url: control.url, available: true, version: probe.health.version };
}

class Run {
  readonly checks: CheckResult[] = [];
  private readonly exercised = new Set<string>();

  constructor(
    private readonly suite: Suite,
    private readonly contract: Contract,
    private readonly baseUrl: string,
  ) {}

  record(check: CheckResult): void {
    this.checks.push(check);
  }

  async probes(params: { key: string; phone: string; mediaUrl: string | undefined; sandbox: boolean; control: ControlClient | undefined }): Promise<void> {
    const receivers: WebhookReceiver[] = [];
    const ctx: ProbeContext = {
      provider: this.suite.provider,
      ...params,
      call: async (label, req, expect) => {
        const { exchange, check } = await this.exchange(req, params.key, label, expect);
        this.record(check);
        return exchange.response;
      },
      skip: (label, reason) => {
        this.record({ name: label, kind: 'contract', status: 'skipped', details: [reason] });
      },
      receiver: async () => {
        const r = await WebhookReceiver.start();
        receivers.push(r);
        return r;
      },
    };
    try {
      await this.suite.probes(ctx);
    } catch (err) {
      this.record({ name: 'probes', kind: 'contract', status: 'failed', details: [`the probes stopped early: ${errorText(err)}`] });
    } finally {
      await Promise.all(receivers.map((r) => r.close()));
    }
  }

  async scenarios(control: ControlClient, key: string): Promise<void> {
    let before: ClockState;
    try {
      before = await control.clock();
      await control.setClock({ mode: 'manual' });
    } catch (err) {
      for (const scenario of this.suite.scenarios) {
        this.record({ name: scenario.name, kind: 'scenario', status: 'failed', details: [`cannot switch the sandbox clock to manual: ${errorText(err)}`] });
      }
      return;
    }
    try {
      for (const scenario of this.suite.scenarios) await this.scenario(scenario.name, control, key, scenario.run);
    } finally {
      try {
        await control.setClock({ mode: before.mode, speed: before.speed });
      } catch (err) {
        this.record({ name: 'sandbox clock restored', kind: 'scenario', status: 'failed', details: [errorText(err)] });
      }
    }
  }

  /** operationIds nobody called; recorded as a failing check when there are any. */
  coverage(): string[] {
    const missing = this.contract.operations.filter((o) => !this.exercised.has(o.operationId));
    const total = this.contract.operations.length;
    this.record({
      name: `coverage: every contract operation exercised (${total - missing.length}/${total})`,
      kind: 'contract',
      status: missing.length === 0 ? 'passed' : 'failed',
      details: missing.map((o) => `never exercised: ${o.operationId} ${o.method} ${o.path}`),
    });
    return missing.map((o) => o.operationId);
  }

  private async scenario(name: string, control: ControlClient, key: string, body: (ctx: ScenarioContext) => Promise<void>): Promise<void> {
    const receivers: WebhookReceiver[] = [];
    const ctx: ScenarioContext = {
      provider: this.suite.provider,
      control,
      key,
      freshKey: (label) => `conformance-${label}-${randomBytes(4).toString('hex')}`,
      api: async (req, expect) => {
        const { exchange, check } = await this.exchange(req, '', undefined, expect);
        if (check.status === 'failed') throw new ScenarioFailure([check.name, ...check.details.map((d) => `  ${d}`)]);
        return exchange.response as ApiResponse;
      },
      receiver: async () => {
        const r = await WebhookReceiver.start();
        receivers.push(r);
        return r;
      },
      advance: async (ms) => {
        await control.advance(ms);
      },
      stepUntil: async (what, { stepMs, maxMs }, reached) => {
        let elapsed = 0;
        while (!(await reached())) {
          if (elapsed >= maxMs) ctx.fail(`${what}: not reached after ${maxMs / 1000} s of clock time`);
          await control.advance(stepMs);
          elapsed += stepMs;
        }
        return elapsed;
      },
      webhookErrors: (webhook, received) => webhookErrors(this.contract, webhook, received),
      check: (condition, message) => {
        if (!condition) throw new ScenarioFailure([message]);
      },
      equal: (actual, expected, what) => {
        if (isDeepStrictEqual(actual, expected)) return;
        if (isRecord(actual) && isRecord(expected)) {
          // Name the fields that differ: whole objects would be cut short in a report line.
          const keys = [...new Set([...Object.keys(expected), ...Object.keys(actual)])];
          throw new ScenarioFailure([
            `${what} differs:`,
            ...keys.filter((k) => !isDeepStrictEqual(actual[k], expected[k])).map((k) => `  "${k}": expected ${render(expected[k])}, got ${render(actual[k])}`),
          ]);
        }
        throw new ScenarioFailure([`${what}: expected ${render(expected)}, got ${render(actual)}`]);
      },
      fail: (...lines) => {
        throw new ScenarioFailure(lines);
      },
      skip: (reason) => {
        throw new ScenarioSkip(reason);
      },
    };
    try {
      await body(ctx);
      this.record({ name, kind: 'scenario', status: 'passed', details: [] });
    } catch (err) {
      if (err instanceof ScenarioSkip) this.record({ name, kind: 'scenario', status: 'skipped', details: [err.message] });
      else if (err instanceof ScenarioFailure) this.record({ name, kind: 'scenario', status: 'failed', details: err.lines });
      else this.record({ name, kind: 'scenario', status: 'failed', details: [errorText(err)] });
    } finally {
      await Promise.all(receivers.map((r) => r.close()));
    }
  }

  /** Sends one request and judges the response against the contract (and the expected status, if any). */
  private async exchange(req: ApiRequest, key: string, label: string | undefined, expect: Expect = {}): Promise<{ exchange: Exchange; check: CheckResult }> {
    const match = this.contract.match(req.method, req.path);
    if (match) this.exercised.add(match.operation.operationId);
    const route = match
      ? `${match.operation.operationId} ${match.operation.method} ${match.operation.path}`
      : `unknown route ${req.method.toUpperCase()} ${displayPath(req.path, key)}`;
    const suffix = label ? ` (${label})` : '';
    const exchange = await send(this.baseUrl, req);
    const request = `request: ${exchange.method} ${exchange.url}${exchange.requestContentType ? ` (${exchange.requestContentType})` : ''}`;
    const res = exchange.response;
    if (!res) {
      return {
        exchange,
        check: { name: `${route}${suffix}`, kind: 'contract', status: 'failed', details: [`no response: ${exchange.error ?? 'unknown error'}`, request] },
      };
    }
    const result = this.contract.validateResponse(match?.operation, { status: res.status, contentType: res.contentType, body: res.text });
    const details = [...result.errors];
    if (expect.status !== undefined && res.status !== expect.status) details.push(`expected status ${expect.status}, got ${res.status}`);
    if (expect.mediaType !== undefined && result.mediaType !== expect.mediaType) {
      details.push(`expected content type ${expect.mediaType}, got ${result.mediaType ?? 'none'}`);
    }
    if (details.length > 0) details.push(request, `response: ${describeResponse(res)}`);
    return {
      exchange,
      check: {
        name: `${route} → ${res.status} ${result.mediaType ?? '(no content type)'}${suffix}`,
        kind: 'contract',
        status: details.length === 0 ? 'passed' : 'failed',
        details,
      },
    };
  }
}

function webhookErrors(contract: Contract, webhook: string, received: ReceivedRequest): string[] {
  const result = contract.validateWebhook(webhook, received.contentType, received.body);
  return result.ok ? [] : [`webhook ${webhook} payload breaks the contract:`, ...result.errors.map((e) => `  ${e}`)];
}

function displayPath(path: string, key: string): string {
  const bare = path.split('?')[0] ?? '';
  return key ? bare.split(encodeURIComponent(key)).join('{key}') : bare;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function errorText(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
