import { Module } from '@nestjs/common';
import { defineProvider } from '#http';
import { wammAccess } from './wamm.access.js';
import { WammController } from './wamm.controller.js';
import { wammProfile } from './wamm.profile.js';
import { WammService } from './wamm.service.js';

@Module({ controllers: [WammController], providers: [WammService] })
export class WammModule {}

export const wammProvider = defineProvider({ title: 'WAMM.chat', module: WammModule, profile: wammProfile, access: wammAccess });
