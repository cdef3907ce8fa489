import {
  BadRequestException,
  Body,
  ConflictException,
  Controller,
  Delete,
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
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiQuery,
  ApiTags,
  ApiUnprocessableEntityResponse,
} from '@nestjs/swagger';
import QRCode from 'qrcode';
import { WhatsAppEngine, type Account, type Session } from '#engine';
import { AccountDto, InboundMessageDto, InboundResultDto, LinkDto, LinkStateDto, MessageDto, SessionDto, SetLimitsDto, SetWebhookDto } from './control.dto.js';
import { RelayLinking } from '../relay/relay-linking.js';
import { controlValidation } from './control.validation.js';

@ApiTags('accounts')
@UsePipes(controlValidation)
@Controller('__sandbox/accounts')
export class AccountsController {
  constructor(
    private readonly engine: WhatsAppEngine,
    private readonly relayLinking: RelayLinking,
  ) {}

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

  @Post(':provider/:key/link')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Link an account whose provider has no session API (WaMessenger, WAMM, Devino) to a phone',
    description:
      "Creates the account's link session, or answers the one it has: its QR code (scan it with the phone, or with POST /__sandbox/sessions/{id}/scan on a simulated link) and, with `phone`, a pairing code to type on that phone. Once connected, the account's messages go through it.",
  })
  @ApiOkResponse({ type: LinkStateDto })
  @ApiBadRequestResponse({ description: 'A bad phone, or a transport the sandbox does not run.' })
  @ApiNotFoundResponse({ description: 'No such provider or account.' })
  @ApiConflictResponse({ description: 'The account is linked through another transport: DELETE that link first.' })
  @ApiUnprocessableEntityResponse({ description: 'The provider links its own sessions through its API, or the link is past its QR screen (no pairing code).' })
  async link(@Param('provider') provider: string, @Param('key') key: string, @Body() body: LinkDto = {}): Promise<LinkStateDto> {
    const account = await this.linkable(provider, key);
    const transports = this.engine.sessions.transportNames();
    if (body.via !== undefined && !transports.includes(body.via)) throw new BadRequestException(`via must be one of: ${transports.join(', ')}`);
    const relay = this.relayLinking.transport;
    if (body.device !== undefined && body.via !== undefined && body.via !== relay) throw new BadRequestException(`device goes with "via": "${relay}"`);
    const linked = await this.engine.sessions.link(account, body.device !== undefined ? relay : body.via);
    if (!linked.ok) throw new ConflictException(linked.reason);
    let session = linked.session;
    if (body.device !== undefined) {
      const relayed = await this.relayLinking.link(body.device, session);
      if (!relayed.ok && relayed.code === 'not_found') throw new NotFoundException(relayed.reason);
      if (!relayed.ok) throw new ConflictException(relayed.reason);
      session = relayed.session;
    }
    if (body.phone !== undefined) {
      const issued = await this.engine.sessions.requestPairingCode(session, body.phone);
      if (!issued.ok) throw new UnprocessableEntityException(issued.reason);
      session = issued.session;
    }
    await this.engine.clock.settle();
    return this.linkView(session);
  }

  @Get(':provider/:key/link')
  @ApiOperation({ summary: "The account's link to its phone: its state, QR code and pairing code" })
  @ApiOkResponse({ type: LinkStateDto })
  @ApiNotFoundResponse({ description: 'No such provider or account, or the account is not linked.' })
  async linkState(@Param('provider') provider: string, @Param('key') key: string): Promise<LinkStateDto> {
    const link = await this.engine.sessions.linkOf(await this.linkable(provider, key));
    if (!link) throw new NotFoundException('the account is not linked to a phone (POST this path to link it)');
    return this.linkView(link);
  }

  @Delete(':provider/:key/link')
  @HttpCode(204)
  @ApiOperation({ summary: "Unlink the account's phone and forget the link: the account sends on its own line again" })
  @ApiNoContentResponse({ description: 'Unlinked.' })
  @ApiNotFoundResponse({ description: 'No such provider or account, or the account is not linked.' })
  async unlink(@Param('provider') provider: string, @Param('key') key: string): Promise<void> {
    if (!(await this.engine.sessions.unlink(await this.linkable(provider, key)))) throw new NotFoundException('the account is not linked to a phone');
    await this.engine.clock.settle();
  }

  /** An account of a provider without a session API: Maytapi's and Wamessage's sessions are linked through their own routes. */
  private async linkable(provider: string, key: string): Promise<Account> {
    const account = await this.resolve(provider, key);
    if (this.engine.profile(provider).sessionApi) {
      throw new UnprocessableEntityException(`${provider} links its sessions through its own API: link them there (its phones or devices), not here`);
    }
    return account;
  }

  private async linkView(session: Session): Promise<LinkStateDto> {
    const qr = this.engine.sessions.qrCode(session);
    return {
      ...SessionDto.of(session, qr),
      qrImage: qr && (await QRCode.toDataURL(qr.payload)),
      pairingCode: session.state === 'qr' && session.pairing && session.pairing.expiresAt > this.engine.clock.now() ? session.pairing.code : null,
    };
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
