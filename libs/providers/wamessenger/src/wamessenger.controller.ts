import { Controller, Get, HttpCode, Post, Query, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import type { Account } from '#engine';
import { ProviderAccount, WireBody, type ParsedBody } from '#http';
import { settingRejected } from './wamessenger.errors.js';
import { parseMessageId, parsePage, parsePhonePrefix, parseSendInput, parseSwitch, parseWebhookUrl } from './wamessenger.dto.js';
import { WAMESSENGER } from './wamessenger.profile.js';
import { WamessengerService } from './wamessenger.service.js';

const TEXT = 'text/plain; charset=utf-8';

/**
 * WaMessenger's routes: wire format in, one service call, wire format out. The api key in each path is
 * checked before the route runs (wamessenger.access.ts). Documented by contracts/wamessenger.openapi.yaml.
 */
@ApiExcludeController()
@Controller(WAMESSENGER)
export class WamessengerController {
  constructor(private readonly service: WamessengerService) {}

  @Post('sendMessage/:apikey')
  @HttpCode(200)
  async sendMessage(@ProviderAccount() account: Account, @WireBody() body: ParsedBody, @Res({ passthrough: true }) reply: FastifyReply) {
    const input = parseSendInput(body);
    const messages = await this.service.send(account, input);
    if (input.bulk) return messages.map((message) => ({ phonenumber: message.peer, tracking_Code: Number(message.id) }));
    reply.type(TEXT);
    return messages[0]!.id;
  }

  @Get('getStatus/:apikey')
  async getStatus(@ProviderAccount() account: Account, @Query('id') id: unknown) {
    return this.service.status(account, parseMessageId(id));
  }

  @Get('showAllMessages/:apikey')
  async showAllMessages(@ProviderAccount() account: Account, @Query('page') page: unknown, @Query('phonenumber') phone: unknown) {
    return this.service.sentMessages(account, parsePage(page), parsePhonePrefix(phone));
  }

  @Get('pending/:apikey')
  async pending(@ProviderAccount() account: Account, @Res({ passthrough: true }) reply: FastifyReply) {
    const items = await this.service.pending(account);
    if (items.length > 0) return items;
    reply.type(TEXT);
    return 'No Pending Message';
  }

  @Get('showAllGetMessages/:apikey')
  async showAllGetMessages(@ProviderAccount() account: Account, @Query('page') page: unknown, @Query('phonenumber') phone: unknown) {
    return this.service.receivedMessages(account, parsePage(page), parsePhonePrefix(phone));
  }

  @Get('webhook/set/:apikey')
  async setWebhook(@ProviderAccount() account: Account, @Query('url') rawUrl: unknown) {
    const url = parseWebhookUrl(rawUrl);
    if (!url) {
      const given = typeof rawUrl === 'string' ? rawUrl : '';
      throw settingRejected({ set: 'false', url: given, message: 'Invalid webhook url' }, 'url must be an http or https URL');
    }
    return this.service.setWebhook(account, url);
  }

  @Get('webhook/remove/:apikey')
  async removeWebhook(@ProviderAccount() account: Account) {
    return this.service.removeWebhook(account);
  }

  @Get('webhook/pending/:apikey')
  async webhookPending(@ProviderAccount() account: Account) {
    return this.service.webhookPending(account);
  }

  @Get('webhook/resend/:apikey')
  async webhookResend(@ProviderAccount() account: Account) {
    return this.service.webhookResend(account);
  }

  @Get('sendSeen/:apikey')
  async sendSeen(@ProviderAccount() account: Account, @Query('seen') seen: unknown) {
    const on = parseSwitch(seen);
    if (on === null) throw settingRejected({ set: 'False', message: 'seen must be on or off' }, 'seen must be on or off');
    return this.service.setSendSeen(account, on);
  }

  @Get('receive/:apikey')
  async receive(@ProviderAccount() account: Account, @Query('receive') receive: unknown) {
    const on = parseSwitch(receive);
    if (on === null) throw settingRejected({ set: 'False', message: 'receive must be on or off' }, 'receive must be on or off');
    return this.service.setReceive(account, on);
  }
}
