import { createHash, timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The cookie the dashboard's login sets: the browser's EventSource cannot send an Authorization header. */
export const CONTROL_COOKIE = 'wa_sandbox_control';

/**
 * Routes under /__sandbox that stay open with a token set, and why:
 * - media: the URLs the sandbox hands out (sample media, a client's uploads) are fetched by providers'
 *   clients, which know nothing of the token, and by the engine itself (guardRequests lets its own
 *   requests reach only `/__sandbox/media/`);
 * - health: liveness probes (Docker's HEALTHCHECK, Testcontainers' wait, CI's start-up loop) send no
 *   credentials; it tells what the sandbox is and its clock, no account's data;
 * - login and logout: how the dashboard gets and drops its cookie.
 */
const OPEN_ROUTES = new Set(['/__sandbox/health', '/__sandbox/media/:file', '/__sandbox/media/uploads/:id', '/__sandbox/login', '/__sandbox/logout']);

/** Dashboard routes: the page and its files (apps/sandbox/src/dashboard.ts). */
const DASHBOARD_ROUTES = new Set(['/', '/__dashboard/*']);

/**
 * Asks for the control token on the control API and the dashboard, never on provider routes. Decided on
 * the route Fastify matched, not the url: the router forgives duplicate and trailing slashes
 * (`//__sandbox//reset` reaches `/__sandbox/reset`), so a check on the url's text could be walked around.
 * Accepted as `Authorization: Bearer <token>` or as the login cookie.
 */
export function requireControlToken(fastify: FastifyInstance, token: string): void {
  const expected = digest(token);
  const accepts = (request: FastifyRequest): boolean => {
    const given = bearerOf(request.headers.authorization) ?? cookieOf(request.headers.cookie, CONTROL_COOKIE);
    // Compared as digests: equal lengths for timingSafeEqual, and no early exit on the first differing byte.
    return given !== undefined && timingSafeEqual(digest(given), expected);
  };

  fastify.addHook('onRequest', (request, reply, done) => {
    const route = request.routeOptions.url;
    if (route === undefined || OPEN_ROUTES.has(route)) return done();
    const dashboard = DASHBOARD_ROUTES.has(route);
    if (!dashboard && !route.startsWith('/__sandbox')) return done();
    if (accepts(request)) return done();
    if (dashboard) return void reply.code(401).type('text/html; charset=utf-8').send(loginPage(false));
    void reply
      .code(401)
      .header('www-authenticate', 'Bearer realm="wa-sandbox control API"')
      .send({ error: 'this sandbox asks for its control token (--control-token): send Authorization: Bearer <token>' });
  });

  // A form post, so the login page works without its scripts; the cookie is HttpOnly (no script reads it) and
  // SameSite=Strict (another site's page cannot make the browser send it), and lives as long as the browser.
  fastify.post('/__sandbox/login', async (request: FastifyRequest, reply: FastifyReply) => {
    const given = (request.body as Record<string, unknown> | undefined)?.token;
    if (typeof given !== 'string' || !timingSafeEqual(digest(given), expected)) {
      return reply.code(401).type('text/html; charset=utf-8').send(loginPage(true));
    }
    return reply.header('set-cookie', `${CONTROL_COOKIE}=${encodeURIComponent(given)}; Path=/; HttpOnly; SameSite=Strict`).redirect('/', 303);
  });
  fastify.post('/__sandbox/logout', async (_request: FastifyRequest, reply: FastifyReply) =>
    reply.header('set-cookie', `${CONTROL_COOKIE}=; Path=/; HttpOnly; SameSite=Strict; Max-Age=0`).redirect('/', 303),
  );
}

/**
 * What start-up warns of when the control API is open beyond this machine: listening on an address other
 * than loopback (127.0.0.0/8, ::1, localhost) without a token. Undefined when there is nothing to say.
 */
export function openControlWarning(host: string, token: string | undefined): string | undefined {
  const loopback = host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
  if (loopback || token !== undefined) return undefined;
  return (
    `listening on ${host} without a control token: whoever reaches this port can reset the sandbox, ` +
    "read every account's messages and change any webhook; set one with --control-token or CONTROL_TOKEN"
  );
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function bearerOf(header: string | undefined): string | undefined {
  const match = header?.match(/^Bearer\s+(\S+)\s*$/i);
  return match?.[1];
}

function cookieOf(header: string | undefined, name: string): string | undefined {
  for (const pair of header?.split(';') ?? []) {
    const at = pair.indexOf('=');
    if (at > 0 && pair.slice(0, at).trim() === name) {
      try {
        return decodeURIComponent(pair.slice(at + 1).trim());
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The dashboard's login form, answered with the 401 itself: a page that needs none of the dashboard's files. */
function loginPage(wrongToken: boolean): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>wa-sandbox: log in</title>
<style>
body{font:15px system-ui,sans-serif;background:#f0f2f5;color:#1f2933;display:grid;place-items:center;min-height:100vh;margin:0}
form{background:#fff;padding:2rem;border-radius:10px;box-shadow:0 2px 12px #0002;width:20rem}
h1{font-size:1.2rem;margin:0 0 .5rem}p{color:#52606d;font-size:.9rem}
input{width:100%;box-sizing:border-box;padding:.55rem;border:1px solid #cbd2d9;border-radius:6px;margin:.5rem 0 1rem}
button{width:100%;padding:.6rem;border:0;border-radius:6px;background:#00a884;color:#fff;font-weight:600;cursor:pointer}
.error{color:#c62828}
</style></head>
<body><form method="post" action="/__sandbox/login">
<h1>wa-sandbox dashboard</h1>
<p>This sandbox was started with a control token (<code>--control-token</code> / <code>CONTROL_TOKEN</code>).</p>
${wrongToken ? '<p class="error" role="alert">That is not the token.</p>' : ''}
<label for="token">Control token</label>
<input id="token" name="token" type="password" autocomplete="current-password" autofocus required>
<button type="submit">Log in</button>
</form></body></html>
`;
}
