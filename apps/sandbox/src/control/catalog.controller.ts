import { BadRequestException, Body, Controller, Delete, Get, NotFoundException, Param, Put, type OnModuleInit, UsePipes } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { join } from 'node:path';
import { CatalogDefinitionError, WhatsAppEngine, type CatalogBaseline, type CatalogProduct, type Session } from '#engine';
import { projectRoot } from '../paths.js';
import { CatalogDto, PutCatalogDto } from './catalog.dto.js';
import { controlValidation } from './control.validation.js';
import { readJsonFixtures } from './json-fixtures.js';

/** `default.json` is every line's catalog; `<number>.json` is that business number's. */
export const CATALOG_FIXTURES_DIR = join('fixtures', 'catalog');

/** WhatsApp Business catalogs: what a session's business phone sells (Maytapi's `catalog`, product messages). */
@ApiTags('sessions')
@UsePipes(controlValidation)
@Controller('__sandbox/sessions/:id/catalog')
export class CatalogController implements OnModuleInit {
  constructor(private readonly engine: WhatsAppEngine) {}

  async onModuleInit(): Promise<void> {
    const dir = join(projectRoot(), CATALOG_FIXTURES_DIR);
    try {
      this.engine.catalogs.setBaseline(await loadCatalogFixtures(dir));
    } catch (error) {
      if (error instanceof CatalogDefinitionError) throw new Error(`catalog fixtures in ${dir}: ${error.message}`);
      throw error;
    }
  }

  @Get()
  @ApiOperation({ summary: "The session's product catalog: its own, else its number's fixture, else fixtures/catalog/default.json" })
  @ApiOkResponse({ type: CatalogDto })
  async get(@Param('id') id: string): Promise<CatalogDto> {
    const session = await this.find(id);
    return { products: await this.engine.catalogs.list(session.id, session.phone) };
  }

  @Put()
  @ApiOperation({ summary: "Replace the session's product catalog (until a reset)" })
  @ApiOkResponse({ type: CatalogDto })
  async put(@Param('id') id: string, @Body() body: PutCatalogDto): Promise<CatalogDto> {
    const session = await this.find(id);
    try {
      await this.engine.catalogs.set(
        session.id,
        body.products.map((product) => ({ ...product })),
      );
    } catch (error) {
      if (error instanceof CatalogDefinitionError) throw new BadRequestException(error.message);
      throw error;
    }
    return { products: await this.engine.catalogs.list(session.id, session.phone) };
  }

  @Delete()
  @ApiOperation({ summary: "Back to the fixtures' catalog" })
  @ApiOkResponse({ type: CatalogDto })
  async clear(@Param('id') id: string): Promise<CatalogDto> {
    const session = await this.find(id);
    await this.engine.catalogs.clear(session.id);
    return { products: await this.engine.catalogs.list(session.id, session.phone) };
  }

  private async find(id: string): Promise<Session> {
    const session = await this.engine.sessions.get(id);
    if (!session) throw new NotFoundException('no such session');
    return session;
  }
}

const PRODUCT_FIELDS = ['productId', 'title', 'description', 'currency', 'image', 'url', 'retailerId'] as const;

/** Reads every *.json in the folder (a missing folder is an empty catalog); a malformed file stops the start, naming it. */
export async function loadCatalogFixtures(dir: string): Promise<CatalogBaseline> {
  const baseline: CatalogBaseline = { default: [], byNumber: {} };
  for (const { name: owner, path, parsed } of await readJsonFixtures(dir, 'catalog fixture')) {
    if (owner !== 'default' && !/^\d{8,15}$/.test(owner))
      throw new Error(`catalog fixture ${path}: name it default.json or after a business number (905309876543.json)`);
    const list = (parsed as { products?: unknown })?.products;
    if (!Array.isArray(list)) throw new Error(`catalog fixture ${path} must look like {"products":[{"productId","title",…}]}`);
    const products = list.map((entry, index): CatalogProduct => {
      const fields = (entry ?? {}) as Record<string, unknown>;
      for (const field of PRODUCT_FIELDS) {
        if (typeof fields[field] !== 'string') throw new Error(`catalog fixture ${path}: products[${index}] needs a string "${field}"`);
      }
      if (typeof fields.price !== 'number' || !(fields.price >= 0)) throw new Error(`catalog fixture ${path}: products[${index}] needs a "price" of 0 or more`);
      const product = Object.fromEntries([...PRODUCT_FIELDS, 'price'].map((field) => [field, fields[field]]));
      return product as unknown as CatalogProduct;
    });
    if (owner === 'default') baseline.default = products;
    else baseline.byNumber[owner] = products;
  }
  return baseline;
}
