import { fuzzProvider, SANDBOX_APIS, type FuzzFinding } from '#conformance';
import { PROVIDER_REGISTRY, sandboxBaseUrl } from '#providers';
import { useSandbox } from '../support/sandbox.js';

/**
 * Every operation of every contract, 200 malformed requests each: no 5xx, no hang, and every answer one
 * the contract declares. `npm run conformance -- --fuzz` runs the same against any base URL.
 */
/** One finding per operation, mutation and kind of problem: a failure reads as a list of defects, not 4,000 lines. */
function distinct(findings: FuzzFinding[]): FuzzFinding[] {
  const seen = new Set<string>();
  return findings.filter((finding) => {
    const key = `${finding.operationId} ${finding.mutation} ${finding.problem.slice(0, 80)}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

describe('contract-driven fuzzing', () => {
  const sandbox = useSandbox({ reset: false });

  // The sandbox's own APIs (the relay's device API) live at its origin.
  const targets = [
    ...PROVIDER_REGISTRY.map((provider) => [provider.name, (origin: string) => sandboxBaseUrl(origin, provider, 'fuzz-product')] as const),
    ...SANDBOX_APIS.map((api) => [api, (origin: string) => origin] as const),
  ];
  test.each(targets)(
    '%s',
    async (provider, baseUrl) => {
      const report = await fuzzProvider({
        provider,
        baseUrl: baseUrl(sandbox.origin),
        key: 'fuzz-key',
        requestsPerOperation: 200,
        seed: 12,
      });
      expect(report.sent).toBeGreaterThanOrEqual(200);
      expect(report.sent % 200).toBe(0);
      expect(distinct(report.findings)).toEqual([]);
    },
    // Up to 4,000 requests a provider, some of them 2 MB forms: about 10–30 s alone on 2 cores.
    180_000,
  );
});
