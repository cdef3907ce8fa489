/** An account the sandbox knows from the start: strict mode refuses every other key. */
export interface SandboxAccount {
  provider: string;
  /** What names the account to its provider: the API key, WAMM's token, Maytapi's product id, Wamessage's user phone. */
  key: string;
  /** The account's own WhatsApp number, 8–15 digits. */
  linePhone?: string;
}

/**
 * A provider's base URL on a sandbox at `origin`: what a client uses instead of the provider's own.
 * Maytapi's carries the product id (`/maytapi/api/<product>`): `product`, else the first Maytapi account's key.
 */
export function providerBaseUrl(origin: string, provider: string, accounts: readonly SandboxAccount[], product?: string): string {
  if (provider !== 'maytapi') return `${origin}/${provider}`;
  const productId = product ?? accounts.find((account) => account.provider === 'maytapi')?.key;
  if (productId === undefined) throw new Error("baseUrl('maytapi') needs a product id: baseUrl('maytapi', 'my-product'), or a Maytapi account in the accounts");
  return `${origin}/maytapi/api/${encodeURIComponent(productId)}`;
}
