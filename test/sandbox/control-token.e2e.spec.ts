import { runConformance } from '#conformance';
import { openControlWarning } from '../../apps/sandbox/src/control-token.js';
import { expectPassed } from '../support/conformance-checks.js';
import { EventStream } from '../support/event-stream.js';
import { phpMultipart } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';

const TOKEN = 'a-control-token';

describe('control token (--control-token)', () => {
  // The helper's client sends the token: its reset before each test proves it is let through.
  const sandbox = useSandbox({ config: { controlToken: TOKEN } });
  const get = (path: string, headers: Record<string, string> = {}) => fetch(`${sandbox.origin}${path}`, { headers, redirect: 'manual' });

  it.each([
    ['the control API', '/__sandbox/accounts'],
    ['the live events', '/__sandbox/events'],
    ['the control API, with slashes the router forgives', '//__sandbox//accounts/'],
    ['the dashboard', '/'],
    ['a dashboard file', '/__dashboard/anything.js'],
  ])('refuses %s without it (401)', async (_what, path) => {
    expect((await get(path)).status).toBe(401);
    expect((await get(path, { authorization: 'Bearer not-the-token' })).status).toBe(401);
  });

  it('answers the control API a bearer header with the token', async () => {
    const answer = await get('/__sandbox/accounts', { authorization: `Bearer ${TOKEN}` });
    expect([answer.status, await answer.json()]).toEqual([200, []]);
    const refused = await get('/__sandbox/accounts');
    expect(refused.headers.get('www-authenticate')).toMatch(/^Bearer /);
    expect(await refused.json()).toEqual({ error: expect.stringContaining('Authorization: Bearer <token>') });
  });

  it('shows the dashboard a login form, whose cookie then opens the dashboard, the control API and the live events', async () => {
    const page = await get('/');
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toContain('<form method="post" action="/__sandbox/login">');

    const login = (token: string) => fetch(`${sandbox.origin}/__sandbox/login`, { method: 'POST', body: new URLSearchParams({ token }), redirect: 'manual' });
    const wrong = await login('guess');
    expect([wrong.status, await wrong.text()]).toEqual([401, expect.stringContaining('That is not the token.')]);
    const right = await login(TOKEN);
    expect([right.status, right.headers.get('location')]).toEqual([303, '/']);
    const cookie = right.headers.get('set-cookie')!;
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const session = { cookie: cookie.split(';')[0]! };
    // Built or not (a run from source before `npm run build` answers 503 with how to build it), it is let through.
    expect([200, 503]).toContain((await get('/', session)).status);
    expect((await get('/__sandbox/accounts', session)).status).toBe(200);
    (await EventStream.open(`${sandbox.origin}/__sandbox/events`, session)).close();

    const logout = await fetch(`${sandbox.origin}/__sandbox/logout`, { method: 'POST', headers: session, redirect: 'manual' });
    expect(logout.headers.get('set-cookie')).toMatch(/Max-Age=0/);
  });

  it('never asks provider routes, the media urls handed to their clients, or the health check', async () => {
    const sent = await fetch(`${sandbox.origin}/wamessenger/sendMessage/KEY`, {
      method: 'POST',
      body: phpMultipart({ phonenumber: '989121234567', text: 'hi' }),
    });
    expect([sent.status, await sent.text()]).toEqual([200, expect.stringMatching(/^\d+$/)]);
    expect((await get('/maytapi/api/product-1/listPhones', { 'x-maytapi-key': 'K' })).status).not.toBe(401);
    expect((await get('/__sandbox/media/sample.jpg')).status).toBe(200);
    expect((await get('/__sandbox/health')).status).toBe(200);
  });

  it('warns at start-up when the control API is open beyond this machine, and only then', () => {
    expect(openControlWarning('0.0.0.0', undefined)).toMatch(/^listening on 0\.0\.0\.0 without a control token: .* --control-token or CONTROL_TOKEN$/);
    expect(openControlWarning('192.168.1.20', undefined)).toMatch(/^listening on 192\.168\.1\.20 without/);
    expect(openControlWarning('0.0.0.0', TOKEN)).toBeUndefined();
    for (const loopback of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) expect(openControlWarning(loopback, undefined)).toBeUndefined();
  });

  it('lets the conformance kit run its scenarios when given the token, and fails them without it', async () => {
    expectPassed(await runConformance({ provider: 'wamm', baseUrl: `${sandbox.origin}/wamm`, controlToken: TOKEN }), 9);
    const refused = await runConformance({ provider: 'wamm', baseUrl: `${sandbox.origin}/wamm` });
    expect(refused.ok).toBe(false);
    expect(refused.checks.filter((check) => check.kind === 'scenario' && check.status === 'failed')[0]?.details.join('\n')).toContain('answered 401');
  }, 120_000); // Two whole runs: a few seconds each alone, several times that on a busy machine.
});
