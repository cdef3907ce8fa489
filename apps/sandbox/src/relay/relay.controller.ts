import { BadRequestException, ConflictException, Controller, Get, HttpCode, NotFoundException, Post, Query, Req, UnauthorizedException } from '@nestjs/common';
import { ApiOperation, ApiTags } from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import { RESULT_FAILED, RESULT_SENT, RelayTransport, type NextAnswer, type NotificationAnswer, type RelayRefusal, type RelayResult } from '#relay';

/**
 * The API the relay phone calls (contracts/relay.openapi.yaml): three calls an Automagic or Tasker flow
 * makes with its HTTP request action. The token goes in the query (`?token=`) or, for the two POSTs, in the
 * body; bodies are JSON or a form, and every value may be a string (`"status": "1"`), since automation apps
 * build them from text variables.
 */
@ApiTags('relay')
@Controller('__relay')
export class RelayController {
  constructor(private readonly relay: RelayTransport) {}

  @Get('next')
  @ApiOperation({ summary: 'The phone polls: the next message to send, leased to it for 30 s, or {"send":false}' })
  async next(@Query('token') token: unknown): Promise<NextAnswer> {
    return answer(await this.relay.next(text(token)));
  }

  @Post('result')
  @HttpCode(200)
  @ApiOperation({ summary: 'The phone reports a message it was handed: status 1 = sent, 2 = not on WhatsApp or the UI timed out' })
  async result(@Query('token') token: unknown, @Req() request: FastifyRequest): Promise<{ ok: true }> {
    const body = fields(request.body);
    const id = text(body.id);
    if (id === '') throw new BadRequestException('id is required: the id of the message the phone was handed');
    return answer(await this.relay.result(text(token ?? body.token), id, resultStatus(body.status)));
  }

  @Post('notification')
  @HttpCode(200)
  @ApiOperation({ summary: 'The phone forwards a WhatsApp notification as it is (title, text): it becomes an inbound message' })
  async notification(@Query('token') token: unknown, @Req() request: FastifyRequest): Promise<NotificationAnswer> {
    const body = fields(request.body);
    const title = text(body.title);
    if (title === '') throw new BadRequestException('title is required: the notification title (a contact name, a number, or "Name @ Group")');
    const app = text(body.package);
    return answer(await this.relay.notification(text(token ?? body.token), { title, text: text(body.text), ...(app !== '' ? { app } : {}) }));
  }
}

function answer<T>(outcome: T | RelayRefusal): T {
  if (typeof outcome === 'object' && outcome !== null && 'ok' in outcome && outcome.ok === false) {
    const refusal = outcome as RelayRefusal;
    if (refusal.code === 'unauthorized') throw new UnauthorizedException(refusal.reason);
    if (refusal.code === 'not_found') throw new NotFoundException(refusal.reason);
    throw new ConflictException(refusal.reason);
  }
  return outcome as T;
}

function fields(body: unknown): Record<string, unknown> {
  return typeof body === 'object' && body !== null && !Array.isArray(body) ? (body as Record<string, unknown>) : {};
}

function text(value: unknown): string {
  return typeof value === 'string' ? value.trim() : typeof value === 'number' ? String(value) : '';
}

function resultStatus(value: unknown): RelayResult {
  const status = Number(text(value));
  if (status === RESULT_SENT || status === RESULT_FAILED) return status;
  throw new BadRequestException('status must be 1 (sent) or 2 (not on WhatsApp, or the UI timed out)');
}
