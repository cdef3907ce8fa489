import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ControlClient, WebhookReceiver } from '#conformance';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createSandboxApp, type SandboxAppOptions } from '../../apps/sandbox/src/app.js';
import type { SandboxConfig } from '../../apps/sandbox/src/config.js';
import { startMediaServer, type MediaServer } from './media-server.js';

export const TEST_START = Date.UTC(2026, 0, 1, 9, 0, 0);

export interface RunningSandbox {
  app: NestFastifyApplication;
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
  /** The conformance kit's client for this sandbox's control API. */
  control: ControlClient;
  close(): Promise<void>;
}

/** A real sandbox on a free loopback port, on the manual clock, started at TEST_START. */
export async function startSandbox(overrides: Partial<SandboxConfig> = {}, appOptions: SandboxAppOptions = {}): Promise<RunningSandbox> {
  const config: SandboxConfig = {
    port: 0,
    host: '127.0.0.1',
    clockMode: 'manual',
    clockSpeed: 1,
    clockStart: TEST_START,
    seed: 7,
    accountsFile: undefined,
    strictAccounts: undefined,
    webhookTimeoutMs: 2000,
    publicUrl: 'http://127.0.0.1',
    logRequests: false,
    ...overrides,
  };
  const app = await createSandboxApp(config, { logger: false, ...appOptions });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return { app, origin, control: new ControlClient(`${origin}/__sandbox`, config.controlToken), close: () => closeApp(app) };
}

/**
 * Closes every connection first, then the app. Fastify's close (by default) ends only idle keep-alive
 * connections and waits for the others: a request a test left open (a body never read, a receiver that
 * never answers, a download) would hold the test file's afterAll until Jest's timeout. Nothing may still
 * be in flight when a test file is done, so ending it is the right answer.
 */
async function closeApp(app: NestFastifyApplication): Promise<void> {
  (app.getHttpServer() as Server).closeAllConnections();
  await app.close();
}

export interface SandboxOptions {
  /**
   * Configuration over startSandbox's (the clock: `clockMode: 'real'`, `clockStart`; media limits; strict accounts…),
   * or a function that answers it in beforeAll, for configuration that names something an earlier hook made (a directory).
   */
  config?: Partial<SandboxConfig> | (() => Partial<SandboxConfig>);
  /** The provider `base` is the base URL of: `<origin>/<provider>`. */
  provider?: string;
  /** `control.reset()` before each test: on unless the file's tests share state on purpose. */
  reset?: boolean;
  /** A WebhookReceiver started before each test (after the reset) and closed after it. */
  receiver?: boolean;
  /** A media server (test/support/media-server.ts) for the file's tests. */
  media?: boolean;
  /** How the app is built (the dashboard's directory), or a function that answers it in beforeAll. */
  app?: SandboxAppOptions | (() => SandboxAppOptions);
}

export interface SandboxHandle extends RunningSandbox {
  /** `<origin>/<provider>`, with `provider` given. */
  base: string;
  /** This test's receiver, with `receiver: true`. */
  receiver: WebhookReceiver;
  /** With `media: true`. */
  media: MediaServer;
}

/**
 * A sandbox for the enclosing describe block: registers its own beforeAll/afterAll (and beforeEach/afterEach
 * for the reset and the receiver) with Jest. The handle's fields are filled in beforeAll, so read them in
 * hooks and tests, never when the file loads. Hooks the file registers after this call run after these.
 */
export function useSandbox(options: SandboxOptions = {}): SandboxHandle {
  const handle = {} as SandboxHandle;
  beforeAll(async () => {
    const config = typeof options.config === 'function' ? options.config() : options.config;
    Object.assign(handle, await startSandbox(config, typeof options.app === 'function' ? options.app() : options.app));
    if (options.provider) handle.base = `${handle.origin}/${options.provider}`;
    if (options.media) handle.media = await startMediaServer();
  });
  afterAll(async () => {
    await handle.media?.close();
    await handle.close?.();
  });
  if (options.reset ?? true) beforeEach(() => handle.control.reset());
  if (options.receiver) {
    beforeEach(async () => {
      handle.receiver = await WebhookReceiver.start();
    });
    afterEach(() => handle.receiver.close());
  }
  return handle;
}
