import { Module } from '@nestjs/common';
import type { ProviderDescriptor } from '#http';
import { authenticate } from './devino.access.js';
import { DevinoController } from './devino.controller.js';
import { fallbackError, unreadableBody } from './devino.errors.js';
import { devinoProfile, DEVINO } from './devino.profile.js';
import { DevinoService } from './devino.service.js';

@Module({ controllers: [DevinoController], providers: [DevinoService] })
export class DevinoModule {}

export const devinoProvider: ProviderDescriptor = {
  name: DEVINO,
  title: 'Devino',
  module: DevinoModule,
  profile: devinoProfile,
  fallbackError,
  authenticate,
  unreadableBody,
};
