import { Body, ConflictException, Controller, Get, HttpCode, NotFoundException, Param, Post, UnprocessableEntityException, UsePipes } from '@nestjs/common';
import { ApiConflictResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { notSimulated, WhatsAppEngine, type Session, type SessionResult } from '#engine';
import { PairDto, ScanDto, SessionDto } from './control.dto.js';
import { controlValidation } from './control.validation.js';

/**
 * The control API plays the phone: it scans QR codes, types pairing codes and drops the connection, for
 * simulated sessions; a session another transport holds (a live one) has a real phone, and the acts answer 409.
 */
@ApiTags('sessions')
@UsePipes(controlValidation)
@Controller('__sandbox/sessions')
export class SessionsController {
  constructor(private readonly engine: WhatsAppEngine) {}

  @Get(':id')
  @ApiOperation({ summary: 'A session: its state, linked phone, and the QR or pairing code it shows' })
  @ApiOkResponse({ type: SessionDto })
  async get(@Param('id') id: string): Promise<SessionDto> {
    return this.view(await this.find(id));
  }

  @Post(':id/scan')
  @HttpCode(200)
  @ApiOperation({ summary: "A phone scans the session's QR code: it loads, then connects on the clock" })
  @ApiOkResponse({ type: SessionDto })
  @ApiConflictResponse({ description: 'The session is not simulated: its phone is a real one.' })
  async scan(@Param('id') id: string, @Body() body: ScanDto): Promise<SessionDto> {
    await this.find(id);
    return this.settled(await this.engine.sessions.scan(id, body.phone));
  }

  @Post('pair')
  @HttpCode(200)
  @ApiOperation({ summary: 'A phone types a pairing code: the session that issued it loads, then connects on the clock' })
  @ApiOkResponse({ type: SessionDto })
  @ApiConflictResponse({ description: 'The session that issued the code is not simulated: its phone is a real one.' })
  async pair(@Body() body: PairDto): Promise<SessionDto> {
    return this.settled(await this.engine.sessions.enterPairingCode(body.code, body.phone));
  }

  @Post(':id/disconnect')
  @HttpCode(200)
  @ApiOperation({ summary: 'The phone loses its connection: the session is disconnected until reconnect' })
  @ApiOkResponse({ type: SessionDto })
  @ApiConflictResponse({ description: 'The session is not simulated: its phone is a real one.' })
  async disconnect(@Param('id') id: string): Promise<SessionDto> {
    const session = await this.engine.sessions.disconnect(await this.findSimulated(id));
    await this.engine.clock.settle();
    return this.view(session);
  }

  @Post(':id/reconnect')
  @HttpCode(200)
  @ApiOperation({ summary: 'The phone is back: a disconnected session loads, then connects on the clock' })
  @ApiOkResponse({ type: SessionDto })
  @ApiConflictResponse({ description: 'The session is not simulated: its phone is a real one.' })
  async reconnect(@Param('id') id: string): Promise<SessionDto> {
    const session = await this.engine.sessions.reconnect(await this.findSimulated(id));
    await this.engine.clock.settle();
    return this.view(session);
  }

  private async find(id: string): Promise<Session> {
    const session = await this.engine.sessions.get(id);
    if (!session) throw new NotFoundException('no such session');
    return session;
  }

  /** A session whose phone the sandbox plays. */
  private async findSimulated(id: string): Promise<Session> {
    const session = await this.find(id);
    if (!this.engine.sessions.isSimulated(session)) throw new ConflictException(notSimulated(session));
    return session;
  }

  private async settled(result: SessionResult): Promise<SessionDto> {
    if (!result.ok && result.heldBy !== undefined) throw new ConflictException(result.reason);
    if (!result.ok) throw new UnprocessableEntityException(result.reason);
    await this.engine.clock.settle();
    return this.view(result.session);
  }

  private view(session: Session): SessionDto {
    return SessionDto.of(session, this.engine.sessions.qrCode(session));
  }
}
