import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ControlClient } from '#conformance';
import type { AddressInfo } from 'node:net';
import { createSandboxApp } from '../../apps/sandbox/src/app.js';
import type { SandboxConfig } from '../../apps/sandbox/src/config.js';

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
export async function startSandbox(overrides: Partial<SandboxConfig> = {}): Promise<RunningSandbox> {
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
  const app = await createSandboxApp(config, { logger: false });
  await app.listen({ port: 0, host: '127.0.0.1' });
  const { port } = app.getHttpServer().address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return { app, origin, control: new ControlClient(`${origin}/__sandbox`), close: () => app.close() };
}
