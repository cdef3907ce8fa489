import { Module } from '@nestjs/common';
import { defineProvider } from '#http';
import { wamessengerAccess } from './wamessenger.access.js';
import { WamessengerController } from './wamessenger.controller.js';
import { wamessengerProfile } from './wamessenger.profile.js';
import { WamessengerService } from './wamessenger.service.js';

@Module({ controllers: [WamessengerController], providers: [WamessengerService] })
export class WamessengerModule {}

export const wamessengerProvider = defineProvider({ title: 'WaMessenger', module: WamessengerModule, profile: wamessengerProfile, access: wamessengerAccess });
