import type { Type } from '@nestjs/common';
import type { ProviderProfile } from '#engine';

/**
 * What the sandbox needs to serve a provider. Each provider library exports one; the app lists them.
 * The provider's name is also its URL prefix (`/wamessenger/...`) and its contract's file name.
 */
export interface ProviderDescriptor {
  name: string;
  title: string;
  module: Type;
  /** What the engine needs to know of the provider; registered with the engine when the sandbox starts. */
  profile: ProviderProfile;
  /**
   * The provider's answer when a request under its prefix fails outside its handlers (unknown route,
   * unexpected error): never Nest's JSON, never a stack trace.
   */
  fallbackError(status: number, reason: string): ProviderErrorLike;
}

export interface ProviderErrorLike {
  status: number;
  body: string | object;
  reason: string;
}
