import { Module } from '@nestjs/common';
import type { ProviderDescriptor } from '#http';
import { authenticate } from './wamessenger.access.js';
import { WamessengerController } from './wamessenger.controller.js';
import { badRequest, fallbackError } from './wamessenger.errors.js';
import { WAMESSENGER, WAMESSENGER_BODY_LIMIT, wamessengerProfile } from './wamessenger.profile.js';
import { WamessengerService } from './wamessenger.service.js';

@Module({ controllers: [WamessengerController], providers: [WamessengerService] })
export class WamessengerModule {}

export const wamessengerProvider: ProviderDescriptor = {
  name: WAMESSENGER,
  title: 'WaMessenger',
  module: WamessengerModule,
  profile: wamessengerProfile,
  bodyLimit: WAMESSENGER_BODY_LIMIT,
  fallbackError,
  authenticate,
  unreadableBody: badRequest,
};
