import { BadRequestException, Body, Controller, Delete, Get, HttpCode, Inject, Post, Query, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiQuery, ApiTags } from '@nestjs/swagger';
import { accountId, WhatsAppEngine } from '#engine';
import type { RequestJournalRepository, RequestQuery } from '#http';
import { REQUEST_JOURNAL } from '../request-journal.module.js';
import { RequestMatchDto, RequestRecordDto, WebhookAttemptDto } from './control.dto.js';
import { controlValidation } from './control.validation.js';

@ApiTags('journals')
@UsePipes(controlValidation)
@Controller('__sandbox')
export class JournalController {
  constructor(
    private readonly engine: WhatsAppEngine,
    @Inject(REQUEST_JOURNAL) private readonly journal: RequestJournalRepository,
  ) {}

  @Get('webhooks/journal')
  @ApiOperation({ summary: 'Webhook delivery attempts, oldest first (with limit: the most recent ones)' })
  @ApiQuery({ name: 'provider', required: false })
  @ApiQuery({ name: 'key', required: false })
  @ApiQuery({ name: 'limit', required: false })
  async webhookJournal(
    @Query('provider') provider?: string,
    @Query('key') key?: string,
    @Query('limit') limit?: string,
  ): Promise<{ attempts: WebhookAttemptDto[] }> {
    if ((provider === undefined) !== (key === undefined)) throw new BadRequestException('give both provider and key, or neither');
    const attempts = await this.engine.webhooks.attempts({
      ...(provider !== undefined && key !== undefined ? { accountId: accountId(provider, key) } : {}),
      ...(limit !== undefined ? { limit: positiveInt(limit, 'limit') } : {}),
    });
    return { attempts: attempts.map((attempt) => WebhookAttemptDto.of(attempt)) };
  }

  @Get('requests')
  @ApiOperation({ summary: 'The request journal: provider calls the sandbox received, oldest first' })
  @ApiQuery({ name: 'provider', required: false })
  @ApiQuery({ name: 'method', required: false })
  @ApiQuery({ name: 'path', required: false })
  async requests(
    @Query('provider') provider?: string,
    @Query('method') method?: string,
    @Query('path') path?: string,
  ): Promise<{ requests: RequestRecordDto[] }> {
    const records = await this.journal.list(toQuery({ provider, method, path }));
    return { requests: records.map((record) => RequestRecordDto.of(record)) };
  }

  @Post('requests/count')
  @HttpCode(200)
  @ApiOperation({ summary: 'Verify: how many journal entries match (WireMock-style)' })
  @ApiOkResponse({ schema: { properties: { count: { type: 'number' } } } })
  async count(@Body() body: RequestMatchDto): Promise<{ count: number }> {
    return { count: await this.journal.count(toQuery(body)) };
  }

  @Delete('requests')
  @ApiOperation({ summary: 'Clear the request journal' })
  async clear(): Promise<{ cleared: number }> {
    return { cleared: await this.journal.clear() };
  }
}

function toQuery(match: RequestMatchDto): RequestQuery {
  let pathPattern: RegExp | undefined;
  if (match.pathPattern !== undefined) {
    try {
      pathPattern = new RegExp(match.pathPattern);
    } catch {
      throw new BadRequestException(`pathPattern is not a valid regular expression: ${match.pathPattern}`);
    }
  }
  return {
    ...(match.provider !== undefined ? { provider: match.provider } : {}),
    ...(match.method !== undefined ? { method: match.method } : {}),
    ...(match.path !== undefined ? { path: match.path } : {}),
    ...(pathPattern ? { pathPattern } : {}),
  };
}

function positiveInt(value: string, name: string): number {
  if (!/^\d+$/.test(value) || Number(value) < 1) throw new BadRequestException(`${name} must be a positive integer`);
  return Number(value);
}
