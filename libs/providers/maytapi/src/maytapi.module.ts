import { Module } from '@nestjs/common';
import { defineProvider } from '#http';
import { maytapiAccess } from './maytapi.access.js';
import { MaytapiController } from './maytapi.controller.js';
import { maytapiProfile } from './maytapi.profile.js';
import { MaytapiService } from './maytapi.service.js';

@Module({ controllers: [MaytapiController], providers: [MaytapiService] })
export class MaytapiModule {}

export const maytapiProvider = defineProvider({ title: 'Maytapi', module: MaytapiModule, profile: maytapiProfile, access: maytapiAccess });
