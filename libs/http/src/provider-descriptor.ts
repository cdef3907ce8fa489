import type { Type } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Account, ProviderProfile, WhatsAppEngine } from '#engine';
import { firstSegment } from './provider-answers.js';
import type { ProviderError } from './provider-error.js';

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
  /** Bytes of a JSON / form / other body, and of all multipart fields together (files have their own limit). */
  bodyLimit: number;
  /**
   * The provider's answer when a request under its prefix fails outside its handlers (unknown route,
   * unexpected error): never Nest's JSON, never a stack trace.
   */
  fallbackError(status: number, reason: string): ProviderErrorLike;
  /**
   * The account a request's credentials name, or the provider's refusal thrown as a ProviderError. The
   * kit's ProviderGuard calls it before anything of the route runs, on every route not `@Unauthenticated()`.
   */
  authenticate(request: FastifyRequest, engine: WhatsAppEngine): Promise<Account>;
  /** The provider's answer to a body that could not be read (`problem` says why, for the reason header). */
  unreadableBody(problem: string): ProviderError;
}

export interface ProviderErrorLike {
  status: number;
  body: string | object;
  reason: string;
}

/** Each request's body limit: its provider's under the provider's prefix, `otherwise` anywhere else. */
export function bodyLimitByProvider(providers: readonly ProviderDescriptor[], otherwise: number): (request: { url: string }) => number {
  const limits = new Map(providers.map((provider) => [provider.name, provider.bodyLimit]));
  return (request) => limits.get(firstSegment(request.url)) ?? otherwise;
}
