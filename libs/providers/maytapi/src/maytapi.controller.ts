import { All, Controller, Get, Headers, HttpCode, Param, Post, Query, Req, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account } from '#engine';
import { BODY_TOO_LARGE, bodyOf, bodyProblem, type ParsedBody } from '#http';
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
import { badRequest, invalidPhone, maytapiError } from './maytapi.errors.js';
import { MAYTAPI } from './maytapi.profile.js';
import { MaytapiService, type Phone } from './maytapi.service.js';

const KEY_HEADER = 'x-maytapi-key';
const PNG = 'image/png';
const OK = { success: true } as const;

/**
 * Maytapi's routes, `…/api/{product_id}[/{phone_id}]/<operation>`: wire format in, one service call, wire
 * format out. Where the seed (POST) and the official spec (GET) disagree on a method, both are served.
 * Documented by contracts/maytapi.openapi.yaml.
 */
@ApiExcludeController()
@Controller(MAYTAPI)
export class MaytapiController {
  constructor(private readonly service: MaytapiService) {}

  @Get('api/:pid/product')
  async product(@Param('pid') pid: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    return this.service.productData(await this.account(pid, key, request));
  }

  @Get('api/:pid/listPhones')
  async listPhones(@Param('pid') pid: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    return this.service.listPhones(await this.account(pid, key, request));
  }

  @Get('api/:pid/queues')
  async queues(@Param('pid') pid: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    return this.service.queues(await this.account(pid, key, request));
  }

  @Get('api/:pid/logs')
  async logs(@Param('pid') pid: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    return this.service.logs(await this.account(pid, key, request));
  }

  @Post('api/:pid/setWebhook')
  @HttpCode(200)
  async setWebhook(@Param('pid') pid: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const account = await this.account(pid, key, request);
    return this.service.setWebhook(account, parseWebhookUrl(body(request).webhook));
  }

  @Post('api/:pid/addPhone')
  @HttpCode(200)
  async addPhone(@Param('pid') pid: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const account = await this.account(pid, key, request);
    return this.service.addPhone(account, parsePhoneNumber(body(request).number));
  }

  @Post('api/:pid/setAckPreference')
  @HttpCode(200)
  async setAckPreference(@Param('pid') pid: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const account = await this.account(pid, key, request);
    return this.service.setAckPreference(account, parseAckPreference(body(request)));
  }

  @Get('api/:pid/:phoneId/status')
  async status(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    return this.service.status((await this.phone(pid, phoneId, key, request)).phone);
  }

  @Get('api/:pid/:phoneId/qrCode')
  async qrCode(
    @Param('pid') pid: string,
    @Param('phoneId') phoneId: string,
    @Headers(KEY_HEADER) key: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const image = await this.service.qrCode((await this.phone(pid, phoneId, key, request)).phone);
    reply.type(PNG);
    return image;
  }

  @Get('api/:pid/:phoneId/screen')
  async screen(
    @Param('pid') pid: string,
    @Param('phoneId') phoneId: string,
    @Headers(KEY_HEADER) key: string | undefined,
    @Req() request: FastifyRequest,
    @Res({ passthrough: true }) reply: FastifyReply,
  ) {
    const image = await this.service.screen((await this.phone(pid, phoneId, key, request)).phone);
    reply.type(PNG);
    return image;
  }

  @Get('api/:pid/:phoneId/restart')
  async restart(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    await this.service.restart((await this.phone(pid, phoneId, key, request)).phone);
    return OK;
  }

  @Post('api/:pid/:phoneId/restart')
  @HttpCode(200)
  async restartPost(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    return this.restart(pid, phoneId, key, request);
  }

  @Get('api/:pid/:phoneId/redeploy')
  async redeploy(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { phone } = await this.phone(pid, phoneId, key, request);
    await this.service.restart(phone);
    return { success: true, message: `Phone ${phone.id} is restarted.` };
  }

  @Get('api/:pid/:phoneId/logout')
  async logout(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    await this.service.logout(account, phone);
    return OK;
  }

  @Post('api/:pid/:phoneId/logout')
  @HttpCode(200)
  async logoutPost(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    return this.logout(pid, phoneId, key, request);
  }

  @Get('api/:pid/:phoneId/backup')
  async backup(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    return this.service.backup(account, phone);
  }

  @Post('api/:pid/:phoneId/backup')
  @HttpCode(200)
  async backupPost(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    return this.backup(pid, phoneId, key, request);
  }

  @Post('api/:pid/:phoneId/restore')
  @HttpCode(200)
  async restore(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    await this.service.restore(account, phone, parseBackupData(body(request)));
    return OK;
  }

  @Get('api/:pid/:phoneId/queue')
  async queue(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    return this.service.queue(account, phone);
  }

  @Get('api/:pid/:phoneId/purgeQueue')
  async purgeQueue(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    return this.service.purgeQueue(account, phone);
  }

  @Get('api/:pid/:phoneId/config')
  async config(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    return this.service.phoneConfig((await this.phone(pid, phoneId, key, request)).phone);
  }

  @Post('api/:pid/:phoneId/config')
  @HttpCode(200)
  async setConfig(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    return this.service.setPhoneConfig(account, phone, parsePhoneConfig(body(request)));
  }

  @Post('api/:pid/:phoneId/sendMessage')
  @HttpCode(200)
  async sendMessage(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    if (bodyProblem(request) === BODY_TOO_LARGE) {
      throw badRequest('Base64 media must be an image under 1 MB; send larger files as a link', 'the request body is over the 2 MB body limit');
    }
    return this.service.send(account, phone, parseSendInput(body(request)));
  }

