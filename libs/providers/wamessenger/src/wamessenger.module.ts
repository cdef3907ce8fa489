import { Module, type OnModuleInit } from '@nestjs/common';
import { WhatsAppEngine } from '#engine';
import type { ProviderDescriptor } from '#http';
import { WamessengerController } from './wamessenger.controller.js';
import { fallbackError } from './wamessenger.errors.js';
import { wamessengerProfile, WAMESSENGER } from './wamessenger.profile.js';
import { WamessengerService } from './wamessenger.service.js';

@Module({ controllers: [WamessengerController], providers: [WamessengerService] })
export class WamessengerModule implements OnModuleInit {
  constructor(private readonly engine: WhatsAppEngine) {}

  onModuleInit(): void {
    this.engine.registerProvider(wamessengerProfile);
  }
}

export const wamessengerProvider: ProviderDescriptor = {
  name: WAMESSENGER,
  title: 'WaMessenger',
  module: WamessengerModule,
  fallbackError,
};
