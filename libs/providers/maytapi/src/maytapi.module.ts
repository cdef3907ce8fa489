import { Module, type OnModuleInit } from '@nestjs/common';
import { WhatsAppEngine } from '#engine';
import type { ProviderDescriptor } from '#http';
import { MaytapiController } from './maytapi.controller.js';
import { fallbackError } from './maytapi.errors.js';
import { MAYTAPI, maytapiProfile } from './maytapi.profile.js';
import { MaytapiService } from './maytapi.service.js';

@Module({ controllers: [MaytapiController], providers: [MaytapiService] })
export class MaytapiModule implements OnModuleInit {
  constructor(private readonly engine: WhatsAppEngine) {}

  onModuleInit(): void {
    this.engine.registerProvider(maytapiProfile);
  }
}

export const maytapiProvider: ProviderDescriptor = {
  name: MAYTAPI,
  title: 'Maytapi',
  module: MaytapiModule,
  fallbackError,
};
