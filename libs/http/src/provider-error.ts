/**
 * An error a provider answers in its own wire format. `reason` is for humans: the sandbox sends it in the
 * `x-sandbox-error` header, so the body can stay byte-for-byte what the provider sends.
 */
export class ProviderError extends Error {
  constructor(
    readonly status: number,
    readonly body: string | object,
    readonly reason: string,
  ) {
    super(reason);
    this.name = 'ProviderError';
  }
}

export const SANDBOX_ERROR_HEADER = 'x-sandbox-error';
