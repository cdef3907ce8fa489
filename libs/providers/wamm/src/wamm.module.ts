import { Module, type OnModuleInit } from '@nestjs/common';
import { WhatsAppEngine } from '#engine';
import type { ProviderDescriptor } from '#http';
import { WammController } from './wamm.controller.js';
import { fallbackError } from './wamm.errors.js';
import { wammProfile, WAMM } from './wamm.profile.js';
import { WammService } from './wamm.service.js';

@Module({ controllers: [WammController], providers: [WammService] })
export class WammModule implements OnModuleInit {
  constructor(private readonly engine: WhatsAppEngine) {}

  onModuleInit(): void {
    this.engine.registerProvider(wammProfile);
  }
}

export const wammProvider: ProviderDescriptor = {
  name: WAMM,
  title: 'WAMM.chat',
  module: WammModule,
  fallbackError,
};
