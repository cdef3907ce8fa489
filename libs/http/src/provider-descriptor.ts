import type { Type } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import type { Account, ProviderProfile, WhatsAppEngine } from '#engine';
import { firstSegment } from './provider-answers.js';
import type { ProviderError } from './provider-error.js';
import { takeOverControllers } from './kit/provider-routes.js';

/**
 * The HTTP side of a provider, declared by each in its `<name>.access.ts`: what a request under its prefix
 * may weigh, whose it is, and how the provider refuses what it cannot read or route.
 */
export interface ProviderAccess {
  /** Bytes of a JSON / form / other body, and of all multipart fields together (files have their own limit). */
  bodyLimit: number;
  /**
   * Bytes of the request line and headers together; past it, 431 in the provider's format. A path
   * segment may use all of it: the router's own limit is the largest of these.
   */
  requestHeadLimit: number;
  /**
   * The account a request's credentials name, or the provider's refusal thrown as a ProviderError. The
   * kit calls it before anything of the route runs, on every route not `@Unauthenticated()`.
   */
  authenticate(request: FastifyRequest, engine: WhatsAppEngine): Promise<Account>;
  /** The provider's answer to a body that could not be read (`problem` says why, for the reason header). */
  unreadableBody(problem: string): ProviderError;
  /**
   * The provider's answer when a request under its prefix fails outside its handlers (unknown route,
   * unexpected error): never Nest's JSON, never a stack trace.
   */
  fallbackError(status: number, reason: string): ProviderErrorLike;
  /** The provider's own answer when its servers fail (chaos: a 500, 502 or 503 on purpose). */
  serverError(status: 500 | 502 | 503, reason: string): ProviderError;
  /** The provider's answer to too many requests (chaos): a 429 with `Retry-After: retryAfterSeconds`. */
  rateLimited(retryAfterSeconds: number, reason: string): ProviderError;
}

/**
 * What the sandbox needs to serve a provider. Each provider library exports one; the app lists them.
 * The provider's name is also its URL prefix (`/wamessenger/...`) and its contract's file name.
 */
export interface ProviderDescriptor extends ProviderAccess {
  name: string;
  title: string;
  module: Type;
  /** The controllers its module declares: the kit serves their routes (kit/provider-routes.ts). */
  controllers: Type[];
  /** What the engine needs to know of the provider; registered with the engine when the sandbox starts. */
  profile: ProviderProfile;
}

export interface ProviderErrorLike {
  status: number;
  body: string | object;
  reason: string;
  headers?: Readonly<Record<string, string>>;
}

/** A provider's descriptor from what is its own: its name is its profile's. */
export function defineProvider(parts: { title: string; module: Type; profile: ProviderProfile; access: ProviderAccess }): ProviderDescriptor {
  const controllers = takeOverControllers(parts.module);
  return { name: parts.profile.name, title: parts.title, module: parts.module, controllers, profile: parts.profile, ...parts.access };
}

/** Each request's limit of one kind: its provider's under the provider's prefix, `otherwise` anywhere else. */
export function limitByProvider(
  providers: readonly ProviderDescriptor[],
  limit: 'bodyLimit' | 'requestHeadLimit',
  otherwise: number,
): (request: { url: string }) => number {
  const limits = new Map(providers.map((provider) => [provider.name, provider[limit]]));
  return (request) => limits.get(firstSegment(request.url)) ?? otherwise;
}

/** The largest of the providers' limits of one kind, and `otherwise`. */
export function largestLimit(providers: readonly ProviderDescriptor[], limit: 'bodyLimit' | 'requestHeadLimit', otherwise: number): number {
  return Math.max(otherwise, ...providers.map((provider) => provider[limit]));
}