  @Get('api/:pid/:phoneId/factoryreset')
  async factoryReset(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    await this.service.factoryReset(account, phone);
    return OK;
  }

  /** Deprecated for factoryreset: phones are no longer deleted (the spec), so it resets one and answers deleteSuccess. */
  @Get('api/:pid/:phoneId/delete')
  async delete(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    await this.service.factoryReset(account, phone);
    return { success: true, type: 'deleted', pid: account.key, phone_id: phone.id };
  }

  @Get('api/:pid/:phoneId/contacts')
  async contacts(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    return this.service.contacts(account, phone);
  }

  @Get('api/:pid/:phoneId/contact/:cid')
  async contact(
    @Param('pid') pid: string,
    @Param('phoneId') phoneId: string,
    @Param('cid') cid: string,
    @Headers(KEY_HEADER) key: string | undefined,
    @Req() request: FastifyRequest,
  ) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    return this.service.contact(account, phone, parseConversationId(cid));
  }

  @Get('api/:pid/:phoneId/catalog')
  async catalog(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    return this.service.catalog((await this.phone(pid, phoneId, key, request)).phone);
  }

  @Post('api/:pid/:phoneId/createGroup')
  @HttpCode(200)
  async createGroup(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    const { name, numbers } = parseCreateGroup(body(request));
    return this.service.createGroup(account, phone, name, numbers);
  }

  @Get('api/:pid/:phoneId/getGroups')
  async getGroups(
    @Param('pid') pid: string,
    @Param('phoneId') phoneId: string,
    @Query() query: Record<string, unknown>,
    @Headers(KEY_HEADER) key: string | undefined,
    @Req() request: FastifyRequest,
  ) {
    const { phone } = await this.phone(pid, phoneId, key, request);
    return this.service.groups(phone, parseGroupsQuery(query));
  }

  @Get('api/:pid/:phoneId/getGroups/:cid')
  async getGroup(
    @Param('pid') pid: string,
    @Param('phoneId') phoneId: string,
    @Param('cid') cid: string,
    @Query('invite') invite: unknown,
    @Headers(KEY_HEADER) key: string | undefined,
    @Req() request: FastifyRequest,
  ) {
    const { phone } = await this.phone(pid, phoneId, key, request);
    const groupId = parseGroupId(cid);
    const withInvite = invite === undefined || invite === '' ? false : parseBoolean(invite);
    if (withInvite === null) throw badRequest('invite must be true or false');
    return this.service.group(phone, groupId, withInvite);
  }

  @Post('api/:pid/:phoneId/setProfileImage')
  @HttpCode(200)
  async setProfileImage(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { account, phone } = await this.phone(pid, phoneId, key, request);
    const { groupId, image } = parseProfileImage(body(request));
    return this.service.setProfileImage(account, phone, groupId, image);
  }

  @Post('api/:pid/:phoneId/group/config')
  @HttpCode(200)
  async groupConfig(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { phone } = await this.phone(pid, phoneId, key, request);
    const { groupId, change } = parseGroupConfig(body(request));
    return this.service.configureGroup(phone, groupId, change);
  }

  @Post('api/:pid/:phoneId/group/:action')
  @HttpCode(200)
  async groupMember(
    @Param('pid') pid: string,
    @Param('phoneId') phoneId: string,
    @Param('action') action: string,
    @Headers(KEY_HEADER) key: string | undefined,
    @Req() request: FastifyRequest,
  ) {
    const { phone } = await this.phone(pid, phoneId, key, request);
    if (action !== 'add' && action !== 'remove' && action !== 'promote' && action !== 'demote') {
      throw maytapiError(404, 'Not Found', `no operation at ${request.method} ${request.url}`);
    }
    const { groupId, number } = parseGroupMember(body(request));
    return this.service.changeMember(phone, action, groupId, number);
  }

  @Post('api/:pid/:phoneId/leaveGroup')
  @HttpCode(200)
  async leaveGroup(@Param('pid') pid: string, @Param('phoneId') phoneId: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const { phone } = await this.phone(pid, phoneId, key, request);
    return this.service.leaveGroup(phone, parseLeaveGroup(body(request)));
  }

  /** `…/api/{product_id}/{anything}` that is no product operation: Maytapi takes the segment for a phone id. */
  @All('api/:pid/:segment')
  async phoneLevel(@Param('pid') pid: string, @Param('segment') segment: string, @Headers(KEY_HEADER) key: string | undefined, @Req() request: FastifyRequest) {
    const account = await this.account(pid, key, request);
    await this.service.phone(account, segment);
    throw maytapiError(404, 'Not Found', `no operation at ${request.method} ${request.url}`);
  }

  private account(pid: string, key: string | undefined, request: FastifyRequest): Promise<Account> {
    return this.service.product(pid, key, `${request.protocol}://${request.host}/${MAYTAPI}/api`);
  }

  private async phone(pid: string, phoneId: string, key: string | undefined, request: FastifyRequest): Promise<{ account: Account; phone: Phone }> {
    const account = await this.account(pid, key, request);
    if (!/^\d+$/.test(phoneId)) throw invalidPhone(phoneId);
    return { account, phone: await this.service.phone(account, phoneId) };
  }
}

/** The parsed body, or Maytapi's error for one that could not be read. */
function body(request: FastifyRequest): ParsedBody {
  const problem = bodyProblem(request);
  if (problem) throw badRequest(`Invalid request body: ${problem}`, problem);
  return bodyOf(request);
}
