import { Module, type OnModuleInit } from '@nestjs/common';
import { WhatsAppEngine } from '#engine';
import type { ProviderDescriptor } from '#http';
import { DevinoController } from './devino.controller.js';
import { fallbackError } from './devino.errors.js';
import { devinoProfile, DEVINO } from './devino.profile.js';
import { DevinoService } from './devino.service.js';

@Module({ controllers: [DevinoController], providers: [DevinoService] })
export class DevinoModule implements OnModuleInit {
  constructor(private readonly engine: WhatsAppEngine) {}

  onModuleInit(): void {
    this.engine.registerProvider(devinoProfile);
  }
}

export const devinoProvider: ProviderDescriptor = {
  name: DEVINO,
  title: 'Devino',
  module: DevinoModule,
  fallbackError,
};
