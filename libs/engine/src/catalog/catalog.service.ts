import type { EngineStore } from '../store/store.js';

/** A product of a WhatsApp Business catalog. */
export interface CatalogProduct {
  /** WhatsApp's product id, what a product message names. */
  productId: string;
  title: string;
  description: string;
  /** In the currency's units (30 = 30.00). */
  price: number;
  /** ISO 4217. */
  currency: string;
  image: string;
  url: string;
  /** The business's own SKU. */
  retailerId: string;
}

/** Catalogs set for one line (the control API), replacing the baseline's. */
export interface CatalogRepository {
  get(lineId: string): Promise<CatalogProduct[] | undefined>;
  save(lineId: string, products: CatalogProduct[]): Promise<void>;
  delete(lineId: string): Promise<void>;
}

/** What every line starts with: a default catalog, and catalogs for particular business numbers. */
export interface CatalogBaseline {
  default: CatalogProduct[];
  byNumber: Record<string, CatalogProduct[]>;
}

export class CatalogDefinitionError extends Error {}

/**
 * WhatsApp Business catalogs, one per line. A line shows the catalog set for it, else the baseline's for
 * its number, else the default one (fixtures/catalog); a reset keeps the baseline.
 */
export class CatalogService {
  private baseline: CatalogBaseline = { default: [], byNumber: {} };

  constructor(private readonly store: EngineStore) {}

  setBaseline(baseline: CatalogBaseline): void {
    for (const products of [baseline.default, ...Object.values(baseline.byNumber)]) assertUniqueIds(products);
    this.baseline = baseline;
  }

  async list(lineId: string, number: string | null): Promise<CatalogProduct[]> {
    return (await this.store.catalogs.get(lineId)) ?? (number !== null ? this.baseline.byNumber[number] : undefined) ?? this.baseline.default;
  }

  async find(lineId: string, number: string | null, productId: string): Promise<CatalogProduct | undefined> {
    return (await this.list(lineId, number)).find((product) => product.productId === productId);
  }

  async set(lineId: string, products: CatalogProduct[]): Promise<void> {
    assertUniqueIds(products);
    await this.store.catalogs.save(lineId, products);
  }

  /** Back to the baseline's catalog. */
  async clear(lineId: string): Promise<void> {
    await this.store.catalogs.delete(lineId);
  }
}

function assertUniqueIds(products: CatalogProduct[]): void {
  const seen = new Set<string>();
  for (const product of products) {
    if (seen.has(product.productId)) throw new CatalogDefinitionError(`product id ${product.productId} appears twice in one catalog`);
    seen.add(product.productId);
  }
}
