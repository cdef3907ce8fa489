import type { ProviderDescriptor } from '#http';
import { PROVIDER_REGISTRY } from '#providers';

/**
 * Every provider the sandbox serves, in the registry's order: each one's library (`#providers/<name>`)
 * exports its descriptor as `provider`, so adding a provider adds no line here (see libs/providers/registry.ts).
 */
export const PROVIDERS: ProviderDescriptor[] = [];
// One after the other: Jest's ES module loader fails ("request for './body/index.js' is not in cache") when
// dynamic imports that share modules link at the same time.
for (const { name } of PROVIDER_REGISTRY) PROVIDERS.push(await loadDescriptor(name));

async function loadDescriptor(name: string): Promise<ProviderDescriptor> {
  const { provider } = (await import(`#providers/${name}`)) as { provider?: ProviderDescriptor };
  if (provider?.name !== name) throw new Error(`#providers/${name} must export the provider's descriptor as "provider"`);
  return provider;
}
