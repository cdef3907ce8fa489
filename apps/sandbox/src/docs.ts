import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, type SwaggerCustomOptions, SwaggerModule } from '@nestjs/swagger';
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { ProviderDescriptor } from '#http';
import { ControlModule } from './control/control.module.js';
import { projectRoot } from './paths.js';
import { RelayModule, SANDBOX_APIS } from './relay/relay.module.js';
import { SANDBOX_VERSION } from './version.js';

/**
 * Swagger UI at /docs with one entry per document: the control API (generated from its DTOs, the relay's
 * routes included) and each provider's contract and the relay device API's, served as written in contracts/
 * (the same files the conformance suites use).
 */
export function setUpDocs(app: NestFastifyApplication, providers: ProviderDescriptor[]): void {
  // Built on the first request for it, not at start-up, where building it took about 50 ms.
  const controlDocument = (): OpenAPIObject =>
    SwaggerModule.createDocument(
      app,
      new DocumentBuilder()
        .setTitle('wa-sandbox control API')
        .setDescription('Steer the sandbox and inspect what happened: clock, virtual customers, messages, webhook and request journals.')
        .setVersion(SANDBOX_VERSION)
        .build(),
      { include: [ControlModule, RelayModule] },
    );
  const fastify = app.getHttpAdapter().getInstance();
  const contractsDir = join(projectRoot(), 'contracts');
  for (const name of [...providers.map((provider) => provider.name), ...SANDBOX_APIS]) {
    fastify.get(`/contracts/${name}.openapi.yaml`, async (_request, reply) => {
      reply.type('application/yaml; charset=utf-8').send(await readFile(join(contractsDir, `${name}.openapi.yaml`), 'utf8'));
    });
  }
  // The UI's page links its assets relatively (`./docs/swagger-ui.css`): under `/docs/` they would resolve
  // to `/docs/docs/…` and the page would stay blank, so the trailing-slash form redirects.
  // A callback hook that returns at once for other urls: it runs on every request to the sandbox.
  fastify.addHook('onRequest', (request, reply, done) => {
    const { url } = request;
    if (url !== '/docs/' && !url.startsWith('/docs/?')) return done();
    void reply.redirect(`/docs${url.slice('/docs/'.length)}`, 301); // replied, so the chain stops here
  });
  SandboxSwaggerModule.serve(app, controlDocument, {
    explorer: true,
    swaggerOptions: {
      urls: [
        { url: '/docs/control.json', name: 'Control API' },
        ...providers.map((provider) => ({ url: `/contracts/${provider.name}.openapi.yaml`, name: `${provider.title} (contract)` })),
        { url: '/contracts/relay.openapi.yaml', name: 'Android relay device API (contract)' },
      ],
    },
  });
}

/**
 * `SwaggerModule.setup('docs', …)` but for its static-file step, which imports `@fastify/static` from
 * `@nestjs/swagger`'s own folder. Installed as a package, wa-sandbox's `@fastify/static` 9.x is not there:
 * `@nestjs/platform-fastify` asks for 10.x as an optional peer, so npm nests ours under wa-sandbox and the
 * start died with "The @fastify/static package is missing". 9.x is kept because 10.x loads ES-module-only
 * packages with `require()`, which Jest cannot (see README, Development). The sandbox serves Swagger UI's
 * files with the copy it resolves itself; the page, its init script and the documents stay Swagger's.
 */
class SandboxSwaggerModule extends SwaggerModule {
  static serve(app: NestFastifyApplication, document: () => OpenAPIObject, options: SwaggerCustomOptions): void {
    SandboxSwaggerModule.serveDocuments('/docs', 'docs', app.getHttpAdapter(), document, {
      ui: true,
      raw: true,
      jsonDocumentUrl: '/docs/control.json',
      yamlDocumentUrl: '/docs-yaml',
      swaggerOptions: options,
    });
    const swaggerUiDist = createRequire(import.meta.resolve('@nestjs/swagger'))('swagger-ui-dist/absolute-path.js') as () => string;
    void app.getHttpAdapter().getInstance().register(fastifyStatic, { root: swaggerUiDist(), prefix: '/docs', decorateReply: false });
  }
}
