import type { ProviderDescriptor } from '#http';
import { wamessengerProvider } from '#providers/wamessenger';

/** Every provider the sandbox serves. Adding a provider is one import and one entry here. */
export const PROVIDERS: ProviderDescriptor[] = [
  wamessengerProvider,
];
