import { type INestApplicationContext, RequestMethod, type Type } from '@nestjs/common';
import {
  CUSTOM_ROUTE_ARGS_METADATA,
  GUARDS_METADATA,
  HEADERS_METADATA,
  HTTP_CODE_METADATA,
  INTERCEPTORS_METADATA,
  METHOD_METADATA,
  MODULE_METADATA,
  PATH_METADATA,
  PIPES_METADATA,
  REDIRECT_METADATA,
  RESPONSE_PASSTHROUGH_METADATA,
  ROUTE_ARGS_METADATA,
  SSE_METADATA,
} from '@nestjs/common/constants.js';
import { RouteParamtypes } from '@nestjs/common/internal';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { FastifyInstance, FastifyReply, FastifyRequest, HTTPMethods } from 'fastify';
import type { WhatsAppEngine } from '#engine';
import type { ApiChaos } from '../chaos/api-chaos.js';
import type { SandboxExceptionFilter } from '../exception.filter.js';
import type { ProviderDescriptor } from '../provider-descriptor.js';
import { admitRequest, planRoute } from './provider-kit.js';

/**
 * The controllers a provider's module declares, handed to the kit (`defineProvider` calls this): Nest
 * still builds them with their dependencies, as providers of the module, and no longer routes them;
 * `serveProviderRoutes` does. The module's `controllers` stay where a newcomer looks for them.
 */
export function takeOverControllers(module: Type): Type[] {
  const controllers = (Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, module) ?? []) as Type[];
  const providers = (Reflect.getMetadata(MODULE_METADATA.PROVIDERS, module) ?? []) as unknown[];
  Reflect.defineMetadata(MODULE_METADATA.CONTROLLERS, [], module);
  Reflect.defineMetadata(MODULE_METADATA.PROVIDERS, [...providers, ...controllers], module);
  return controllers;
}

/** What serving a provider route needs besides its controller. */
export interface ProviderRouteDeps {
  engine: WhatsAppEngine;
  /** Chaos rules on provider requests, played once the route knows its caller (a request it refuses meets none). */
  chaos: ApiChaos;
  /** Where every error a route throws becomes the provider's answer. */
  filter: SandboxExceptionFilter;
}

/**
 * Serves every provider controller's routes as Fastify routes of the kit's own, read from the same
 * decorators Nest reads (`@Get`, `@Post`, `@All`, `@HttpCode`, `@Query`, `@Param`, `@Req`,
 * `@Res({ passthrough: true })` and the kit's own parameters): the controllers stay the one place a
 * route is declared, and Nest keeps the modules and dependency injection.
 *
 * Why not Nest's router: per request it builds an execution context, runs the guards' and interceptors'
 * consumers, awaits a promise per step and then the response controller, around a handler that is a few
 * microseconds of work. Without it, getStatus and sendMessage answered 1.1-1.8 times as many requests in
 * alternating runs, and a getStatus allocates 16.4 KB instead of 21.8 (issue 21; README "Performance").
 * What Nest did is done here in the same order, with the
 * same answers: authentication and scope, chaos, the route's status (set again after the handler, as Nest
 * does), a route parameter left empty goes to the not-found answer, and every error goes through the
 * sandbox's exception filter.
 */
export function serveProviderRoutes(fastify: FastifyInstance, app: INestApplicationContext, providers: readonly ProviderDescriptor[], deps: ProviderRouteDeps) {
  for (const provider of providers) {
    for (const controller of provider.controllers) {
      const instance = app.get(controller, { strict: false }) as Record<string, unknown>;
      const prefix = Reflect.getMetadata(PATH_METADATA, controller) as string;
      for (const name of Object.getOwnPropertyNames(controller.prototype)) {
        const handler = controller.prototype[name] as unknown;
        if (name === 'constructor' || typeof handler !== 'function' || Reflect.getMetadata(METHOD_METADATA, handler) === undefined) continue;
        serveRoute(fastify, { provider, controller, instance, prefix, name, handler: handler as RouteHandler }, deps);
      }
    }
  }
}

type RouteHandler = (...args: unknown[]) => unknown;

interface RouteSource {
  provider: ProviderDescriptor;
  controller: Type;
  instance: Record<string, unknown>;
  prefix: string;
  name: string;
  handler: RouteHandler;
}

/** One argument of a handler, from the request (the context is made on first use, for the kit's parameter decorators). */
type ArgumentOf = (request: FastifyRequest, reply: FastifyReply, context: () => ExecutionContextHost) => unknown;

/** Nest decorators the kit does not act on: a route that has one fails at start-up rather than lose it silently. */
const UNSERVED = [
  [GUARDS_METADATA, '@UseGuards'],
  [INTERCEPTORS_METADATA, '@UseInterceptors'],
  [PIPES_METADATA, '@UsePipes'],
  [HEADERS_METADATA, '@Header'],
  [REDIRECT_METADATA, '@Redirect'],
  [SSE_METADATA, '@Sse'],
] as const;

