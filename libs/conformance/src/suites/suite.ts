import type { ControlClient } from '../control.js';
import type { ApiRequest, ApiResponse } from '../http.js';
import type { ReceivedRequest, WebhookReceiver } from '../receiver.js';

/**
 * One provider's checks: contract probes that call every operation of its contract (they also work
 * against a real server), and behavioural scenarios that drive a wa-sandbox through its control API.
 */
export interface Suite {
  provider: string;
  /** File name of the contract inside the contracts directory. */
  contract: string;
  /** Used when the caller gives no phone number. */
  defaultPhone: string;
  probes(ctx: ProbeContext): Promise<void>;
  scenarios: Scenario[];
  /**
   * What the fuzzer needs to get past the provider's authentication, so that most of its requests reach
   * the provider's own validation: valid credentials and path values, made on the target itself as the
   * provider's documented API makes them (on a wa-sandbox any key is an account). `baseUrl` has no trailing slash.
   */
  fuzzCredentials(baseUrl: string, key: string): Promise<FuzzCredentials>;
}

export interface FuzzCredentials {
  headers: Record<string, string>;
  pathValues: Record<string, string>;
}

/** What a request must get beyond conforming to the contract. */
export interface Expect {
  status?: number;
  /** Content type essence, e.g. `text/plain`. */
  mediaType?: string;
}

export interface Scenario {
  name: string;
  run(ctx: ScenarioContext): Promise<void>;
}

export interface ProbeContext {
  readonly provider: string;
  readonly key: string;
  readonly phone: string;
  /** The `--media-url` option, if given. */
  readonly mediaUrl: string | undefined;
  /** True when the target answered the wa-sandbox control API. */
  readonly sandbox: boolean;
  /** The sandbox's control API when `sandbox` is true (probes may play the phone with it), else undefined. */
  readonly control: ControlClient | undefined;
  /**
   * Sends a request and records one contract check for it; `expect` adds the intent of the probe
   * (e.g. an invalid value must be refused), on top of what the contract allows. Resolves undefined when no response arrived.
   */
  call(label: string, req: ApiRequest, expect?: Expect): Promise<ApiResponse | undefined>;
  /** Records a contract check that could not run. */
  skip(label: string, reason: string): void;
  /** A local webhook receiver, closed when the probes end. */
  receiver(): Promise<WebhookReceiver>;
}

export interface ScenarioContext {
  readonly provider: string;
  readonly control: ControlClient;
  /**
   * The run's key (`--key`, or the random one the probes used): for providers whose account is named by
   * the base url, where a fresh key cannot make a fresh account (Maytapi binds the product to its first key).
   */
  readonly key: string;
  /** A key no other scenario or run uses, so runs never see each other's messages. */
  freshKey(label: string): string;
  /**
   * Sends a request and validates the response against the contract; a contract violation, a missing
   * response or an unmet `expect` fails the scenario.
   */
  api(req: ApiRequest, expect?: Expect): Promise<ApiResponse>;
  /** A local webhook receiver, closed when the scenario ends. */
  receiver(): Promise<WebhookReceiver>;
  /** Advances the sandbox's manual clock. */
  advance(ms: number): Promise<void>;
  /**
   * Calls `reached` now and after each `stepMs` of clock time until it returns true; fails once more than
   * `maxMs` of clock time went by. Resolves the clock time it took.
   */
  stepUntil(what: string, step: { stepMs: number; maxMs: number }, reached: () => Promise<boolean>): Promise<number>;
  /** Contract errors of a payload the target posted to a receiver (empty when it conforms). */
  webhookErrors(webhook: string, received: ReceivedRequest): string[];
  check(condition: boolean, message: string): asserts condition;
  equal(actual: unknown, expected: unknown, what: string): void;
  fail(...lines: string[]): never;
  skip(reason: string): never;
}

export class ScenarioFailure extends Error {
  constructor(readonly lines: string[]) {
    super(lines.join('\n'));
  }
}

export class ScenarioSkip extends Error {}
