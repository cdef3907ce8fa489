import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Account } from '#engine';
import { AnswerErrorsAs, DeferredWireBody, ProviderAccount, Unauthenticated, type DeferredBody } from '#http';
import { parseBase64File, parseCol, parseContact, parseFileUrl, parseFromMe, parseMsgId, parsePhone, parseText } from './wamm.dto.js';
import { asCheckPhoneError, ERR, wammError } from './wamm.errors.js';
import { WAMM } from './wamm.profile.js';
import { WammService } from './wamm.service.js';

type QueryValues = Record<string, unknown>;

const METHODS = ['msg_to', 'file_to', 'file_from_base64', 'msg_state', 'check_phone', 'msg_get_last', 'msg_get', 'contact_to', 'contact_delete'];

/**
 * WAMM's routes (`https://wamm.chat/api2/<method>/<token>/?…` becomes `<sandbox>/wamm/api2/<method>/<token>/?…`):
 * wire format in, one service call, wire format out. The token is checked before the route runs
 * (wamm.access.ts). Documented by contracts/wamm.openapi.yaml. A trailing slash is optional (the app
 * ignores trailing slashes).
 */
@ApiExcludeController()
@Controller(WAMM)
export class WammController {
  constructor(private readonly service: WammService) {}

  @Get('api2/msg_to/:token')
  async msgTo(@ProviderAccount() account: Account, @Query() query: QueryValues) {
    return this.sendText(account, query.phone, query.text);
  }

  /** Clients that put the number in the path: `msg_to/{token}/{phone}/?text=`. */
  @Get('api2/msg_to/:token/:phone')
  async msgToPhone(@ProviderAccount() account: Account, @Param('phone') phone: string, @Query() query: QueryValues) {
    return this.sendText(account, phone, query.text);
  }

  /** And the text too: `msg_to/{token}/{phone}/{text}`. */
  @Get('api2/msg_to/:token/:phone/:text')
  async msgToPhoneText(@ProviderAccount() account: Account, @Param('phone') phone: string, @Param('text') text: string) {
    return this.sendText(account, phone, text);
  }

  @Get('api2/file_to/:token')
  async fileTo(@ProviderAccount() account: Account, @Query() query: QueryValues) {
    const peer = parsePhone(query.phone);
    return this.service.send(account, peer, { url: parseFileUrl(query.url) });
  }

  /**
   * The number in the query, the file in a form body (`file_name`, `file_base64`), as WAMM's Python clients
   * post it. The number is checked before the form: a form that could not be read is answered only for a good number.
   */
  @Post('api2/file_from_base64/:token')
  @HttpCode(200)
  async fileFromBase64(@ProviderAccount() account: Account, @Query() query: QueryValues, @DeferredWireBody() body: DeferredBody) {
    const peer = parsePhone(query.phone ?? body.fields.phone);
    return this.service.send(account, peer, { file: parseBase64File(body.read()) });
  }

  @Get('api2/msg_state/:token')
  async msgState(@ProviderAccount() account: Account, @Query() query: QueryValues) {
    return this.service.state(account, parseMsgId(query.msg_id));
  }

  @Get('api2/check_phone/:token')
  @AnswerErrorsAs(asCheckPhoneError)
  async checkPhone(@ProviderAccount() account: Account, @Query() query: QueryValues) {
    return this.service.checkPhone(account, parsePhone(query.phone));
  }

  @Get('api2/msg_get_last/:token')
  async msgGetLast(@ProviderAccount() account: Account, @Query() query: QueryValues) {
    return this.service.lastMessages(account, parseCol(query.col), parseFromMe(query.from_me));
  }

  @Get('api2/msg_get/:token')
  async msgGet(@ProviderAccount() account: Account, @Query() query: QueryValues) {
    const peer = parsePhone(query.phone);
    return this.service.chatMessages(account, peer, parseCol(query.col));
  }

  @Get('api2/contact_to/:token')
  async contactTo(@ProviderAccount() account: Account, @Query() query: QueryValues) {
    return this.service.contactTo(account, parseContact(query));
  }

  @Get('api2/contact_delete/:token')
  async contactDelete(@ProviderAccount() account: Account, @Query() query: QueryValues) {
    return this.service.contactDelete(account, parsePhone(query.phone));
  }

  /** A documented method called without a token (`msg_to/?phone=…`, `msg_to//?phone=…`). */
  @Get('api2/:method')
  @Unauthenticated()
  missingTokenGet(@Param('method') method: string) {
    return this.missingToken(method);
  }

  @Post('api2/:method')
  @HttpCode(200)
  @Unauthenticated()
  missingTokenPost(@Param('method') method: string) {
    return this.missingToken(method);
  }

  private missingToken(method: string): never {
    if (!METHODS.includes(method)) throw new NotFoundException(`WAMM has no method ${method}`);
    const error = wammError(ERR.tokenFail, 'the token is missing from the path');
    throw method === 'check_phone' ? asCheckPhoneError(error) : error;
  }

  private async sendText(account: Account, phone: unknown, text: unknown) {
    const peer = parsePhone(phone);
    return this.service.send(account, peer, { text: parseText(text) });
  }
}
