import { type DynamicModule, Global, Inject, Module, type OnApplicationShutdown } from '@nestjs/common';
import { MemoryStore, SqliteStore, WhatsAppEngine, type EngineStore, type ProviderProfile } from '#engine';
import type { SandboxConfig } from './config.js';

export const SANDBOX_CONFIG = Symbol('SANDBOX_CONFIG');
const ENGINE_STORE = Symbol('ENGINE_STORE');

/** One engine per sandbox process, knowing every provider's profile, shared by the provider modules and the control API. */
@Global()
@Module({})
export class EngineModule implements OnApplicationShutdown {
  constructor(
    private readonly engine: WhatsAppEngine,
    @Inject(ENGINE_STORE) private readonly store: EngineStore,
  ) {}

  /** The engine's media files and its store go with the app (app.close(), SIGINT, SIGTERM). */
  onApplicationShutdown(): void {
    this.engine.close();
    if (this.store instanceof SqliteStore) this.store.close();
  }

  static forRoot(config: SandboxConfig, profiles: ProviderProfile[]): DynamicModule {
    const store = config.store?.kind === 'sqlite' ? new SqliteStore(config.store.file) : new MemoryStore();
    const engine = new WhatsAppEngine({
      store,
      clock: { mode: config.clockMode, speed: config.clockSpeed, ...(config.clockStart !== undefined ? { startAt: config.clockStart } : {}) },
      seed: config.seed,
      ...(config.strictAccounts ? { strictAccounts: config.strictAccounts } : {}),
      webhookTimeoutMs: config.webhookTimeoutMs,
      media: {
        ...(config.mediaDir !== undefined ? { dir: config.mediaDir } : {}),
        // Uploads' records are in the SQLite file: their bytes must outlive the process as well.
        ...(store instanceof SqliteStore ? { durable: true } : {}),
        ...(config.mediaMaxBytes !== undefined ? { maxBytes: config.mediaMaxBytes } : {}),
        ...(config.mediaMaxAgeSeconds !== undefined ? { maxAgeMs: config.mediaMaxAgeSeconds * 1000 } : {}),
        ...(config.mediaFetches !== undefined ? { maxConcurrentFetches: config.mediaFetches } : {}),
        ...(config.mediaHosts !== undefined ? { allowHost: hostMatcher(config.mediaHosts) } : {}),
      },
      mediaBaseUrl: `${config.publicUrl}/__sandbox/media`,
    });
    for (const profile of profiles) engine.registerProvider(profile);
    return {
      module: EngineModule,
      providers: [
        { provide: WhatsAppEngine, useValue: engine },
        { provide: SANDBOX_CONFIG, useValue: config },
        { provide: ENGINE_STORE, useValue: store },
      ],
      exports: [WhatsAppEngine, SANDBOX_CONFIG],
    };
  }
}

/** `media.example.com` matches itself; `*.example.com` matches any subdomain of example.com (not example.com). */
export function hostMatcher(patterns: string[]): (host: string) => boolean {
  const expressions = patterns.map((pattern) => new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^.]+(?:\\.[^.]+)*')}$`, 'i'));
  return (host) => expressions.some((expression) => expression.test(host));
}
