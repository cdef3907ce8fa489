import { Controller, Get, HttpCode, Param, Post, Query, Res, UseGuards, type INestApplicationContext, type Type } from '@nestjs/common';
import Fastify, { type FastifyReply } from 'fastify';
import type { Account, WhatsAppEngine } from '#engine';
import type { ApiChaos } from '../chaos/api-chaos.js';
import { SandboxExceptionFilter } from '../exception.filter.js';
import type { ProviderDescriptor } from '../provider-descriptor.js';
import { ProviderError } from '../provider-error.js';
import { ProviderAccount, Unauthenticated } from './provider-kit.js';
import { serveProviderRoutes } from './provider-routes.js';

const account = { id: 'acme:good', key: 'good' } as Account;

@Controller('acme')
class AcmeController {
  @Get('status/:key')
  status(@ProviderAccount() caller: Account, @Param('key') key: string, @Query('id') id: unknown) {
    return { account: caller.id, key, id };
  }

  @Post('send/:key')
  send(@Res({ passthrough: true }) reply: FastifyReply) {
    reply.code(299); // the route's status wins, as with Nest
    reply.type('text/plain; charset=utf-8');
    return '42';
  }

  @Post('ping')
  @HttpCode(200)
  @Unauthenticated()
  ping() {
    return 'pong';
  }
}

/** Acme authenticates by the key in the path and refuses every other one in its own format. */
const acme = {
  name: 'acme',
  controllers: [AcmeController],
  async authenticate(request: { params: unknown }) {
    const { key } = request.params as { key?: string };
    if (key !== 'good') throw new ProviderError(401, { ok: false, error: 'bad key' }, `unknown key ${key}`);
    return account;
  },
  fallbackError: (status: number, reason: string) => ({ status, body: { ok: false, error: 'not found' }, reason }),
} as unknown as ProviderDescriptor;

async function serve(controllers: Type[] = [AcmeController]) {
  const fastify = Fastify();
  const provider = { ...acme, controllers };
  const app = { get: (type: Type) => new type() } as unknown as INestApplicationContext;
  const chaos = { apply: async () => {} } as unknown as ApiChaos;
  serveProviderRoutes(fastify, app, [provider], { engine: {} as WhatsAppEngine, chaos, filter: new SandboxExceptionFilter([provider]) });
  await fastify.ready();
  return fastify;
}

describe('serveProviderRoutes: the kit serves a controller as Nest would', () => {
  it("answers from the controller's decorators: the caller's account, path and query values, the route's status", async () => {
    const fastify = await serve();
    const status = await fastify.inject({ method: 'GET', url: '/acme/status/good?id=7' });
    expect([status.statusCode, status.json()]).toEqual([200, { account: 'acme:good', key: 'good', id: '7' }]);
    const sent = await fastify.inject({ method: 'POST', url: '/acme/send/good' });
    expect([sent.statusCode, sent.headers['content-type'], sent.body]).toEqual([201, 'text/plain; charset=utf-8', '42']);
    const ping = await fastify.inject({ method: 'POST', url: '/acme/ping' });
    expect([ping.statusCode, ping.body]).toEqual([200, 'pong']);
  });

  it("answers the provider's refusal in its format, and an empty path parameter as no route at all", async () => {
    const fastify = await serve();
    const refused = await fastify.inject({ method: 'GET', url: '/acme/status/bad' });
    expect([refused.statusCode, refused.json(), refused.headers['x-sandbox-error']]).toEqual([401, { ok: false, error: 'bad key' }, 'unknown key bad']);
    const empty = await fastify.inject({ method: 'GET', url: '/acme/status/' });
    expect(empty.statusCode).toBe(404);
  });

  it('refuses at start-up a route with a Nest decorator it does not act on, naming the route', async () => {
    @Controller('acme')
    class GuardedController {
      @Get('guarded/:key')
      @UseGuards(
        class {
          canActivate() {
            return false;
          }
        },
      )
      guarded() {
        return 'never';
      }
    }
    @Controller('acme')
    class RawReplyController {
      @Get('raw/:key')
      raw(@Res() reply: FastifyReply) {
        reply.send('raw');
      }
    }
    await expect(serve([GuardedController])).rejects.toThrow('GuardedController.guarded: the kit does not serve @UseGuards');
    await expect(serve([RawReplyController])).rejects.toThrow(
      'RawReplyController.raw: the kit sends every answer, so @Res() must be @Res({ passthrough: true })',
    );
  });
});
