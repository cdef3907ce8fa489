/**
 * Every provider wa-sandbox serves: the app, the conformance CLI and CI all read this list. Adding a
 * provider is its folder (`libs/providers/<name>/`, whose index exports its descriptor as `provider`),
 * its contract (`contracts/<name>.openapi.yaml`), its suite (`libs/conformance/src/suites/<name>.suite.ts`,
 * exporting `suite`), its tests, and one line here; `test/sandbox/provider-registry.spec.ts` fails when a part is missing.
 *
 * Data only, no imports: the conformance CLI reads it without loading Nest or the engine.
 */
export interface RegisteredProvider {
  /** Its URL prefix (`/wamessenger/...`), its folder under libs/providers and its contract's and suite's file name. */
  readonly name: string;
  /**
   * Where its API starts below the prefix on a sandbox, when not at the prefix itself. `{account}` stands
   * for the account the path names (Maytapi's product id): a run against a sandbox picks one.
   */
  readonly apiPath?: string;
}

/** In the order the sandbox registers their routes and lists their contracts on /docs. */
export const PROVIDER_REGISTRY: readonly RegisteredProvider[] = [
  { name: 'wamessenger' },
  { name: 'devino' },
  { name: 'maytapi', apiPath: '/api/{account}' },
  { name: 'wamm' },
  { name: 'wamessage' },
];

/** A provider's base URL on the sandbox at `origin`, e.g. http://localhost:4000/maytapi/api/my-product. */
export function sandboxBaseUrl(origin: string, provider: RegisteredProvider, account: string): string {
  return `${origin}/${provider.name}${provider.apiPath?.replace('{account}', encodeURIComponent(account)) ?? ''}`;
}
