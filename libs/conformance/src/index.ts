export { runConformance, defaultContractsDir, type ConformanceOptions } from './runner.js';
export {
  formatJUnit,
  formatReport,
  summaryLine,
  type CheckKind,
  type CheckResult,
  type CheckStatus,
  type ConformanceReport,
  type ControlInfo,
} from './report.js';
export {
  Contract,
  loadContract,
  essence,
  type MediaSpec,
  type Operation,
  type ResponseLike,
  type ResponseSpec,
  type RouteMatch,
  type ValidationResult,
  type WebhookSpec,
} from './contract.js';
export {
  ControlClient,
  ControlError,
  type ClockState,
  type InboundMessage,
  type SandboxHealth,
  type SandboxMessage,
  type SandboxSession,
  type WebhookAttempt,
} from './control.js';
export { WebhookReceiver, type ReceivedRequest } from './receiver.js';
export type { ApiRequest, ApiResponse, MultipartFile, RequestBody } from './http.js';
export { getSuite, providers, SANDBOX_APIS, suiteNames, UnknownProviderError } from './suites/index.js';
export type { Expect, FuzzCredentials, ProbeContext, Scenario, ScenarioContext, Suite } from './suites/suite.js';
export { fuzz, type FuzzFinding, type FuzzOptions, type FuzzReport, type FuzzRequest } from './fuzz.js';
export { fuzzProvider, type FuzzProviderOptions } from './fuzz.targets.js';
