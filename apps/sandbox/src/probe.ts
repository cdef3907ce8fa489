import 'reflect-metadata';
import { Controller, Get, Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { engineName } from '#engine';

@Injectable()
export class Svc { name() { return engineName; } }

@Controller()
export class Ctl {
  constructor(private readonly svc: Svc) {}
  @Get('x') x() { return { name: this.svc.name() }; }
}

@Module({ controllers: [Ctl], providers: [Svc] })
export class ProbeModule {}

export async function make(): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(ProbeModule, new FastifyAdapter(), { logger: false });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}
