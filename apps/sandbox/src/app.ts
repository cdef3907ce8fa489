import 'reflect-metadata';
import { type LoggerService, type LogLevel } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { KB, MB, SELF_REQUEST_HEADER, SELF_REQUEST_TOKEN, WhatsAppEngine, type LinkedTransport } from '#engine';
import {
  ApiChaos,
  frameworkErrorOptions,
  guardRequests,
  largestLimit,
  limitByProvider,
  recordRequests,
  registerBodyParsers,
  SandboxExceptionFilter,
  serveProviderRoutes,
  type RequestJournalRepository,
} from '#http';
import { AppModule } from './app.module.js';
import type { SandboxConfig } from './config.js';
import { LiveEvents } from './control/live-events.js';
import { requireControlToken } from './control-token.js';
import { serveDashboard } from './dashboard.js';
import { setUpDocs } from './docs.js';
import { PROVIDERS } from './providers.js';
import { REQUEST_JOURNAL } from './request-journal.module.js';

/** Bytes of a control API body (accounts, templates, catalogs): JSON far smaller than this. */
const CONTROL_BODY_LIMIT = 2 * MB;

/** Bytes of a control API request line and headers: Node's default (16 KB) and more, as for every provider. */
const CONTROL_REQUEST_HEAD_LIMIT = 64 * KB;

export interface SandboxAppOptions {
  logger?: LoggerService | LogLevel[] | false;
  /** Where the built dashboard is (default dist/dashboard): the browser tests build theirs apart. */
  dashboardDir?: string;
  /** With `transport: 'live'`: the live transport ready-made (tests pass one on a fake socket); built from `#live` when absent. */
  liveTransport?: LinkedTransport;
}

/** Builds the whole sandbox (not yet listening): used by main.ts, the tests and the benchmarks. */
export async function createSandboxApp(config: SandboxConfig, options: SandboxAppOptions = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    logger: config.logRequests,
    // WAMM-style clients call `/route/{token}/?query`: a trailing slash must not change the route.
    // A path segment may take a whole request head (WAMM's texts travel in the path): Fastify's 100 answered 414.
    routerOptions: {
      ignoreTrailingSlash: true,
      ignoreDuplicateSlashes: true,
      maxParamLength: largestLimit(PROVIDERS, 'requestHeadLimit', CONTROL_REQUEST_HEAD_LIMIT),
    },
    // Multipart uploads are bounded by the body parsers; this is the ceiling for everything else.
    bodyLimit: 110 * 1024 * 1024,
    ...frameworkErrorOptions(PROVIDERS),
  });
  const transports = config.transport === 'live' ? [options.liveTransport ?? (await liveTransport())] : [];
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, transports), adapter, {
    bodyParser: false,
    logger: options.logger ?? ['error', 'warn'],
  });
  const fastify = app.getHttpAdapter().getInstance();
  const engine = app.get(WhatsAppEngine);
  guardRequests(
    fastify,
    PROVIDERS,
    { isSelf: (headers) => headers[SELF_REQUEST_HEADER] === SELF_REQUEST_TOKEN, servedPrefix: '/__sandbox/media/' },
    limitByProvider(PROVIDERS, 'requestHeadLimit', CONTROL_REQUEST_HEAD_LIMIT),
  );
  // Uploads are written straight into the engine's media directory, so keeping one is a rename.
  await registerBodyParsers(fastify, {
    bodyLimit: limitByProvider(PROVIDERS, 'bodyLimit', CONTROL_BODY_LIMIT),
    uploadPath: () => engine.mediaFiles.scratchPath(),
  });
  if (config.controlToken !== undefined) requireControlToken(fastify, config.controlToken);
  // Announced on the live events as each entry is kept: chaos's own entries (requests never answered) too.
  const journal = app.get(LiveEvents).announcing(app.get<RequestJournalRepository>(REQUEST_JOURNAL));
  recordRequests(
    fastify,
    journal,
    engine.clock,
    PROVIDERS.map((provider) => provider.name),
  );
  const chaos = new ApiChaos(engine.chaos, journal, engine.clock);
  chaos.install(fastify);
  const filter = new SandboxExceptionFilter(PROVIDERS);
  app.useGlobalFilters(filter);
  serveProviderRoutes(fastify, app, PROVIDERS, { engine, chaos, filter });
  setUpDocs(app, PROVIDERS);
  serveDashboard(fastify, options.dashboardDir);
  await app.init();
  await fastify.ready();
  return app;
}

/**
 * Live mode's transport, a real WhatsApp session per linked phone. `#live` (and Baileys under it) is
 * imported here and only here, when live mode asks for it: the simulated sandbox never loads it.
 */
async function liveTransport(): Promise<LinkedTransport> {
  const { BaileysTransport } = await import('#live');
  return new BaileysTransport();
}
