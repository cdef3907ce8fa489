import { BadRequestException, Body, Controller, Delete, Get, NotFoundException, Param, Put, type OnModuleInit, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { join } from 'node:path';
import { TemplateDefinitionError, WhatsAppEngine, type TemplateInput } from '#engine';
import { projectRoot } from '../paths.js';
import { PutTemplateDto, RemovedTemplatesDto, TemplateDto } from './templates.dto.js';
import { controlValidation } from './control.validation.js';
import { readJsonFixtures } from './json-fixtures.js';

/** Where the templates every sandbox starts with live: `{"templates":[{"name","language","text"}]}` per file. */
export const TEMPLATE_FIXTURES_DIR = join('fixtures', 'templates');

/**
 * The approved WhatsApp Business message templates that providers on the official API (Devino) send
 * by name. Seeded at start from fixtures/templates/*.json; a reset brings back exactly those.
 */
@ApiTags('templates')
@UsePipes(controlValidation)
@Controller('__sandbox/templates')
export class TemplatesController implements OnModuleInit {
  constructor(private readonly engine: WhatsAppEngine) {}

  async onModuleInit(): Promise<void> {
    const dir = join(projectRoot(), TEMPLATE_FIXTURES_DIR);
    try {
      await this.engine.templates.setBaseline(await loadTemplateFixtures(dir));
    } catch (error) {
      if (error instanceof TemplateDefinitionError) throw new Error(`template fixtures in ${dir}: ${error.message}`);
      throw error;
    }
  }

  @Get()
  @ApiOperation({ summary: 'Every template, by name then language' })
  @ApiOkResponse({ type: [TemplateDto] })
  async list(): Promise<TemplateDto[]> {
    return (await this.engine.templates.list()).map(TemplateDto.of);
  }

  @Get(':name')
  @ApiOperation({ summary: 'Every language of one template' })
  @ApiOkResponse({ type: [TemplateDto] })
  async languages(@Param('name') name: string): Promise<TemplateDto[]> {
    const templates = await this.engine.templates.languages(name);
    if (templates.length === 0) throw new NotFoundException(`no template named ${name}`);
    return templates.map(TemplateDto.of);
  }

  @Get(':name/:language')
  @ApiOperation({ summary: 'One template in one language (the code is normalised: EN = en, pt-br = pt_BR)' })
  @ApiOkResponse({ type: TemplateDto })
  async get(@Param('name') name: string, @Param('language') language: string): Promise<TemplateDto> {
    const template = await this.engine.templates.get(name, language);
    if (!template) throw new NotFoundException(`no template ${name} in language ${language}`);
    return TemplateDto.of(template);
  }

  @Put(':name/:language')
  @ApiOperation({ summary: 'Add or replace a template in one language; its parameter count comes from the {{n}} in the text' })
  @ApiOkResponse({ type: TemplateDto })
  async put(@Param('name') name: string, @Param('language') language: string, @Body() body: PutTemplateDto): Promise<TemplateDto> {
    try {
      return TemplateDto.of(await this.engine.templates.put({ name, language, text: body.text }));
    } catch (error) {
      if (error instanceof TemplateDefinitionError) throw new BadRequestException(error.message);
      throw error;
    }
  }

  @Delete(':name')
  @ApiOperation({ summary: 'Remove a template in every language' })
  @ApiOkResponse({ type: RemovedTemplatesDto })
  async removeAll(@Param('name') name: string): Promise<RemovedTemplatesDto> {
    const removed = await this.engine.templates.remove(name);
    if (removed === 0) throw new NotFoundException(`no template named ${name}`);
    return { removed };
  }

  @Delete(':name/:language')
  @ApiOperation({ summary: 'Remove a template in one language' })
  @ApiOkResponse({ type: RemovedTemplatesDto })
  async remove(@Param('name') name: string, @Param('language') language: string): Promise<RemovedTemplatesDto> {
    const removed = await this.engine.templates.remove(name, language);
    if (removed === 0) throw new NotFoundException(`no template ${name} in language ${language}`);
    return { removed };
  }
}

/** Reads every *.json in the folder (a missing folder is no templates); a malformed file stops the start, naming it. */
export async function loadTemplateFixtures(dir: string): Promise<TemplateInput[]> {
  const templates: TemplateInput[] = [];
  for (const { path, parsed } of await readJsonFixtures(dir, 'template fixture')) {
    const list = (parsed as { templates?: unknown })?.templates;
    if (!Array.isArray(list)) throw new Error(`template fixture ${path} must look like {"templates":[{"name","language","text"}]}`);
    list.forEach((entry, index) => {
      const { name, language, text } = (entry ?? {}) as Record<string, unknown>;
      if (typeof name !== 'string' || typeof language !== 'string' || typeof text !== 'string') {
        throw new Error(`template fixture ${path}: templates[${index}] needs string "name", "language" and "text"`);
      }
      templates.push({ name, language, text });
    });
  }
  return templates;
}
