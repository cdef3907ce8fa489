import { Body, Controller, Get, NotFoundException, Param, Post, Put, UnprocessableEntityException, UsePipes } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WhatsAppEngine, type Account } from '#engine';
import { AccountDto, InboundMessageDto, InboundResultDto, SessionDto, SetLimitsDto, SetWebhookDto } from './control.dto.js';
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
