import { Module, type OnModuleInit } from '@nestjs/common';
import { WhatsAppEngine } from '#engine';
import type { ProviderDescriptor } from '#http';
import { WamessageController } from './wamessage.controller.js';
import { fallbackError } from './wamessage.errors.js';
import { wamessageProfile, WAMESSAGE } from './wamessage.profile.js';
import { WamessageService } from './wamessage.service.js';

@Module({ controllers: [WamessageController], providers: [WamessageService] })
export class WamessageModule implements OnModuleInit {
  constructor(private readonly engine: WhatsAppEngine) {}

  onModuleInit(): void {
    this.engine.registerProvider(wamessageProfile);
  }
}

export const wamessageProvider: ProviderDescriptor = {
  name: WAMESSAGE,
  title: 'Wamessage',
  module: WamessageModule,
  fallbackError,
};
