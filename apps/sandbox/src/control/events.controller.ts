import { Controller, Get, Res } from '@nestjs/common';
import { ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { FastifyReply } from 'fastify';
import { LiveEvents } from './live-events.js';

@ApiTags('sandbox')
@Controller('__sandbox')
export class EventsController {
  constructor(private readonly live: LiveEvents) {}

  @Get('events')
  @ApiOperation({
    summary: 'Live updates as server-sent events: message, session, webhook, request, clock and reset',
    description:
      'Each event is named by its type and carries JSON: the message, session or webhook attempt as the control API shows it, a request journal entry, the clock.',
  })
  @ApiProduces('text/event-stream')
  stream(@Res() reply: FastifyReply): void {
    // The stream outlives the handler: Fastify must neither answer for it nor wait for it.
    reply.hijack();
    this.live.attach(reply.raw);
  }
}
