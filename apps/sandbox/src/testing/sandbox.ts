import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ControlClient, WebhookReceiver } from '#conformance';
import { createServer, type AddressInfo } from 'node:net';
import { createSandboxApp } from '../app.js';
import { loadConfig, type SandboxConfig } from '../config.js';
import { providerBaseUrl, type SandboxAccount } from './urls.js';

export interface StartSandboxOptions {
  /** `manual` (the default here): time moves only through `control.advance(ms)`, so tests never wait. */
  clock?: 'manual' | 'real';
  /** Real-clock speed factor (60 = one virtual minute per second). */
  speed?: number;
  /** Virtual time at start; default the wall time at start. */
  start?: Date | string | number;
  /** Seeds every random choice (default 1, as `npm start`). */
  seed?: number;
  /** Strict mode: only these accounts exist, every other key is refused. Default: any key works. */
  accounts?: SandboxAccount[];
  /** One webhook attempt's time limit, and the longest a clock advance waits for webhooks (default 5000). */
  webhookTimeoutMs?: number;
  /**
   * The control API and the dashboard ask for this token (`--control-token`); `control` sends it. Provider
   * routes never ask for it.
   */
  controlToken?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default: a free port. */
  port?: number;
  /** Any other setting of `npm start` (see its --help); the options above win. */
  config?: Partial<SandboxConfig>;
}

export interface TestSandbox {
  /** e.g. http://127.0.0.1:40123 */
  readonly origin: string;
  /** The control API's client: the clock, virtual customers, message and webhook journals. */
  readonly control: ControlClient;
  /** The Nest application, for what the control API does not cover. */
  readonly app: NestFastifyApplication;
  /** A provider's base URL: `baseUrl('wamessenger')`; Maytapi's needs a product id or a Maytapi account. */
  baseUrl(provider: string, product?: string): string;
  /** A webhook endpoint on 127.0.0.1 that records what the sandbox sends; closed with the sandbox. */
  webhookReceiver(): Promise<WebhookReceiver>;
  /** Stops the sandbox and every receiver it started. */
  close(): Promise<void>;
}

/**
 * A whole sandbox in this process, for an integrator's Jest or Vitest tests: no Docker, no child
 * process, started in about a second. Settings default as `npm start` does, but for the clock (manual),
 * the port (a free one), logging (off) and the store: in memory, so that every run starts afresh (the
 * default SQLite file in ./.wa-sandbox would carry one run's clock and messages into the next; pass
 * `config: { store: { kind: 'sqlite', file } }` to keep them).
 */
export async function startSandbox(options: StartSandboxOptions = {}): Promise<TestSandbox> {
  const host = options.host ?? '127.0.0.1';
  // The port is chosen before the app is built: the engine hands out sample-media links under its public URL.
  const port = options.port ?? (await freePort(host));
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  const defaults = loadConfig([], {}) as SandboxConfig;
  const accounts = options.accounts ?? [];
  const config: SandboxConfig = {
    ...defaults,
    publicUrl: origin,
    store: { kind: 'memory' },
    mediaDir: undefined,
    ...options.config,
    host,
    port,
    clockMode: options.clock ?? options.config?.clockMode ?? 'manual',
    ...(options.speed !== undefined ? { clockSpeed: options.speed } : {}),
    ...(options.start !== undefined ? { clockStart: new Date(options.start).getTime() } : {}),
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
    ...(options.accounts !== undefined ? { strictAccounts: options.accounts.map((account) => ({ ...account })) } : {}),
    ...(options.webhookTimeoutMs !== undefined ? { webhookTimeoutMs: options.webhookTimeoutMs } : {}),
    ...(options.controlToken !== undefined ? { controlToken: options.controlToken } : {}),
  };
  if (Number.isNaN(config.clockStart)) throw new Error(`startSandbox: start is not a date: ${String(options.start)}`);
  const app = await createSandboxApp(config, { logger: false });
  await app.listen({ port, host });
  const receivers: WebhookReceiver[] = [];
  return {
    origin,
    app,
    control: new ControlClient(`${origin}/__sandbox`, config.controlToken),
    baseUrl: (provider, product) => providerBaseUrl(origin, provider, accounts, product),
    async webhookReceiver() {
      const receiver = await WebhookReceiver.start();
      receivers.push(receiver);
      return receiver;
    },
    async close() {
      await Promise.all(receivers.splice(0).map((receiver) => receiver.close()));
      await app.close();
    },
  };
}

function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen({ host, port: 0 }, () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolve(port));
    });
  });
}
