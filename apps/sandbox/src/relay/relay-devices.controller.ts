import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, Put, UsePipes } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProperty, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { parseAccountId, WhatsAppEngine } from '#engine';
import { RelayTransport, type RelayDevice } from '#relay';
import { controlValidation } from '../control/control.validation.js';
import { RelayLinking } from './relay-linking.js';

export class CreateRelayDeviceDto {
  @ApiPropertyOptional({ example: 'Mi 9 SE', description: 'What to call the phone.' })
  @IsOptional()
  @IsString()
  @MaxLength(100)
  name?: string;

  @ApiPropertyOptional({
    example: '79160000123',
    description: "The phone's own WhatsApp number: what a line linked to it sends as (the account's own number when absent).",
  })
  @IsOptional()
  @Matches(/^\d{8,15}$/, { message: 'phone must be a phone number (8-15 digits, no +)' })
  phone?: string;

  @ApiPropertyOptional({ description: 'A simulated phone on the sandbox clock (polls every 5 s, about 5 s per message) instead of a real one.' })
  @IsOptional()
  @IsBoolean()
  simulated?: boolean;
}

export class LinkRelaySessionDto {
  @ApiProperty({ example: 'maytapi-s1', description: "A provider's phone or device (GET /__sandbox/accounts/{provider}/{key}/sessions)." })
  @IsString()
  session!: string;
}

export class SetPollingDto {
  @ApiProperty({ description: 'false: the simulated phone stops polling (a message in hand gets no result); true: it polls again.' })
  @IsBoolean()
  polling!: boolean;
}

export class RelayLineDto {
  @ApiProperty() provider!: string;
  @ApiProperty() key!: string;
  @ApiProperty({ example: 'wamm-s1', description: "The session its link is: the account's link session, or a provider's phone or device." }) session!: string;
  @ApiProperty({ example: '79990000001' }) phone!: string;
}

export class RelayQueuedDto {
  @ApiProperty() id!: string;
  @ApiProperty() phone!: string;
  @ApiProperty({ description: 'How many times the message was handed to the phone.' }) offers!: number;
  @ApiProperty({ nullable: true, type: String, description: 'Until when the phone holds it (ISO time); null before it was handed out.' })
  leasedUntil!: string | null;
}

export class RelayDeviceDto {
  @ApiProperty({ example: 'relay-4f1c2a9b0d3e' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Its own WhatsApp number, when it was given.' }) phone!: string | null;
  @ApiProperty() simulated!: boolean;
  @ApiProperty({ nullable: true, type: Boolean, description: 'Whether a simulated phone polls; null for a real one.' }) polling!: boolean | null;
  @ApiProperty({ nullable: true, type: RelayLineDto }) line!: RelayLineDto | null;
  @ApiProperty({ nullable: true, type: String, description: 'Its last poll (ISO time).' }) lastPollAt!: string | null;
  @ApiProperty({ type: [RelayQueuedDto], description: 'Messages waiting for the phone, oldest first.' }) queue!: RelayQueuedDto[];
}

export class CreatedRelayDeviceDto extends RelayDeviceDto {
  @ApiProperty({ description: 'What the phone sends as ?token= on every call. Shown once.' }) token!: string;
}

/** The control API's side of the relay: make a phone (real or simulated) and see what waits for it. */
@ApiTags('relay')
@UsePipes(controlValidation)
@Controller('__sandbox/relay/devices')
export class RelayDevicesController {
  constructor(
    private readonly relay: RelayTransport,
    private readonly engine: WhatsAppEngine,
    private readonly linking: RelayLinking,
  ) {}

  @Post()
  @ApiOperation({ summary: 'A new relay phone and its token; a simulated one starts polling on the sandbox clock' })
  @ApiCreatedResponse({ type: CreatedRelayDeviceDto })
  async create(@Body() body: CreateRelayDeviceDto): Promise<CreatedRelayDeviceDto> {
    const { device, token } = await this.relay.createDevice(body);
    await this.engine.clock.settle();
    return { ...(await this.view(device)), token };
  }

  @Get(':id')
  @ApiOperation({ summary: 'A relay phone: the line it relays, its last poll, and the messages waiting for it' })
  @ApiOkResponse({ type: RelayDeviceDto })
  async get(@Param('id') id: string): Promise<RelayDeviceDto> {
    return this.view(await this.find(id));
  }

  @Post(':id/link')
  @HttpCode(200)
  @ApiOperation({
    summary: "The phone relays a provider's phone or device (a Maytapi phone, a Wamessage device): the session moves to the relay and is connected",
    description: 'An account of a provider without sessions is linked with POST /__sandbox/accounts/{provider}/{key}/link {"via":"relay","device":…}.',
  })
  @ApiOkResponse({ type: RelayDeviceDto })
  async link(@Param('id') id: string, @Body() body: LinkRelaySessionDto): Promise<RelayDeviceDto> {
    await this.find(id);
    const session = await this.engine.sessions.get(body.session);
    if (!session) throw new NotFoundException(`no session ${body.session}`);
    const linked = await this.linking.link(id, session);
    if (!linked.ok && linked.code === 'not_found') throw new NotFoundException(linked.reason);
    if (!linked.ok) throw new ConflictException(linked.reason);
    return this.view(await this.find(id));
  }

  @Put(':id/polling')
  @ApiOperation({ summary: 'A simulated phone stops polling, or starts again' })
  @ApiOkResponse({ type: RelayDeviceDto })
  async setPolling(@Param('id') id: string, @Body() body: SetPollingDto): Promise<RelayDeviceDto> {
    const device = await this.find(id);
    if (!device.simulated) throw new ConflictException('a real phone polls when it polls: only a simulated one is switched here');
    const updated = await this.relay.setPolling(id, body.polling);
    await this.engine.clock.settle();
    return this.view(updated ?? device);
  }

  private async find(id: string): Promise<RelayDevice> {
    const device = await this.relay.device(id);
    if (!device) throw new NotFoundException(`no relay device ${id}`);
    return device;
  }

  private async view(device: RelayDevice): Promise<RelayDeviceDto> {
    const iso = (at: number | null) => (at === null ? null : new Date(at).toISOString());
    const line = device.line;
    return {
      id: device.id,
      name: device.name,
      phone: device.phone,
      simulated: device.simulated !== null,
      polling: device.simulated?.polling ?? null,
      line: line && {
        ...parseAccountId(line.accountId),
        session: line.sessionId,
        phone: line.phone,
      },
      lastPollAt: iso(device.lastPollAt),
      queue: (await this.relay.queue(device)).map((queued) => ({ ...queued, leasedUntil: iso(queued.leasedUntil) })),
    };
  }
}
