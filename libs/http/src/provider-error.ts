/**
 * An error a provider answers in its own wire format. `reason` is for humans: the sandbox sends it in the
 * `x-sandbox-error` header, so the body can stay byte-for-byte what the provider sends.
 */
export class ProviderError extends Error {
  constructor(
    readonly status: number,
    readonly body: string | object,
    readonly reason: string,
    /** Headers the provider sends with it (`Retry-After` on a 429). */
    readonly headers?: Readonly<Record<string, string>>,
  ) {
    super(reason);
    this.name = 'ProviderError';
  }
}

export const SANDBOX_ERROR_HEADER = 'x-sandbox-error';

/** The header a 429 carries: how many seconds to wait before trying again. */
export function retryAfter(seconds: number): Record<string, string> {
  return { 'retry-after': String(seconds) };
}
