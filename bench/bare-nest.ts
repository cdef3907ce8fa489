/**
 * The framework's own ceiling: NestJS on Fastify, as the sandbox runs it, answering the benchmark's two
 * routes from a controller with no work behind them. Between bare Fastify (the limit) and the sandbox, it
 * shows how much of the gap is the framework and how much is the sandbox's own work.
 *
 *   node dist/bench/bare-nest.js --port <n> --status-body '<getStatus JSON>' --message-id <id>
 */
import { Controller, Get, HttpCode, Module, Param, Post, Query, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { parse as parseQueryString } from 'node:querystring';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'status-body': { type: 'string' }, 'message-id': { type: 'string' } },
});
const statusReport: unknown = JSON.parse(values['status-body'] ?? '{}');
const messageId = values['message-id'] ?? '80000000';

@Controller('wamessenger')
class StubController {
  @Get('getStatus/:apikey')
  getStatus(@Param('apikey') _key: string, @Query('id') _id: unknown) {
    return statusReport;
  }

  @Post('sendMessage/:apikey')
  @HttpCode(200)
  sendMessage(@Param('apikey') _key: string, @Res({ passthrough: true }) reply: FastifyReply) {
    reply.type('text/plain; charset=utf-8');
    return messageId;
  }
}

@Module({ controllers: [StubController] })
class StubModule {}

// Nest's own body parsers off, as in the sandbox: forms are parsed as bare Fastify does.
const app = await NestFactory.create<NestFastifyApplication>(StubModule, new FastifyAdapter(), { logger: false, bodyParser: false });
app
  .getHttpAdapter()
  .getInstance()
  .addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    done(null, parseQueryString(body as string));
  });
await app.listen(Number(values.port ?? 0), '127.0.0.1');
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
