import { PROVIDERS } from '../../apps/sandbox/src/providers.js';
import { rawGet } from '../support/raw-http.js';
import { useSandbox } from '../support/sandbox.js';

/**
 * Errors Fastify and Node raise before any handler runs are answered in the provider's format under
 * its prefix, with the reason in x-sandbox-error, never in Fastify's own JSON.
 */
describe('errors raised before a handler runs', () => {
  const sandbox = useSandbox({ reset: false });

  const expected = (provider: (typeof PROVIDERS)[number], status: number, reason: string) => {
    const error = provider.fallbackError(status, reason);
    return { status: error.status, body: typeof error.body === 'string' ? error.body : JSON.stringify(error.body) };
  };

  test.each(PROVIDERS.map((provider) => [provider.name, provider] as const))('%s: a malformed percent-escape in the path', async (_name, provider) => {
    const response = await rawGet(sandbox.origin, `/${provider.name}/%zz/x%E0%A4%A`);
    expect({ status: response.status, body: response.body }).toEqual(expected(provider, 400, 'malformed percent-escape in the path'));
    expect(response.headers['x-sandbox-error']).toBe('malformed percent-escape in the path');
    expect(response.body).not.toContain('FST_ERR');
  });

  test.each(PROVIDERS.map((provider) => [provider.name, provider] as const))('%s: request line and headers over 64 KB', async (_name, provider) => {
    const response = await rawGet(sandbox.origin, `/${provider.name}/anything`, { 'x-padding': 'a'.repeat(70 * 1024) });
    expect({ status: response.status, body: response.body }).toEqual(expected(provider, 431, 'request line and headers over 65536 bytes'));
    expect(response.headers['x-sandbox-error']).toBe('request line and headers over 65536 bytes');
  });

  test('past what Node parses (1 MB), the path is unknown: a plain JSON 431', async () => {
    const response = await rawGet(sandbox.origin, '/wamm/anything', { 'x-padding': 'a'.repeat(1100 * 1024) });
    expect(response.status).toBe(431);
    expect(JSON.parse(response.body)).toEqual({ error: 'request line and headers over 1048576 bytes' });
  });

  test('headers over Node’s default 16 KB but under 64 KB are served', async () => {
    const response = await rawGet(sandbox.origin, '/wamessenger/pending/KEY', { 'x-padding': 'a'.repeat(20 * 1024) });
    expect(response.status).toBe(200);
    expect(response.body).toBe('No Pending Message');
  });

  test('a path segment over 100 characters is routed (Fastify refused it with 414)', async () => {
    const key = 'k'.repeat(300);
    const response = await rawGet(sandbox.origin, `/wamessenger/pending/${key}`);
    expect(response.status).toBe(200);
    expect(response.body).toBe('No Pending Message');
  });

  test('outside a provider the control API answers plain JSON', async () => {
    const response = await rawGet(sandbox.origin, '/__sandbox/%zz');
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body)).toEqual({ error: 'malformed percent-escape in the path' });
  });
});
