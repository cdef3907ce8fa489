import { Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { bodyOf, bodyProblem } from '#http';
import { badRequest, settingRejected } from './wamessenger.errors.js';
import { parseMessageId, parsePage, parsePhonePrefix, parseSendInput, parseSwitch, parseWebhookUrl } from './wamessenger.dto.js';
import { WAMESSENGER } from './wamessenger.profile.js';
import { WamessengerService } from './wamessenger.service.js';

const TEXT = 'text/plain; charset=utf-8';

/** WaMessenger's routes: wire format in, one service call, wire format out. Documented by contracts/wamessenger.openapi.yaml. */
@ApiExcludeController()
@Controller(WAMESSENGER)
export class WamessengerController {
  constructor(private readonly service: WamessengerService) {}

  @Post('sendMessage/:apikey')
  @HttpCode(200)
  async sendMessage(@Param('apikey') key: string, @Req() request: FastifyRequest, @Res({ passthrough: true }) reply: FastifyReply) {
    const account = await this.service.account(key);
    const problem = bodyProblem(request);
    if (problem) throw badRequest(problem);
    const input = parseSendInput(bodyOf(request));
    const messages = await this.service.send(account, input);
    if (input.bulk) return messages.map((message) => ({ phonenumber: message.peer, tracking_Code: Number(message.id) }));
    reply.type(TEXT);
    return messages[0]!.id;
  }

  @Get('getStatus/:apikey')
  async getStatus(@Param('apikey') key: string, @Query('id') id: unknown) {
    const account = await this.service.account(key);
    return this.service.status(account, parseMessageId(id));
  }

  @Get('showAllMessages/:apikey')
  async showAllMessages(@Param('apikey') key: string, @Query('page') page: unknown, @Query('phonenumber') phone: unknown) {
    const account = await this.service.account(key);
    return this.service.sentMessages(account, parsePage(page), parsePhonePrefix(phone));
  }

  @Get('pending/:apikey')
  async pending(@Param('apikey') key: string, @Res({ passthrough: true }) reply: FastifyReply) {
    const account = await this.service.account(key);
    const items = await this.service.pending(account);
    if (items.length > 0) return items;
    reply.type(TEXT);
    return 'No Pending Message';
  }

  @Get('showAllGetMessages/:apikey')
  async showAllGetMessages(@Param('apikey') key: string, @Query('page') page: unknown, @Query('phonenumber') phone: unknown) {
    const account = await this.service.account(key);
    return this.service.receivedMessages(account, parsePage(page), parsePhonePrefix(phone));
  }

  @Get('webhook/set/:apikey')
  async setWebhook(@Param('apikey') key: string, @Query('url') rawUrl: unknown) {
    const account = await this.service.account(key);
    const url = parseWebhookUrl(rawUrl);
    if (!url) {
      const given = typeof rawUrl === 'string' ? rawUrl : '';
      throw settingRejected({ set: 'false', url: given, message: 'Invalid webhook url' }, 'url must be an http or https URL');
    }
    return this.service.setWebhook(account, url);
  }

  @Get('webhook/remove/:apikey')
  async removeWebhook(@Param('apikey') key: string) {
    return this.service.removeWebhook(await this.service.account(key));
  }

  @Get('webhook/pending/:apikey')
  async webhookPending(@Param('apikey') key: string) {
    return this.service.webhookPending(await this.service.account(key));
  }

  @Get('webhook/resend/:apikey')
  async webhookResend(@Param('apikey') key: string) {
    return this.service.webhookResend(await this.service.account(key));
  }

  @Get('sendSeen/:apikey')
  async sendSeen(@Param('apikey') key: string, @Query('seen') seen: unknown) {
    const account = await this.service.account(key);
    const on = parseSwitch(seen);
    if (on === null) throw settingRejected({ set: 'False', message: 'seen must be on or off' }, 'seen must be on or off');
    return this.service.setSendSeen(account, on);
  }

  @Get('receive/:apikey')
  async receive(@Param('apikey') key: string, @Query('receive') receive: unknown) {
    const account = await this.service.account(key);
    const on = parseSwitch(receive);
    if (on === null) throw settingRejected({ set: 'False', message: 'receive must be on or off' }, 'receive must be on or off');
    return this.service.setReceive(account, on);
  }
}
