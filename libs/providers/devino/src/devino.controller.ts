import { Controller, HttpCode, Post, Req } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { bodyOf, bodyProblem } from '#http';
import { parseAuthorization, parseMessage, parseMessages } from './devino.dto.js';
import { DEVINO } from './devino.profile.js';
import { DevinoService } from './devino.service.js';

/** Devino's WhatsApp route: wire format in, one service call, wire format out. Documented by contracts/devino.openapi.yaml. */
@ApiExcludeController()
@Controller(DEVINO)
export class DevinoController {
  constructor(private readonly service: DevinoService) {}

  @Post('whatsapp/messages')
  @HttpCode(200)
  async sendMessages(@Req() request: FastifyRequest) {
    const account = await this.service.account(parseAuthorization(request.headers.authorization));
    const messages = parseMessages(bodyOf(request), bodyProblem(request));
    return { result: await this.service.send(account, messages.map(parseMessage)) };
  }
}
