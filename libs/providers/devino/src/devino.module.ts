import { Module } from '@nestjs/common';
import { defineProvider } from '#http';
import { devinoAccess } from './devino.access.js';
import { DevinoController } from './devino.controller.js';
import { devinoProfile } from './devino.profile.js';
import { DevinoService } from './devino.service.js';

@Module({ controllers: [DevinoController], providers: [DevinoService] })
export class DevinoModule {}

export const devinoProvider = defineProvider({ title: 'Devino', module: DevinoModule, profile: devinoProfile, access: devinoAccess });
