import { Module } from '@nestjs/common';
import type { ProviderDescriptor } from '#http';
import { authenticate } from './maytapi.access.js';
import { MaytapiController } from './maytapi.controller.js';
import { badRequest, fallbackError } from './maytapi.errors.js';
import { MAYTAPI, MAYTAPI_BODY_LIMIT, maytapiProfile } from './maytapi.profile.js';
import { MaytapiService } from './maytapi.service.js';

@Module({ controllers: [MaytapiController], providers: [MaytapiService] })
export class MaytapiModule {}

export const maytapiProvider: ProviderDescriptor = {
  name: MAYTAPI,
  title: 'Maytapi',
  module: MaytapiModule,
  profile: maytapiProfile,
  bodyLimit: MAYTAPI_BODY_LIMIT,
  fallbackError,
  authenticate,
  unreadableBody: (problem: string) => badRequest(`Invalid request body: ${problem}`, problem),
};
