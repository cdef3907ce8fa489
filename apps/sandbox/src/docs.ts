import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { ProviderDescriptor } from '#http';
import { ControlModule } from './control/control.module.js';
import { projectRoot } from './paths.js';
import { SANDBOX_VERSION } from './version.js';

/**
 * Swagger UI at /docs with one entry per document: the control API (generated from its DTOs) and each
 * provider's contract, served as written in contracts/ (the same files the conformance suites use).
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
      { include: [ControlModule] },
    );
  const fastify = app.getHttpAdapter().getInstance();
  const contractsDir = join(projectRoot(), 'contracts');
  for (const provider of providers) {
    fastify.get(`/contracts/${provider.name}.openapi.yaml`, async (_request, reply) => {
      reply.type('application/yaml; charset=utf-8').send(await readFile(join(contractsDir, `${provider.name}.openapi.yaml`), 'utf8'));
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
  SwaggerModule.setup('docs', app, controlDocument, {
    jsonDocumentUrl: 'docs/control.json',
    explorer: true,
    swaggerOptions: {
      urls: [
        { url: '/docs/control.json', name: 'Control API' },
        ...providers.map((provider) => ({ url: `/contracts/${provider.name}.openapi.yaml`, name: `${provider.title} (contract)` })),
      ],
    },
  });
}
