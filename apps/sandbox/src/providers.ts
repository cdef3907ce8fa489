import type { ProviderDescriptor } from '#http';
import { wamessengerProvider } from '#providers/wamessenger';
import { devinoProvider } from '#providers/devino';
import { maytapiProvider } from '#providers/maytapi';
import { wammProvider } from '#providers/wamm';
import { wamessageProvider } from '#providers/wamessage';

/** Every provider the sandbox serves. Adding a provider is one import and one entry here. */
export const PROVIDERS: ProviderDescriptor[] = [
  wamessengerProvider,
  devinoProvider,
  maytapiProvider,
  wammProvider,
  wamessageProvider,
];
