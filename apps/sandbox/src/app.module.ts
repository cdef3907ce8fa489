import { type DynamicModule, Module } from '@nestjs/common';
import type { LinkedTransport } from '#engine';
import type { SandboxConfig } from './config.js';
import { ControlModule } from './control/control.module.js';
import { EngineModule } from './engine.module.js';
import { PROVIDERS } from './providers.js';
import { RelayModule } from './relay/relay.module.js';
import { RequestJournalModule } from './request-journal.module.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module is the class @Module decorates; forRoot configures it
export class AppModule {
  /** `transports`: those besides the simulated one (live mode's), built by the app. */
  static forRoot(config: SandboxConfig, transports: LinkedTransport[] = []): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EngineModule.forRoot(
          config,
          PROVIDERS.map((provider) => provider.profile),
          transports,
        ),
        RequestJournalModule,
        ControlModule,
        RelayModule,
        ...PROVIDERS.map((provider) => provider.module),
      ],
    };
  }
}
