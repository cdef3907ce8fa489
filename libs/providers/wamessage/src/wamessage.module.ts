import { Module } from '@nestjs/common';
import { defineProvider } from '#http';
import { wamessageAccess } from './wamessage.access.js';
import { WamessageController } from './wamessage.controller.js';
import { wamessageProfile } from './wamessage.profile.js';
import { WamessageService } from './wamessage.service.js';

@Module({ controllers: [WamessageController], providers: [WamessageService] })
export class WamessageModule {}

export const wamessageProvider = defineProvider({ title: 'Wamessage', module: WamessageModule, profile: wamessageProfile, access: wamessageAccess });
