import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { SELF_REQUEST_HEADER, SELF_REQUEST_TOKEN } from '#engine';
import { send } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';

const PHONE = '79001234567';
const q = (fields: Record<string, string>) => `?${new URLSearchParams(fields).toString()}`;

/** Answers every request with a redirect to `target(path)`, counting what it was asked. */
async function startRedirector(target: (path: string) => string): Promise<{ url: string; hits: string[]; close(): Promise<void> }> {
  const hits: string[] = [];
  const server: Server = createServer((req, res) => {
    hits.push(req.url ?? '/');
    res.writeHead(302, { location: target(req.url ?? '/') }).end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    hits,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

describe('media URLs cannot make the sandbox call its own API', () => {
  const sandbox = useSandbox({ media: true });

  const victimWebhook = async (): Promise<unknown> =>
    ((await send(`${sandbox.origin}/__sandbox/accounts/wamessenger/VICTIM`)).json as { webhookUrl: unknown }).webhookUrl;

  it("a WAMM file_to link to another account's webhook/set changes nothing; the message fails as an unfetchable link", async () => {
    await send(`${sandbox.origin}/wamessenger/webhook/set/VICTIM?url=${encodeURIComponent('https://victim.example/hook')}`);
    const attack = `${sandbox.origin}/wamessenger/webhook/set/VICTIM?url=${encodeURIComponent('https://attacker.example/steal')}`;
    const sent = (await send(`${sandbox.origin}/wamm/api2/file_to/ATTACKER/${q({ phone: PHONE, url: attack })}`)).json as { err: number; msg_id: number };
    expect(sent.err).toBe(0);
    expect(await victimWebhook()).toBe('https://victim.example/hook');
    await sandbox.control.advance(15_000);
    expect(await sandbox.control.message(String(sent.msg_id))).toMatchObject({
      status: 'failed',
      // WaMessenger answers every error 400 Bad Request, the refusal included.
      failureCode: 'media_unfetchable',
      failureReason: expect.stringContaining('answered HTTP 400'),
    });
  });

  it('a redirect back into file_to is refused at the first hop, not followed round and round', async () => {
    let fileTo = '';
    const redirector = await startRedirector(() => fileTo);
    try {
      fileTo = `${sandbox.origin}/wamm/api2/file_to/LOOP/${q({ phone: PHONE, url: `${redirector.url}/again` })}`;
      const first = (await send(fileTo)).json as { err: number };
      expect(first.err).toBe(0);
      // The sandbox fetched the redirector once; the hop back into file_to was refused, so nothing fetched it again.
      expect(redirector.hits).toEqual(['/again']);
      const sends = (await send(`${sandbox.origin}/__sandbox/requests?provider=wamm`)).json as { requests: Array<{ path: string; status: number }> };
      // Two requests, not a loop: the refused hop and the client's own (WAMM answers every error with HTTP 200).
      expect(sends.requests.filter((request) => request.path.startsWith('/wamm/api2/file_to/LOOP')).map((request) => request.status)).toEqual([200, 200]);
    } finally {
      await redirector.close();
    }
  });

  it('follows at most 5 redirects', async () => {
    const redirector = await startRedirector((path) => `/hop${Number(path.slice(4) || 0) + 1}`);
    try {
      const sent = (await send(`${sandbox.origin}/wamm/api2/file_to/HOPS/${q({ phone: PHONE, url: `${redirector.url}/hop0` })}`)).json as { msg_id: number };
      expect(redirector.hits).toEqual(['/hop0', '/hop1', '/hop2', '/hop3', '/hop4', '/hop5']);
      await sandbox.control.advance(15_000);
      expect(await sandbox.control.message(String(sent.msg_id))).toMatchObject({
        failureCode: 'media_unfetchable',
        failureReason: expect.stringContaining('more than 5 redirects'),
      });
    } finally {
      await redirector.close();
    }
  });

  it('redirects within the limit are followed to the file', async () => {
    const redirector = await startRedirector(() => `${sandbox.media.url}/sample.pdf`);
    try {
      const answer = await send(`${sandbox.origin}/wamessenger/sendMessage/HOP-KEY`, {
        method: 'POST',
        body: new URLSearchParams({ phonenumber: '989121234567', text: 'doc', url: `${redirector.url}/doc` }),
      });
      expect(answer.status).toBe(200);
      await sandbox.control.advance(5_000);
      expect(await sandbox.control.message(answer.text)).toMatchObject({ kind: 'media', failureCode: null, status: expect.not.stringMatching('failed') });
    } finally {
      await redirector.close();
    }
  });

  it('the sandbox still fetches the media it serves itself', async () => {
    const answer = await send(`${sandbox.origin}/wamessenger/sendMessage/SELF-MEDIA`, {
      method: 'POST',
      body: new URLSearchParams({ phonenumber: '989121234567', text: 'pic', url: `${sandbox.origin}/__sandbox/media/sample.jpg` }),
    });
    expect(answer.status).toBe(200);
    await sandbox.control.advance(5_000);
    expect(await sandbox.control.message(answer.text)).toMatchObject({ kind: 'media', failureCode: null, status: expect.not.stringMatching('failed') });
  });

  it("refuses its own requests in each place's error format: the provider's under its prefix, JSON on the control API", async () => {
    const self = { headers: { [SELF_REQUEST_HEADER]: SELF_REQUEST_TOKEN } };
    const wamm = await send(`${sandbox.origin}/wamm/api2/msg_to/X/${q({ phone: PHONE, text: 'hi' })}`, self);
    // WAMM answers every error with HTTP 200 and its `err` text.
    expect([wamm.status, wamm.json]).toEqual([200, { err: 'fail execution' }]);
    const wamessenger = await fetch(`${sandbox.origin}/wamessenger/webhook/set/VICTIM?url=https://attacker.example`, self);
    expect([wamessenger.status, await wamessenger.text()]).toEqual([400, 'Bad Request']);
    expect(wamessenger.headers.get('x-sandbox-error')).toContain('requests it made itself');
    const control = await send(`${sandbox.origin}/__sandbox/reset`, { ...self, method: 'POST' });
    expect(control.status).toBe(403);
    expect(control.json).toEqual({ error: expect.stringContaining('requests it made itself') });
    // Another client's header without the process's secret is an ordinary request.
    expect((await send(`${sandbox.origin}/__sandbox/health`, { headers: { [SELF_REQUEST_HEADER]: 'guess' } })).status).toBe(200);
  });
});

describe('a webhook url pointing at the control API', () => {
  const sandbox = useSandbox({ reset: false });

  it('does not reset the sandbox', async () => {
    await sandbox.control.setWebhook('wamm', 'HOOKED', `${sandbox.origin}/__sandbox/reset`);
    const sent = (await send(`${sandbox.origin}/wamm/api2/msg_to/HOOKED/${q({ phone: PHONE, text: 'hi' })}`)).json as { msg_id: number };
    await sandbox.control.advance(15_000);
    const attempts = await sandbox.control.journal('wamm', 'HOOKED');
    expect(attempts.length).toBeGreaterThan(0);
    expect(attempts.every((attempt) => attempt.status === 403)).toBe(true);
    expect(await sandbox.control.message(String(sent.msg_id))).toMatchObject({ status: expect.not.stringMatching('queued') });
  });
});

describe('--media-hosts', () => {
  const sandbox = useSandbox({ config: { mediaHosts: ['127.0.0.1'] }, reset: false, media: true });

  const sendMedia = async (url: string) => {
    const answer = await send(`${sandbox.origin}/wamessenger/sendMessage/HOSTS`, {
      method: 'POST',
      body: new URLSearchParams({ phonenumber: '989121234567', text: 'pic', url }),
    });
    expect(answer.status).toBe(200);
    return sandbox.control.message(answer.text);
  };

  it('fetches from a listed host', async () => {
    const message = await sendMedia(`${sandbox.media.url}/sample.jpg`);
    await sandbox.control.advance(5_000);
    expect(await sandbox.control.message(message.id)).toMatchObject({ failureCode: null, status: expect.not.stringMatching('failed') });
  });

  it('refuses another host, and a redirect to one, as media that cannot be fetched', async () => {
    const elsewhere = sandbox.media.url.replace('127.0.0.1', 'localhost');
    const direct = await sendMedia(`${elsewhere}/sample.jpg`);
    const redirector = await startRedirector(() => `${elsewhere}/sample.jpg`);
    let redirected: Awaited<ReturnType<typeof sendMedia>>;
    try {
      redirected = await sendMedia(`${redirector.url}/pic`);
    } finally {
      await redirector.close();
    }
    await sandbox.control.advance(5_000);
    for (const message of [direct, redirected]) {
      expect(await sandbox.control.message(message.id)).toMatchObject({
        status: 'failed',
        failureCode: 'media_unfetchable',
        failureReason: expect.stringContaining('media host localhost is not in the allowed list'),
      });
    }
  });
});