const METHODS: Partial<Record<RequestMethod, HTTPMethods>> = { [RequestMethod.GET]: 'GET', [RequestMethod.POST]: 'POST' };

function serveRoute(fastify: FastifyInstance, source: RouteSource, deps: ProviderRouteDeps): void {
  const { controller, handler, instance } = source;
  const where = `${controller.name}.${source.name}`;
  for (const [key, what] of UNSERVED) {
    if (Reflect.getMetadata(key, handler) !== undefined || Reflect.getMetadata(key, controller) !== undefined)
      throw new Error(`${where}: the kit does not serve ${what}; do it in the handler or the kit`);
  }
  const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod;
  const path = Reflect.getMetadata(PATH_METADATA, handler) as string;
  if (typeof path !== 'string') throw new Error(`${where}: the kit serves one path per route`);
  const url = `/${source.prefix}/${path.replace(/^\/+|\/+$/g, '')}`.replace(/\/+$/, '');
  const status = (Reflect.getMetadata(HTTP_CODE_METADATA, handler) as number | undefined) ?? (method === RequestMethod.POST ? 201 : 200);
  const argumentsOf = handlerArguments(controller, source.name, where);
  const plan = planRoute(source.provider, handler);
  const hasParams = url.includes(':');

  const serve = async (request: FastifyRequest, reply: FastifyReply): Promise<FastifyReply> => {
    // As Nest on Fastify: a route parameter left empty (`/sendMessage/`) matches no route.
    if (hasParams && hasEmptyParam(request.params as Record<string, string>)) {
      reply.callNotFound();
      return reply;
    }
    let context: ExecutionContextHost | undefined;
    const contextOf = () => (context ??= new ExecutionContextHost([request, reply], controller, handler));
    try {
      await admitRequest(plan, request, reply, deps.engine, deps.chaos);
      const args = argumentsOf.map((argumentOf) => argumentOf(request, reply, contextOf));
      const result = await handler.apply(instance, args);
      // The route's status wins over one the handler set through `@Res({ passthrough: true })`, as with Nest.
      reply.code(status).send(result);
    } catch (error) {
      deps.filter.catch(error, contextOf());
    }
    return reply;
  };

  if (method === RequestMethod.ALL) fastify.all(url, serve);
  else {
    const verb = METHODS[method];
    if (!verb) throw new Error(`${where}: the kit serves GET, POST and ALL routes (add the method here)`);
    fastify.route({ method: verb, url, handler: serve });
  }
}

function hasEmptyParam(params: Record<string, string>): boolean {
  for (const name in params) if (params[name] === '' && name !== '*') return true;
  return false;
}

/** How each of the handler's arguments is found, in order; a decorator the kit does not serve fails at start-up, not on a request. */
function handlerArguments(controller: Type, name: string, where: string): ArgumentOf[] {
  type ArgumentMetadata = { index: number; data?: unknown; pipes?: unknown[]; factory?: (data: unknown, context: ExecutionContextHost) => unknown };
  const metadata = (Reflect.getMetadata(ROUTE_ARGS_METADATA, controller, name) ?? {}) as Record<string, ArgumentMetadata>;
  const found: ArgumentOf[] = [];
  for (const [key, { index, data, pipes, factory }] of Object.entries(metadata)) {
    if (pipes?.length) throw new Error(`${where}: the kit runs no pipes; parse the parameter in the handler`);
    if (key.includes(CUSTOM_ROUTE_ARGS_METADATA)) {
      found[index] = (_request, _reply, context) => factory!(data, context());
      continue;
    }
    const type = Number(key.split(':')[0]) as RouteParamtypes;
    switch (type) {
      case RouteParamtypes.REQUEST:
        found[index] = (request) => request;
        break;
      case RouteParamtypes.RESPONSE:
        if (Reflect.getMetadata(RESPONSE_PASSTHROUGH_METADATA, controller, name) !== true)
          throw new Error(`${where}: the kit sends every answer, so @Res() must be @Res({ passthrough: true })`);
        found[index] = (_request, reply) => reply;
        break;
      case RouteParamtypes.QUERY:
        found[index] = (request) => (data === undefined ? request.query : (request.query as Record<string, unknown>)[data as string]);
        break;
      case RouteParamtypes.PARAM:
        found[index] = (request) => (data === undefined ? request.params : (request.params as Record<string, unknown>)[data as string]);
        break;
      default:
        throw new Error(`${where}: the kit does not serve the parameter decorator of type ${RouteParamtypes[type]} (add it here)`);
    }
  }
  const declared = controller.prototype[name] as RouteHandler;
  if (found.length !== declared.length || found.includes(undefined as never))
    throw new Error(`${where}: every parameter of a provider route needs a decorator the kit serves`);
  return found;
}
