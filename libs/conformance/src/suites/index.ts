import { PROVIDER_REGISTRY } from '#providers';
import type { Suite } from './suite.js';

/**
 * The sandbox's own APIs that have a contract and a suite but are not a provider's: the Android relay's
 * device API (`relay.suite.ts`, contracts/relay.openapi.yaml). Their base url is the sandbox's origin.
 */
export const SANDBOX_APIS: readonly string[] = ['relay'];

/** Each registered provider's suite, by convention in `<name>.suite.ts` exporting `suite`: adding a provider adds no line here. */
const SUITES: Suite[] = [];
// One after the other, as the app loads its providers (apps/sandbox/src/providers.ts says why).
for (const name of [...PROVIDER_REGISTRY.map((provider) => provider.name), ...SANDBOX_APIS]) SUITES.push(await loadSuite(name));

async function loadSuite(provider: string): Promise<Suite> {
  const { suite } = (await import(`./${provider}.suite.js`)) as { suite?: Suite };
  if (suite?.provider !== provider) throw new Error(`suites/${provider}.suite.ts must export the provider's suite as "suite"`);
  return suite;
}

export class UnknownProviderError extends Error {}

/** The providers that have a suite, in the registry's order. */
export function providers(): string[] {
  return SUITES.map((s) => s.provider).filter((name) => !SANDBOX_APIS.includes(name));
}

/** Everything the CLI can check: the providers, then the sandbox's own APIs. */
export function suiteNames(): string[] {
  return SUITES.map((s) => s.provider);
}

export function getSuite(provider: string): Suite {
  const suite = SUITES.find((s) => s.provider === provider);
  if (!suite) throw new UnknownProviderError(`no conformance suite for "${provider}" (known: ${suiteNames().join(', ')})`);
  return suite;
}
