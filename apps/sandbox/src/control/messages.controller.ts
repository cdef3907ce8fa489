import { BadRequestException, Body, Controller, Get, HttpCode, NotFoundException, Param, Post, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { parseAccountId, WhatsAppEngine } from '#engine';
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
  @ApiOperation({ summary: "Force a message's status (webhooks fire as if WhatsApp reported it); a failure may carry one of the provider's own codes" })
  @ApiOkResponse({ type: MessageDto })
  async force(@Param('id') id: string, @Body() body: ForceStatusDto): Promise<MessageDto> {
    const existing = await this.engine.messages.get(id);
    if (!existing) throw new NotFoundException('message not found');
    if (body.code !== undefined) {
      if (body.status !== 'failed') throw new BadRequestException('code goes with status failed');
      const { provider } = parseAccountId(existing.accountId);
      const codes = this.engine.profile(provider).failureCodes ?? [];
      if (!codes.includes(body.code)) {
        throw new BadRequestException(
          codes.length ? `${provider} has no failure code ${body.code} (it has ${codes.join(', ')})` : `${provider} has no failure codes to force`,
        );
      }
    }
    const message = await this.engine.messages.forceStatus(id, body.status, body.reason, body.code);
    if (!message) throw new NotFoundException('message not found');
    await this.engine.clock.settle();
    return MessageDto.of(message);
  }
}
