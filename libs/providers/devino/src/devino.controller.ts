import { Controller, HttpCode, Post } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Account } from '#engine';
import { ProviderAccount, WireBody, type ParsedBody } from '#http';
import { parseMessage, parseMessages } from './devino.dto.js';
import { DEVINO } from './devino.profile.js';
import { DevinoService } from './devino.service.js';

/**
 * Devino's WhatsApp route: wire format in, one service call, wire format out. The Authorization header is
 * checked before the route runs (devino.access.ts). Documented by contracts/devino.openapi.yaml.
 */
@ApiExcludeController()
@Controller(DEVINO)
export class DevinoController {
  constructor(private readonly service: DevinoService) {}

  @Post('whatsapp/messages')
  @HttpCode(200)
  async sendMessages(@ProviderAccount() account: Account, @WireBody() body: ParsedBody) {
    return { result: await this.service.send(account, parseMessages(body).map(parseMessage)) };
  }
}
