import {
  BadRequestException,
  Body,
  Controller,
  Get,
  HttpCode,
  NotFoundException,
  Param,
  Post,
  Put,
  Query,
  UnprocessableEntityException,
  UsePipes,
} from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { WhatsAppEngine, type Account } from '#engine';
import { AccountDto, InboundMessageDto, InboundResultDto, MessageDto, SessionDto, SetLimitsDto, SetWebhookDto } from './control.dto.js';
import { controlValidation } from './control.validation.js';

@ApiTags('accounts')
@UsePipes(controlValidation)
@Controller('__sandbox/accounts')
export class AccountsController {
  constructor(private readonly engine: WhatsAppEngine) {}

  @Get()
  @ApiOperation({ summary: 'Every account the sandbox knows' })
  @ApiOkResponse({ type: [AccountDto] })
  async list(): Promise<AccountDto[]> {
    return (await this.engine.accounts.list()).map((account) => this.view(account));
  }

  @Get(':provider/:key')
  @ApiOperation({ summary: 'An account: its line number, feature switches and webhook url (created on first use, like a provider call)' })
  @ApiOkResponse({ type: AccountDto })
  async get(@Param('provider') provider: string, @Param('key') key: string): Promise<AccountDto> {
    return this.view(await this.resolve(provider, key));
  }

  @Post(':provider/:key/inbound')
  @ApiOperation({ summary: 'Make a virtual customer send a message to the account' })
  @ApiCreatedResponse({ type: InboundResultDto })
  async inbound(@Param('provider') provider: string, @Param('key') key: string, @Body() body: InboundMessageDto): Promise<InboundResultDto> {
    const account = await this.resolve(provider, key);
    const from = body.from.replace(/^\+/, '');
    if (body.group !== undefined) {
      const members = body.session === undefined ? null : await this.engine.groups.membersBesides(body.session, body.group, '');
      if (!members?.includes(from)) throw new UnprocessableEntityException(`${from} is not a member of a group ${body.group} of this session`);
    }
    if (body.replyTo !== undefined && (await this.engine.messages.get(body.replyTo))?.accountId !== account.id) {
      throw new UnprocessableEntityException(`the account has no message ${body.replyTo} to reply to`);
    }
    const result = await this.engine.messages.receive(account, {
      from,
      text: body.text ?? '',
      mediaUrl: body.mediaUrl ?? null,
      media: null,
      profileName: body.profileName ?? null,
      ...(body.session !== undefined ? { lineId: body.session } : {}),
      ...(body.group !== undefined ? { chat: body.group } : {}),
      ...(body.replyTo !== undefined ? { quotedId: body.replyTo } : {}),
      ...(body.location ? { kind: 'location' as const, location: { ...body.location } } : {}),
      ...(body.contacts
        ? {
            kind: 'contacts' as const,
            contacts: body.contacts.map((card) => ({ name: card.name, phones: card.phones.map((phone) => phone.replace(/^\+/, '')) })),
          }
        : {}),
    });
    await this.engine.clock.settle();
    return result.received ? { received: true, messageId: result.message.id } : { received: false, reason: result.reason };
  }

  @Put(':provider/:key/webhook')
  @ApiOperation({ summary: "Set the account's webhook url, for providers that set it outside their API (WAMM's web settings, Devino support)" })
  @ApiOkResponse({ type: AccountDto })
  async setWebhook(@Param('provider') provider: string, @Param('key') key: string, @Body() body: SetWebhookDto): Promise<AccountDto> {
    const account = await this.resolve(provider, key);
    return this.view(await this.engine.accounts.setWebhookUrl(account, body.url));
  }

  @Post(':provider/:key/webhook/resend')
  @HttpCode(200)
  @ApiOperation({
    summary: "Re-send the account's undelivered webhook events now, to its current url (what WaMessenger's webhook/resend does, for every provider)",
  })
  @ApiOkResponse({ schema: { properties: { resent: { type: 'number' } } } })
  async resendWebhooks(@Param('provider') provider: string, @Param('key') key: string): Promise<{ resent: number }> {
    const result = await this.engine.webhooks.resend(await this.resolve(provider, key));
    await this.engine.clock.settle();
    return result;
  }

  @Get(':provider/:key/messages')
  @ApiOperation({ summary: "The account's messages, both ways, oldest first (with limit: the most recent ones, default 200)" })
  @ApiQuery({ name: 'limit', required: false })
  @ApiOkResponse({ type: [MessageDto] })
  async messages(@Param('provider') provider: string, @Param('key') key: string, @Query('limit') limit?: string): Promise<MessageDto[]> {
    const account = await this.resolve(provider, key);
    if (limit !== undefined && !/^[1-9]\d{0,3}$/.test(limit)) throw new BadRequestException('limit must be a whole number from 1 to 9999');
    const count = limit === undefined ? 200 : Number(limit);
    const pages = await Promise.all(
      (['outbound', 'inbound'] as const).map((direction) =>
        this.engine.messages.query({ accountId: account.id, direction, order: 'newest', offset: 0, limit: count }),
      ),
    );
    // Ids break ties: two messages made in one clock millisecond keep the order the account numbered them.
    const newestFirst = pages
      .flatMap((page) => page.items)
      .sort((a, b) => b.createdAt - a.createdAt || b.id.localeCompare(a.id, 'en', { numeric: true }))
      .slice(0, count);
    return newestFirst.reverse().map((message) => MessageDto.of(message));
  }

  @Put(':provider/:key/limits')
  @ApiOperation({ summary: "Change the account's send caps (messages per clock day, per clock second)" })
  @ApiOkResponse({ type: AccountDto })
  async setLimits(@Param('provider') provider: string, @Param('key') key: string, @Body() body: SetLimitsDto): Promise<AccountDto> {
    const account = await this.resolve(provider, key);
    return this.view(await this.engine.accounts.setLimits(account, body));
  }

  @Get(':provider/:key/sessions')
  @ApiOperation({ summary: "The account's sessions (a provider's phones or devices), oldest first" })
  @ApiOkResponse({ type: [SessionDto] })
  async sessions(@Param('provider') provider: string, @Param('key') key: string): Promise<SessionDto[]> {
    const account = await this.resolve(provider, key);
    return (await this.engine.sessions.list(account)).map((session) => SessionDto.of(session, this.engine.sessions.qrCode(session)));
  }

  private async resolve(provider: string, key: string): Promise<Account> {
    if (!this.engine.providers.includes(provider)) throw new NotFoundException(`unknown provider ${provider} (known: ${this.engine.providers.join(', ')})`);
    const lookup = await this.engine.accounts.resolve(provider, key);
    if (!lookup.ok) throw new NotFoundException(lookup.reason);
    return lookup.account;
  }

  private view(account: Account): AccountDto {
    return AccountDto.of(account, this.engine.accounts.effectiveFeatures(account));
  }
}
