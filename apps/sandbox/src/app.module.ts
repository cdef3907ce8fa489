import { type DynamicModule, Module } from '@nestjs/common';
import type { SandboxConfig } from './config.js';
import { ControlModule } from './control/control.module.js';
import { EngineModule } from './engine.module.js';
import { PROVIDERS } from './providers.js';
import { RelayModule } from './relay/relay.module.js';
import { RequestJournalModule } from './request-journal.module.js';

@Module({})
// biome-ignore lint/complexity/noStaticOnlyClass: a Nest module is the class @Module decorates; forRoot configures it
export class AppModule {
  static forRoot(config: SandboxConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        EngineModule.forRoot(
          config,
          PROVIDERS.map((provider) => provider.profile),
        ),
        RequestJournalModule,
        ControlModule,
        RelayModule,
        ...PROVIDERS.map((provider) => provider.module),
      ],
    };
  }
}
