import { type DynamicModule, Global, Module, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { WhatsAppEngine, type LinkedTransport, type ProviderProfile, type StoreLocation } from '#engine';
import { RelayTransport } from '#relay';
import type { SandboxConfig } from './config.js';
import { createRelay } from './relay/relay.module.js';

export const SANDBOX_CONFIG = Symbol('SANDBOX_CONFIG');

/** One engine per sandbox process, knowing every provider's profile, shared by the provider modules and the control API. */
@Global()
@Module({})
export class EngineModule implements OnModuleInit, OnApplicationShutdown {
  constructor(private readonly engine: WhatsAppEngine) {}

  /** Before the app serves: the engine carries on the clock and the jobs its store holds (a restart's). */
  async onModuleInit(): Promise<void> {
    await this.engine.resume();
  }

  /** The sessions' links, the engine's media files and its store go with the app (app.close(), SIGINT, SIGTERM). */
  onApplicationShutdown(): void {
    this.engine.close();
  }

  static forRoot(config: SandboxConfig, profiles: ProviderProfile[], transports: LinkedTransport[] = []): DynamicModule {
    let built: WhatsAppEngine | undefined;
    const relay = createRelay(config.seed, () => {
      if (!built) throw new Error('the relay was used before the engine was built');
      return built;
    });
    const engine = new WhatsAppEngine({
      store: storeLocation(config.store),
      clock: { mode: config.clockMode, speed: config.clockSpeed, ...(config.clockStart !== undefined ? { startAt: config.clockStart } : {}) },
      seed: config.seed,
      ...(config.strictAccounts ? { strictAccounts: config.strictAccounts } : {}),
      webhookTimeoutMs: config.webhookTimeoutMs,
      media: {
        ...(config.mediaDir !== undefined ? { dir: config.mediaDir } : {}),
        ...(config.mediaMaxBytes !== undefined ? { maxBytes: config.mediaMaxBytes } : {}),
        ...(config.mediaMaxAgeSeconds !== undefined ? { maxAgeMs: config.mediaMaxAgeSeconds * 1000 } : {}),
        ...(config.mediaFetches !== undefined ? { maxConcurrentFetches: config.mediaFetches } : {}),
        ...(config.mediaHosts !== undefined ? { allowHost: hostMatcher(config.mediaHosts) } : {}),
      },
      mediaBaseUrl: `${config.publicUrl}/__sandbox/media`,
      // The relay is always there (a phone may link any account); live mode's transport holds new sessions and
      // account links; stored sessions keep the one they name.
      transports: [relay, ...transports],
      ...(config.transport !== undefined ? { defaultTransport: config.transport } : {}),
    });
    built = engine;
    for (const profile of profiles) engine.registerProvider(profile);
    return {
      module: EngineModule,
      providers: [
        { provide: WhatsAppEngine, useValue: engine },
        { provide: SANDBOX_CONFIG, useValue: config },
        { provide: RelayTransport, useValue: relay },
      ],
      exports: [WhatsAppEngine, SANDBOX_CONFIG, RelayTransport],
    };
  }
}

function storeLocation(store: SandboxConfig['store']): StoreLocation {
  if (store?.kind === 'sqlite') return `sqlite:${store.file}`;
  if (store?.kind === 'postgres') return store.url;
  return 'memory';
}

/** `media.example.com` matches itself; `*.example.com` matches any subdomain of example.com (not example.com). */
export function hostMatcher(patterns: string[]): (host: string) => boolean {
  const expressions = patterns.map((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]+(?:\\.[^.]+)*')}$`, 'i'));
  return (host) => expressions.some((expression) => expression.test(host));
}
