import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { AddressInfo } from 'node:net';
import { createSandboxApp } from '../../apps/sandbox/src/app.js';
import type { SandboxConfig } from '../../apps/sandbox/src/config.js';

export const TEST_START = Date.UTC(2026, 0, 1, 9, 0, 0);

export interface RunningSandbox {
  app: NestFastifyApplication;
  /** e.g. http://127.0.0.1:40123 */
  origin: string;
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
  return { app, origin: `http://127.0.0.1:${port}`, close: () => app.close() };
}

/** The control API, as a test uses it. */
export class Control {
  constructor(private readonly origin: string) {}

  async advance(ms: number) {
    return this.call('POST', '/__sandbox/clock/advance', { ms });
  }
  async reset() {
    return this.call('POST', '/__sandbox/reset');
  }
  async inbound(provider: string, key: string, body: Record<string, unknown>) {
    return this.call('POST', `/__sandbox/accounts/${provider}/${encodeURIComponent(key)}/inbound`, body);
  }
  async message(id: string) {
    return this.call('GET', `/__sandbox/messages/${id}`);
  }
  async webhookJournal(provider: string, key: string) {
    return (await this.call('GET', `/__sandbox/webhooks/journal?provider=${provider}&key=${encodeURIComponent(key)}`)).attempts as Array<Record<string, unknown>>;
  }

  async call(method: string, path: string, body?: unknown): Promise<any> {
    const response = await fetch(`${this.origin}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text}`);
    return JSON.parse(text);
  }
}
