import { Controller, Get, HttpCode, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Account } from '#engine';
import { ProviderAccount, Unauthenticated, WireBody, type ParsedBody } from '#http';
import { parseCredentials, parseDevicesPage, parseLoginControl, parseLogout, parsePairingPhone, parseRegister, parseSendInput } from './wamessage.dto.js';
import { WAMESSAGE } from './wamessage.profile.js';
import { WamessageService } from './wamessage.service.js';

/**
 * Wamessage's routes: wire format in, one service call, wire format out. The bearer token is checked
 * before the route runs (wamessage.access.ts), except on sign-up and login. Documented by contracts/wamessage.openapi.yaml.
 */
@ApiExcludeController()
@Controller(WAMESSAGE)
export class WamessageController {
  constructor(private readonly service: WamessageService) {}

  @Post('user/register')
  @HttpCode(201)
  @Unauthenticated()
  async register(@WireBody() body: ParsedBody) {
    return this.service.register(parseRegister(body));
  }

  @Post('user/login')
  @HttpCode(200)
  @Unauthenticated()
  async login(@WireBody() body: ParsedBody) {
    return this.service.login(parseCredentials(body));
  }

  @Post('whatsapp/login/code')
  @HttpCode(200)
  async loginCode(@ProviderAccount() account: Account, @WireBody() body: ParsedBody) {
    return this.service.requestCode(account, parsePairingPhone(body));
  }

  @Get('whatsapp/ws/logincontrol')
  async loginControl(@ProviderAccount() account: Account, @Query() query: Record<string, unknown>) {
    const { registrationId, phone } = parseLoginControl(query);
    return this.service.loginControl(account, registrationId, phone);
  }

  @Get('whatsapp/devices')
  async devices(@ProviderAccount() account: Account, @Query('page') page: unknown) {
    return this.service.devices(account, parseDevicesPage(page));
  }

  @Post('whatsapp/sendmessage/multi')
  @HttpCode(200)
  async sendMulti(@ProviderAccount() account: Account, @WireBody() body: ParsedBody) {
    return this.service.send(account, parseSendInput(body));
  }

  @Post('whatsapp/logout')
  @HttpCode(200)
  async logout(@ProviderAccount() account: Account, @WireBody() body: ParsedBody) {
    return this.service.logout(account, parseLogout(body));
  }
}
