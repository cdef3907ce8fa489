import { PROVIDER_REGISTRY } from '#providers';
import type { Suite } from './suite.js';

/** Each registered provider's suite, by convention in `<name>.suite.ts` exporting `suite`: adding a provider adds no line here. */
const SUITES: Suite[] = [];
// One after the other, as the app loads its providers (apps/sandbox/src/providers.ts says why).
for (const { name } of PROVIDER_REGISTRY) SUITES.push(await loadSuite(name));

async function loadSuite(provider: string): Promise<Suite> {
  const { suite } = (await import(`./${provider}.suite.js`)) as { suite?: Suite };
  if (suite?.provider !== provider) throw new Error(`suites/${provider}.suite.ts must export the provider's suite as "suite"`);
  return suite;
}

export class UnknownProviderError extends Error {}

export function providers(): string[] {
  return SUITES.map((s) => s.provider);
}

export function getSuite(provider: string): Suite {
  const suite = SUITES.find((s) => s.provider === provider);
  if (!suite) throw new UnknownProviderError(`no conformance suite for provider "${provider}" (known: ${providers().join(', ')})`);
  return suite;
}
