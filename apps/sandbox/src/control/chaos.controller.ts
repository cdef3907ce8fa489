import { BadRequestException, Body, Controller, Delete, Get, HttpCode, NotFoundException, Param, Post, UsePipes } from '@nestjs/common';
import { ApiBody, ApiCreatedResponse, ApiNoContentResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { WhatsAppEngine, type ChaosRule } from '#engine';
import { controlValidation } from './control.validation.js';

const RULE_EXAMPLE = { kind: 'api', provider: 'wamessenger', route: 'POST /wamessenger/sendMessage/*', share: 0.5, fault: { type: 'error', status: 503 } };

/**
 * Chaos switches: faults a client meets on purpose. The body is checked by the engine's own rule check
 * (its faults differ by kind, which a DTO class cannot say), and refused as `{ error }` like any control error.
 */
@ApiTags('chaos')
@UsePipes(controlValidation)
@Controller('__sandbox/chaos')
export class ChaosController {
  constructor(private readonly engine: WhatsAppEngine) {}

  @Get()
  @ApiOperation({ summary: 'The chaos rules, oldest first, with the seed their draws come from' })
  @ApiOkResponse({ schema: { properties: { seed: { type: 'number' }, rules: { type: 'array', items: { type: 'object' } } } } })
  list(): { seed: number; rules: ChaosRule[] } {
    return { seed: this.engine.seed, rules: this.engine.chaos.list() };
  }

  @Post()
  @HttpCode(201)
  @ApiOperation({
    summary: 'Add a chaos rule',
    description:
      'kind api (fault error 500|502|503, rate-limit, latency, timeout, reset; route "METHOD /path" with * wildcards), ' +
      'webhook (duplicate, delay, reorder, drop), session (disconnect, logout, flap: acts at once on connected sessions), ' +
      'delivery (stuck at sent|delivered, fail with a code). share (0..1, seeded) and next (N events) choose what it hits. See the README.',
  })
  @ApiBody({ schema: { type: 'object', example: RULE_EXAMPLE } })
  @ApiCreatedResponse({ description: 'The rule, with its id, hits and remaining.' })
  async add(@Body() body: unknown): Promise<ChaosRule> {
    const added = await this.engine.chaos.add(body);
    if (!added.ok) throw new BadRequestException(added.problem);
    // A session rule's status changes go out as webhooks before the answer.
    await this.engine.clock.settle();
    return added.rule;
  }

  @Delete()
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove every chaos rule' })
  @ApiNoContentResponse()
  removeAll(): void {
    this.engine.chaos.removeAll();
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperation({ summary: 'Remove one chaos rule (a flap under way plays on)' })
  @ApiNoContentResponse()
  remove(@Param('id') id: string): void {
    if (!this.engine.chaos.remove(id)) throw new NotFoundException(`no chaos rule ${id}`);
  }
}
