/**
 * `wa-sandbox/testing`: the sandbox inside an integrator's own tests. `startSandbox()` runs it in the
 * test process; `wa-sandbox/testcontainers` runs the Docker image instead.
 */
export { startSandbox, type StartSandboxOptions, type TestSandbox } from './sandbox.js';
export type { SandboxAccount } from './urls.js';
export {
  ControlClient,
  ControlError,
  WebhookReceiver,
  type ClockState,
  type InboundMessage,
  type ReceivedRequest,
  type SandboxMessage,
  type SandboxSession,
  type WebhookAttempt,
} from '#conformance';
