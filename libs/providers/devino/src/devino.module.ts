import { Module } from '@nestjs/common';
import type { ProviderDescriptor } from '#http';
import { authenticate } from './devino.access.js';
import { DevinoController } from './devino.controller.js';
import { fallbackError, unreadableBody } from './devino.errors.js';
import { DEVINO, DEVINO_BODY_LIMIT, devinoProfile } from './devino.profile.js';
import { DevinoService } from './devino.service.js';

@Module({ controllers: [DevinoController], providers: [DevinoService] })
export class DevinoModule {}

export const devinoProvider: ProviderDescriptor = {
  name: DEVINO,
  title: 'Devino',
  module: DevinoModule,
  profile: devinoProfile,
  bodyLimit: DEVINO_BODY_LIMIT,
  fallbackError,
  authenticate,
  unreadableBody,
};
