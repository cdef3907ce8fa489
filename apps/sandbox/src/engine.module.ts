import { type DynamicModule, Global, Module } from '@nestjs/common';
import { WhatsAppEngine, type ProviderProfile } from '#engine';
import type { SandboxConfig } from './config.js';

export const SANDBOX_CONFIG = Symbol('SANDBOX_CONFIG');

/** One engine per sandbox process, knowing every provider's profile, shared by the provider modules and the control API. */
@Global()
@Module({})
export class EngineModule {
  static forRoot(config: SandboxConfig, profiles: ProviderProfile[]): DynamicModule {
    const engine = new WhatsAppEngine({
      clock: { mode: config.clockMode, speed: config.clockSpeed, ...(config.clockStart !== undefined ? { startAt: config.clockStart } : {}) },
      seed: config.seed,
      ...(config.strictAccounts ? { strictAccounts: config.strictAccounts } : {}),
      webhookTimeoutMs: config.webhookTimeoutMs,
      mediaBaseUrl: `${config.publicUrl}/__sandbox/media`,
    });
    for (const profile of profiles) engine.registerProvider(profile);
    return {
      module: EngineModule,
      providers: [
        { provide: WhatsAppEngine, useValue: engine },
        { provide: SANDBOX_CONFIG, useValue: config },
      ],
      exports: [WhatsAppEngine, SANDBOX_CONFIG],
    };
  }
}
