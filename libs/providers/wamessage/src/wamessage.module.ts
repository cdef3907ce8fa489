import { Module } from '@nestjs/common';
import type { ProviderDescriptor } from '#http';
import { authenticate } from './wamessage.access.js';
import { WamessageController } from './wamessage.controller.js';
import { fallbackError, unreadableBody } from './wamessage.errors.js';
import { WAMESSAGE, WAMESSAGE_BODY_LIMIT, wamessageProfile } from './wamessage.profile.js';
import { WamessageService } from './wamessage.service.js';

@Module({ controllers: [WamessageController], providers: [WamessageService] })
export class WamessageModule {}

export const wamessageProvider: ProviderDescriptor = {
  name: WAMESSAGE,
  title: 'Wamessage',
  module: WamessageModule,
  profile: wamessageProfile,
  bodyLimit: WAMESSAGE_BODY_LIMIT,
  fallbackError,
  authenticate,
  unreadableBody,
};
