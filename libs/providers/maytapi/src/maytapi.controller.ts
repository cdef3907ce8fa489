import { All, Controller, Get, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '#engine';
import { DeferredWireBody, ProviderAccount, WireBody, type DeferredBody, type ParsedBody } from '#http';
import { ProductPhone, unreadableSendBody, type Phone } from './maytapi.access.js';
import {
  parseAckPreference,
  parseBackupData,
  parseBoolean,
  parseConversationId,
  parseCreateGroup,
  parseGroupConfig,
  parseGroupId,
  parseGroupMember,
  parseGroupsQuery,
  parseLeaveGroup,
  parsePhoneConfig,
  parsePhoneNumber,
  parseProfileImage,
  parseSendInput,
  parseWebhookUrl,
} from './maytapi.dto.js';
import { badRequest, maytapiError } from './maytapi.errors.js';
import { MAYTAPI } from './maytapi.profile.js';
import { MaytapiService } from './maytapi.service.js';
const PNG = 'image/png';
const OK = { success: true } as const;

/**
 * Maytapi's routes, `…/api/{product_id}[/{phone_id}]/<operation>`: wire format in, one service call, wire
 * format out. The product and its key are checked before a route runs, then the phone of a phone route
 * (maytapi.access.ts). Where the seed (POST) and the official spec (GET) disagree on a method, both are served.
 * Documented by contracts/maytapi.openapi.yaml.
 */
@ApiExcludeController()
@Controller(MAYTAPI)
export class MaytapiController {
  constructor(private readonly service: MaytapiService) {}

  @Get('api/:pid/product')
  async product(@ProviderAccount() account: Account) {
    return this.service.productData(account);
  }

  @Get('api/:pid/listPhones')
  async listPhones(@ProviderAccount() account: Account) {
    return this.service.listPhones(account);
  }

  @Get('api/:pid/queues')
  async queues(@ProviderAccount() account: Account) {
    return this.service.queues(account);
  }

  @Get('api/:pid/logs')
  async logs(@ProviderAccount() account: Account) {
    return this.service.logs(account);
  }

  @Post('api/:pid/setWebhook')
  @HttpCode(200)
  async setWebhook(@ProviderAccount() account: Account, @WireBody() body: ParsedBody) {
    return this.service.setWebhook(account, parseWebhookUrl(body.webhook));
  }

  @Post('api/:pid/addPhone')
  @HttpCode(200)
  async addPhone(@ProviderAccount() account: Account, @WireBody() body: ParsedBody) {
    return this.service.addPhone(account, parsePhoneNumber(body.number));
  }

  @Post('api/:pid/setAckPreference')
  @HttpCode(200)
  async setAckPreference(@ProviderAccount() account: Account, @WireBody() body: ParsedBody) {
    return this.service.setAckPreference(account, parseAckPreference(body));
  }

  @Get('api/:pid/:phoneId/status')
  async status(@ProductPhone() phone: Phone) {
    return this.service.status(phone);
  }

  @Get('api/:pid/:phoneId/qrCode')
  async qrCode(@ProductPhone() phone: Phone, @Res({ passthrough: true }) reply: FastifyReply) {
    const image = await this.service.qrCode(phone);
    reply.type(PNG);
    return image;
  }

  @Get('api/:pid/:phoneId/screen')
  async screen(@ProductPhone() phone: Phone, @Res({ passthrough: true }) reply: FastifyReply) {
    const image = await this.service.screen(phone);
    reply.type(PNG);
    return image;
  }

  @Get('api/:pid/:phoneId/restart')
  async restart(@ProductPhone() phone: Phone) {
    await this.service.restart(phone);
    return OK;
  }

  @Post('api/:pid/:phoneId/restart')
  @HttpCode(200)
  async restartPost(@ProductPhone() phone: Phone) {
    return this.restart(phone);
  }

  @Get('api/:pid/:phoneId/redeploy')
  async redeploy(@ProductPhone() phone: Phone) {
    await this.service.restart(phone);
    return { success: true, message: `Phone ${phone.id} is restarted.` };
  }

  @Get('api/:pid/:phoneId/logout')
  async logout(@ProviderAccount() account: Account, @ProductPhone() phone: Phone) {
    await this.service.logout(account, phone);
    return OK;
  }

  @Post('api/:pid/:phoneId/logout')
  @HttpCode(200)
  async logoutPost(@ProviderAccount() account: Account, @ProductPhone() phone: Phone) {
    return this.logout(account, phone);
  }

  @Get('api/:pid/:phoneId/backup')
  async backup(@ProviderAccount() account: Account, @ProductPhone() phone: Phone) {
    return this.service.backup(account, phone);
  }

  @Post('api/:pid/:phoneId/backup')
  @HttpCode(200)
  async backupPost(@ProviderAccount() account: Account, @ProductPhone() phone: Phone) {
    return this.backup(account, phone);
  }

  @Post('api/:pid/:phoneId/restore')
  @HttpCode(200)
  async restore(@ProviderAccount() account: Account, @ProductPhone() phone: Phone, @WireBody() body: ParsedBody) {
    await this.service.restore(account, phone, parseBackupData(body));
    return OK;
  }

  @Get('api/:pid/:phoneId/queue')
  async queue(@ProviderAccount() account: Account, @ProductPhone() phone: Phone) {
    return this.service.queue(account, phone);
  }

  @Get('api/:pid/:phoneId/purgeQueue')
  async purgeQueue(@ProviderAccount() account: Account, @ProductPhone() phone: Phone) {
    return this.service.purgeQueue(account, phone);
  }

  @Get('api/:pid/:phoneId/config')
  async config(@ProductPhone() phone: Phone) {
    return this.service.phoneConfig(phone);
  }

  @Post('api/:pid/:phoneId/config')
  @HttpCode(200)
  async setConfig(@ProviderAccount() account: Account, @ProductPhone() phone: Phone, @WireBody() body: ParsedBody) {
    return this.service.setPhoneConfig(account, phone, parsePhoneConfig(body));
  }

  @Post('api/:pid/:phoneId/sendMessage')
  @HttpCode(200)
  async sendMessage(@ProviderAccount() account: Account, @ProductPhone() phone: Phone, @WireBody({ unreadable: unreadableSendBody }) body: ParsedBody) {
    return this.service.send(account, phone, parseSendInput(body));
  }

  @Get('api/:pid/:phoneId/factoryreset')
  async factoryReset(@ProviderAccount() account: Account, @ProductPhone() phone: Phone) {
    await this.service.factoryReset(account, phone);
    return OK;
  }

  /** Deprecated for factoryreset: phones are no longer deleted (the spec), so it resets one and answers deleteSuccess. */
  @Get('api/:pid/:phoneId/delete')
  async delete(@ProviderAccount() account: Account, @ProductPhone() phone: Phone) {
    await this.service.factoryReset(account, phone);
    return { success: true, type: 'deleted', pid: account.key, phone_id: phone.id };
  }

  @Get('api/:pid/:phoneId/contacts')
  async contacts(@ProviderAccount() account: Account, @ProductPhone() phone: Phone) {
    return this.service.contacts(account, phone);
  }

  @Get('api/:pid/:phoneId/contact/:cid')
  async contact(@ProviderAccount() account: Account, @ProductPhone() phone: Phone, @Param('cid') cid: string) {
    return this.service.contact(account, phone, parseConversationId(cid));
  }

  @Get('api/:pid/:phoneId/catalog')
  async catalog(@ProductPhone() phone: Phone) {
    return this.service.catalog(phone);
  }

  @Post('api/:pid/:phoneId/createGroup')
  @HttpCode(200)
  async createGroup(@ProviderAccount() account: Account, @ProductPhone() phone: Phone, @WireBody() body: ParsedBody) {
    const { name, numbers } = parseCreateGroup(body);
    return this.service.createGroup(account, phone, name, numbers);
  }

  @Get('api/:pid/:phoneId/getGroups')
  async getGroups(@ProductPhone() phone: Phone, @Query() query: Record<string, unknown>) {
    return this.service.groups(phone, parseGroupsQuery(query));
  }

  @Get('api/:pid/:phoneId/getGroups/:cid')
  async getGroup(@ProductPhone() phone: Phone, @Param('cid') cid: string, @Query('invite') invite: unknown) {
    const groupId = parseGroupId(cid);
    const withInvite = invite === undefined || invite === '' ? false : parseBoolean(invite);
    if (withInvite === null) throw badRequest('invite must be true or false');
    return this.service.group(phone, groupId, withInvite);
  }

  @Post('api/:pid/:phoneId/setProfileImage')
  @HttpCode(200)
  async setProfileImage(@ProviderAccount() account: Account, @ProductPhone() phone: Phone, @WireBody() body: ParsedBody) {
    const { groupId, image } = parseProfileImage(body);
    return this.service.setProfileImage(account, phone, groupId, image);
  }

  @Post('api/:pid/:phoneId/group/config')
  @HttpCode(200)
  async groupConfig(@ProductPhone() phone: Phone, @WireBody() body: ParsedBody) {
    const { groupId, change } = parseGroupConfig(body);
    return this.service.configureGroup(phone, groupId, change);
  }

  /** An unknown action is a 404 whatever the body: the action is checked before the body is read. */
  @Post('api/:pid/:phoneId/group/:action')
  @HttpCode(200)
  async groupMember(@ProductPhone() phone: Phone, @Param('action') action: string, @DeferredWireBody() body: DeferredBody, @Req() request: FastifyRequest) {
    if (action !== 'add' && action !== 'remove' && action !== 'promote' && action !== 'demote') {
      throw maytapiError(404, 'Not Found', `no operation at ${request.method} ${request.url}`);
    }
    const { groupId, number } = parseGroupMember(body.read());
    return this.service.changeMember(phone, action, groupId, number);
  }

  @Post('api/:pid/:phoneId/leaveGroup')
  @HttpCode(200)
  async leaveGroup(@ProductPhone() phone: Phone, @WireBody() body: ParsedBody) {
    return this.service.leaveGroup(phone, parseLeaveGroup(body));
  }

  /** `…/api/{product_id}/{anything}` that is no product operation: Maytapi takes the segment for a phone id. */
  @All('api/:pid/:segment')
  async phoneLevel(@ProviderAccount() account: Account, @Param('segment') segment: string, @Req() request: FastifyRequest) {
    await this.service.phone(account, segment);
    throw maytapiError(404, 'Not Found', `no operation at ${request.method} ${request.url}`);
  }
}
