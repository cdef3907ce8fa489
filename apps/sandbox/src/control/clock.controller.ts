import { Body, ConflictException, Controller, Get, HttpCode, Post, Put, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ClockLockedError, WhatsAppEngine } from '#engine';
import { AdvanceClockDto, ClockStateDto, SetClockDto } from './control.dto.js';
import { controlValidation } from './control.validation.js';

@ApiTags('clock')
@UsePipes(controlValidation)
@Controller('__sandbox/clock')
export class ClockController {
  constructor(private readonly engine: WhatsAppEngine) {}

  @Get()
  @ApiOperation({ summary: 'Read the clock' })
  @ApiOkResponse({ type: ClockStateDto })
  read(): ClockStateDto {
    return this.engine.clock.state();
  }

  @Put()
  @ApiOperation({ summary: 'Switch mode (real or manual) and/or set the real-clock speed' })
  @ApiOkResponse({ type: ClockStateDto })
  set(@Body() body: SetClockDto): ClockStateDto {
    try {
      if (body.speed !== undefined) this.engine.clock.setSpeed(body.speed);
      if (body.mode !== undefined) this.engine.clock.setMode(body.mode);
    } catch (error) {
      refusedIfLocked(error);
    }
    return this.engine.clock.state();
  }

  @Post('advance')
  @HttpCode(200)
  @ApiOperation({
    summary: 'Move clock time forward',
    description: 'Runs every task that falls due, in order, and answers once they and the webhook deliveries they started have finished.',
  })
  @ApiOkResponse({ type: ClockStateDto })
  async advance(@Body() body: AdvanceClockDto): Promise<ClockStateDto> {
    try {
      return await this.engine.clock.advance(body.ms);
    } catch (error) {
      refusedIfLocked(error);
    }
  }
}

/** A clock shared by several instances (a PostgreSQL store) does not change: 409 with the reason. */
function refusedIfLocked(error: unknown): never {
  if (error instanceof ClockLockedError) throw new ConflictException(error.message);
  throw error;
}
