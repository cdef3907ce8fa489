import { createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Account, WhatsAppEngine } from '#engine';
import { bodyOf, bodyProblem, type ParsedBody } from '../body/index.js';
import type { ApiChaos } from '../chaos/api-chaos.js';
import type { ProviderError } from '../provider-error.js';
import type { ProviderDescriptor } from '../provider-descriptor.js';

/**
 * The provider kit: every provider route gets its caller's account and its parsed body the same way, and
 * is refused in the provider's own format when it has neither. A provider's descriptor says how it
 * authenticates and how it answers a body it could not read; its routes only say where they differ.
 *
 * The order of checks is the same on every route: authentication (`admitRequest`, before anything of the
 * route runs), then the route's scope (Maytapi: the phone in the path), then the body (`@WireBody()`,
 * resolved before the handler), then the handler's own parameter parsing. The few routes that parse a
 * parameter before they look at the body take `@DeferredBody()` and read it where they need it. The kit
 * serves the routes itself (provider-routes.ts).
 */

/** A narrower thing a route works on, found once the caller is authenticated (Maytapi: one of the product's phones). */
export type ScopeResolver<T> = (account: Account, request: FastifyRequest, engine: WhatsAppEngine) => Promise<T>;

/** A route's own wording of an error (WAMM's check_phone adds `"result":"error"` to every error it answers). */
export type ErrorShape = (error: unknown) => unknown;

const UNAUTHENTICATED = 'wa-sandbox:unauthenticated';
const SCOPE = 'wa-sandbox:scope';
const ERROR_SHAPE = 'wa-sandbox:error-shape';

/** A route anyone may call without credentials (sign-up, login, a method called without its token). */
export const Unauthenticated = () => SetMetadata(UNAUTHENTICATED, true);

/** Every error of the route, from authentication on, is answered in this shape. */
export const AnswerErrorsAs = (shape: ErrorShape) => SetMetadata(ERROR_SHAPE, shape);

/** What the kit knows of one request to a provider route, from its admission on. */
interface RouteState {
  provider: ProviderDescriptor;
  account: Account | undefined;
  scope: unknown;
}

/** What a route asks of the kit before its handler runs: read once per route from its decorators. */
export interface RoutePlan {
  provider: ProviderDescriptor;
  authenticates: boolean;
  scope: ScopeResolver<unknown> | undefined;
  errorShape: ErrorShape | undefined;
}

// Keyed by the Fastify request: what admission, parameter decorators and the exception filter all see.
const states = new WeakMap<FastifyRequest, RouteState>();
const errorShapes = new WeakMap<FastifyRequest, ErrorShape>();

/** The route's plan, from the kit's decorators on its handler. */
export function planRoute(provider: ProviderDescriptor, handler: object): RoutePlan {
  return {
    provider,
    authenticates: Reflect.getMetadata(UNAUTHENTICATED, handler) !== true,
    scope: Reflect.getMetadata(SCOPE, handler) as ScopeResolver<unknown> | undefined,
    errorShape: Reflect.getMetadata(ERROR_SHAPE, handler) as ErrorShape | undefined,
  };
}

/**
 * Before anything of the route runs: the provider authenticates the caller (unless the route is
 * `@Unauthenticated()`), the route's scope is resolved, then chaos rules meet the request. Throws the
 * provider's refusal; from here on the route's errors take its error shape.
 */
export async function admitRequest(plan: RoutePlan, request: FastifyRequest, reply: FastifyReply, engine: WhatsAppEngine, chaos: ApiChaos): Promise<void> {
  if (plan.errorShape) errorShapes.set(request, plan.errorShape);
  const state: RouteState = { provider: plan.provider, account: undefined, scope: undefined };
  states.set(request, state);
  if (plan.authenticates) {
    state.account = await plan.provider.authenticate(request, engine);
    if (plan.scope) state.scope = await plan.scope(state.account, request, engine);
  }
  await chaos.apply(request, reply, plan.provider, state.account);
}

/** The route's error shape, for the exception filter; undefined for most routes. */
export function errorShapeOf(request: FastifyRequest): ErrorShape | undefined {
  return errorShapes.get(request);
}

function stateOf(context: ExecutionContext): RouteState {
  const state = states.get(context.switchToHttp().getRequest<FastifyRequest>());
  if (!state) throw new Error(`${context.getClass().name}.${context.getHandler().name} is not a provider route the kit serves`);
  return state;
}

/** The authenticated caller's account. */
export const ProviderAccount = createParamDecorator((_data: unknown, context: ExecutionContext): Account => {
  const { account } = stateOf(context);
  if (!account) throw new Error(`${context.getClass().name}.${context.getHandler().name} is @Unauthenticated(): it has no account`);
  return account;
});

const Scope = createParamDecorator((_data: unknown, context: ExecutionContext): unknown => stateOf(context).scope);

/**
 * A parameter decorator for a provider's scope: the route resolves it after authentication, and the
 * parameter gets what `resolve` found (or the provider's error `resolve` threw answers the request).
 */
export function scopeDecorator<T>(resolve: ScopeResolver<T>): () => ParameterDecorator {
  return () => (target, key, index) => {
    // The handler is the method the parameter belongs to: the guard reads the resolver from it.
    Reflect.defineMetadata(SCOPE, resolve, (target as Record<PropertyKey, object>)[key!]!);
    Scope()(target, key, index);
  };
}

/** How a route answers a body it could not read, where it differs from its provider's `unreadableBody`. */
export interface WireBodyOptions {
  unreadable?: (problem: string, provider: ProviderDescriptor) => ProviderError;
}

function readBody(request: FastifyRequest, provider: ProviderDescriptor, options: WireBodyOptions | undefined): ParsedBody {
  const problem = bodyProblem(request);
  if (problem) throw options?.unreadable ? options.unreadable(problem, provider) : provider.unreadableBody(problem);
  return bodyOf(request);
}

/** The parsed body (JSON, form or multipart alike), or the provider's answer to one it could not read. */
export const WireBody = createParamDecorator((options: WireBodyOptions | undefined, context: ExecutionContext): ParsedBody => {
  return readBody(context.switchToHttp().getRequest<FastifyRequest>(), stateOf(context).provider, options);
});

/** A body the handler reads after it checked something else first. */
export class DeferredBody {
  constructor(
    private readonly request: FastifyRequest,
    private readonly provider: ProviderDescriptor,
  ) {}

  /** What could be read, as it is: `{}` for a body that could not be read. */
  get fields(): ParsedBody {
    return bodyOf(this.request);
  }

  /** The parsed body, or the provider's answer to one it could not read. */
  read(): ParsedBody {
    return readBody(this.request, this.provider, undefined);
  }
}

/** For the routes whose checks put a parameter before the body: the body, checked when the handler reads it. */
export const DeferredWireBody = createParamDecorator((_data: unknown, context: ExecutionContext): DeferredBody => {
  return new DeferredBody(context.switchToHttp().getRequest<FastifyRequest>(), stateOf(context).provider);
});

/** A path parameter of the request, as routing found it ('' when the route has none by that name). */
export function pathParam(request: FastifyRequest, name: string): string {
  return (request.params as Record<string, string | undefined>)[name] ?? '';
}
