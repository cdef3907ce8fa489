import { Module } from '@nestjs/common';
import type { ProviderDescriptor } from '#http';
import { authenticate, unreadableBody } from './wamm.access.js';
import { WammController } from './wamm.controller.js';
import { fallbackError } from './wamm.errors.js';
import { WAMM, WAMM_BODY_LIMIT, wammProfile } from './wamm.profile.js';
import { WammService } from './wamm.service.js';

@Module({ controllers: [WammController], providers: [WammService] })
export class WammModule {}

export const wammProvider: ProviderDescriptor = {
  name: WAMM,
  title: 'WAMM.chat',
  module: WammModule,
  profile: wammProfile,
  bodyLimit: WAMM_BODY_LIMIT,
  fallbackError,
  authenticate,
  unreadableBody,
};
