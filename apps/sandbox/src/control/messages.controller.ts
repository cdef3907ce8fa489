import { Body, Controller, Get, HttpCode, NotFoundException, Param, Post, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WhatsAppEngine } from '#engine';
import { ForceStatusDto, MessageDto } from './control.dto.js';
import { controlValidation } from './control.validation.js';

@ApiTags('messages')
@UsePipes(controlValidation)
@Controller('__sandbox/messages')
export class MessagesController {
  constructor(private readonly engine: WhatsAppEngine) {}

  @Get(':id')
  @ApiOperation({ summary: 'A message with its full status history' })
  @ApiOkResponse({ type: MessageDto })
  async get(@Param('id') id: string): Promise<MessageDto> {
    const message = await this.engine.messages.get(id);
    if (!message) throw new NotFoundException('message not found');
    return MessageDto.of(message);
  }

  @Post(':id/status')
  @HttpCode(200)
  @ApiOperation({ summary: "Force a message's status (webhooks fire as if WhatsApp reported it)" })
  @ApiOkResponse({ type: MessageDto })
  async force(@Param('id') id: string, @Body() body: ForceStatusDto): Promise<MessageDto> {
    const message = await this.engine.messages.forceStatus(id, body.status, body.reason);
    if (!message) throw new NotFoundException('message not found');
    await this.engine.clock.settle();
    return MessageDto.of(message);
  }
}
