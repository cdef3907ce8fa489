import { Controller, Get, Headers, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { bodyOf, bodyProblem, type ParsedBody } from '#http';
import { badRequest } from './wamessage.errors.js';
import { parseCredentials, parseDevicesPage, parseLoginControl, parseLogout, parsePairingPhone, parseRegister, parseSendInput } from './wamessage.dto.js';
import { WAMESSAGE } from './wamessage.profile.js';
import { WamessageService } from './wamessage.service.js';

/** Wamessage's routes: wire format in, one service call, wire format out. Documented by contracts/wamessage.openapi.yaml. */
@ApiExcludeController()
@Controller(WAMESSAGE)
export class WamessageController {
  constructor(private readonly service: WamessageService) {}

  @Post('user/register')
  @HttpCode(201)
  async register(@Req() request: FastifyRequest) {
    return this.service.register(parseRegister(body(request)));
  }

  @Post('user/login')
  @HttpCode(200)
  async login(@Req() request: FastifyRequest) {
    return this.service.login(parseCredentials(body(request)));
  }

  @Post('whatsapp/login/code')
  @HttpCode(200)
  async loginCode(@Headers('authorization') authorization: string | undefined, @Req() request: FastifyRequest) {
    const account = await this.service.authenticate(authorization);
    return this.service.requestCode(account, parsePairingPhone(body(request)));
  }

  @Get('whatsapp/ws/logincontrol')
  async loginControl(@Headers('authorization') authorization: string | undefined, @Query() query: Record<string, unknown>) {
    const account = await this.service.authenticate(authorization);
    const { registrationId, phone } = parseLoginControl(query);
    return this.service.loginControl(account, registrationId, phone);
  }

  @Get('whatsapp/devices')
  async devices(@Headers('authorization') authorization: string | undefined, @Query('page') page: unknown) {
    const account = await this.service.authenticate(authorization);
    return this.service.devices(account, parseDevicesPage(page));
  }

  @Post('whatsapp/sendmessage/multi')
  @HttpCode(200)
  async sendMulti(@Headers('authorization') authorization: string | undefined, @Req() request: FastifyRequest) {
    const account = await this.service.authenticate(authorization);
    return this.service.send(account, parseSendInput(body(request)));
  }

  @Post('whatsapp/logout')
  @HttpCode(200)
  async logout(@Headers('authorization') authorization: string | undefined, @Req() request: FastifyRequest) {
    const account = await this.service.authenticate(authorization);
    return this.service.logout(account, parseLogout(body(request)));
  }
}

/** The parsed body (JSON, form or multipart alike), or the provider's 400 when it could not be read. */
function body(request: FastifyRequest): ParsedBody {
  const problem = bodyProblem(request);
  if (problem) throw badRequest('İstek gövdesi okunamadı', problem);
  return bodyOf(request);
}
