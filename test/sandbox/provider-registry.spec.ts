import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { getSuite, providers, SANDBOX_APIS } from '#conformance';
import { PROVIDER_REGISTRY, sandboxBaseUrl } from '#providers';
import { projectRoot } from '../../apps/sandbox/src/paths.js';
import { PROVIDERS } from '../../apps/sandbox/src/providers.js';

const root = projectRoot();
const registered = PROVIDER_REGISTRY.map((provider) => provider.name);
const sorted = (names: Iterable<string>) => [...names].sort();
const filesIn = (dir: string, suffix: string) =>
  readdirSync(join(root, dir))
    .filter((file) => file.endsWith(suffix))
    .map((file) => file.slice(0, -suffix.length));

/** The registry is the one list: each provider's parts are found from it, and no part is left unregistered. */
describe('the provider registry', () => {
  it('gives the app each provider’s descriptor, in the registry’s order', () => {
    expect(PROVIDERS.map((descriptor) => descriptor.name)).toEqual(registered);
  });

  it('gives the conformance kit each provider’s suite, checking its contract', () => {
    expect(providers()).toEqual(registered);
    for (const name of registered) expect(getSuite(name).contract).toBe(`${name}.openapi.yaml`);
  });

  it('lists every provider folder, contract and suite there is (beside the sandbox’s own APIs’)', () => {
    const folders = readdirSync(join(root, 'libs/providers'), { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(sorted(folders)).toEqual(sorted(registered));
    expect(sorted(filesIn('contracts', '.openapi.yaml'))).toEqual(sorted([...registered, ...SANDBOX_APIS]));
    expect(sorted(filesIn('libs/conformance/src/suites', '.suite.ts'))).toEqual(sorted([...registered, ...SANDBOX_APIS]));
  });

  it('gives the conformance kit a suite for each of the sandbox’s own APIs, checking its contract', () => {
    for (const name of SANDBOX_APIS) expect(getSuite(name).contract).toBe(`${name}.openapi.yaml`);
    for (const name of SANDBOX_APIS) expect(registered).not.toContain(name);
  });

  it('is what the README’s table of providers lists, each by its title and sandbox base URL', () => {
    const readme = readFileSync(join(root, 'README.md'), 'utf8');
    const table = readme.slice(readme.indexOf('\n## Providers\n'), readme.indexOf('\n\n', readme.indexOf('\n| provider |')));
    const rows = [...table.matchAll(/^\| ([^|]+) \| `http:\/\/localhost:4000(\/[^`]*)`/gm)].map(([, title, path]) => `${title} ${path}`);
    // The README names Maytapi's path account by its own word: {product_id}.
    const expected = PROVIDER_REGISTRY.map(
      (provider, index) =>
        `${PROVIDERS[index]!.title} ${decodeURIComponent(new URL(sandboxBaseUrl('http://localhost:4000', provider, '{product_id}')).pathname)}`,
    );
    expect(sorted(rows)).toEqual(sorted(expected));
  });
});
