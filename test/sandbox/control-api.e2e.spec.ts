import { WebhookReceiver, type SandboxMessage } from '#conformance';
import { received } from '../support/received.js';
import { phpMultipart } from '../support/php-client.js';
import { useSandbox, TEST_START } from '../support/sandbox.js';

describe('control API', () => {
  const sandbox = useSandbox();

  const raw = (method: string, path: string, body?: unknown) =>
    fetch(`${sandbox.origin}${path}`, {
      method,
      ...(body !== undefined ? { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) } : {}),
    });
  const sendText = async (key: string, phone = '989121234567') =>
    (await fetch(`${sandbox.origin}/wamessenger/sendMessage/${key}`, { method: 'POST', body: phpMultipart({ phonenumber: phone, text: 'hi' }) })).text();

  it('says what it is', async () => {
    const health = await sandbox.control.request('GET', '/health');
    expect(health).toMatchObject({
      status: 'ok',
      version: '0.1.0',
      providers: expect.arrayContaining(['wamessenger']),
      strictAccounts: false,
      clock: { mode: 'manual', nowMs: TEST_START },
    });
  });

  it('serves the docs: the control API and every provider contract (and the relay’s), with /docs/ sent to /docs', async () => {
    const page = await fetch(`${sandbox.origin}/docs`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    // Swagger UI's own files, which the sandbox serves itself (docs.ts says why), and the page's init script.
    for (const asset of ['swagger-ui-bundle.js', 'swagger-ui.css', 'swagger-ui-init.js']) {
      const served = await fetch(`${sandbox.origin}/docs/${asset}`);
      expect([asset, served.status, (await served.text()).length > 100]).toEqual([asset, 200, true]);
    }
    const slashed = await fetch(`${sandbox.origin}/docs/?urls.primaryName=Maytapi`, { redirect: 'manual' });
    expect([slashed.status, slashed.headers.get('location')]).toEqual([301, '/docs?urls.primaryName=Maytapi']);
    const control = (await (await fetch(`${sandbox.origin}/docs/control.json`)).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(control.paths)).toEqual(
      expect.arrayContaining(['/__sandbox/clock/advance', '/__sandbox/sessions/{id}/scan', '/__sandbox/templates', '/__sandbox/relay/devices/{id}/link']),
    );
    for (const provider of ['wamessenger', 'wamm', 'devino', 'wamessage', 'maytapi', 'relay']) {
      const contract = await fetch(`${sandbox.origin}/contracts/${provider}.openapi.yaml`);
      expect([provider, contract.status, (await contract.text()).startsWith('openapi: 3.1')]).toEqual([provider, 200, true]);
    }
  });

  it('reads, switches and advances the clock', async () => {
    expect(await sandbox.control.request('PUT', '/clock', { speed: 60 })).toMatchObject({ mode: 'manual', speed: 60 });
    expect(await sandbox.control.advance(90_000)).toMatchObject({ nowMs: TEST_START + 90_000, now: new Date(TEST_START + 90_000).toISOString() });
    await sandbox.control.reset();
    expect((await sandbox.control.clock()).nowMs).toBe(TEST_START);
  });

  it.each([
    ['advance by a negative time', 'POST', '/__sandbox/clock/advance', { ms: -1 }],
    ['advance by a fraction', 'POST', '/__sandbox/clock/advance', { ms: 1.5 }],
    ['an unknown clock mode', 'PUT', '/__sandbox/clock', { mode: 'warp' }],
    ['a zero speed', 'PUT', '/__sandbox/clock', { speed: 0 }],
    ['an unknown field', 'PUT', '/__sandbox/clock', { mode: 'manual', tempo: 2 }],
    ['an inbound message without a sender', 'POST', '/__sandbox/accounts/wamessenger/K/inbound', { text: 'hi' }],
    ['a forced status that does not exist', 'POST', '/__sandbox/messages/80000000/status', { status: 'lost' }],
    ['a bad verify pattern', 'POST', '/__sandbox/requests/count', { pathPattern: '(' }],
    ['a journal filter with a key but no provider', 'GET', '/__sandbox/webhooks/journal?key=K', undefined],
  ])('refuses %s with a JSON 400', async (_name, method, path, body) => {
    const response = await raw(method, path, body);
    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });

  it.each([
    ['an unknown provider', 'GET', '/__sandbox/accounts/nobody/K'],
    ['an unknown message', 'GET', '/__sandbox/messages/123'],
    ['an unknown sample file', 'GET', '/__sandbox/media/nothing.bin'],
  ])('answers %s with a JSON 404', async (_name, method, path) => {
    const response = await raw(method, path);
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });

  it('keeps a request journal with WireMock-style verify counts, and leaves its own calls out', async () => {
    await sendText('K');
    await sendText('K');
    await fetch(`${sandbox.origin}/wamessenger/pending/K?x=1`);
    await fetch(`${sandbox.origin}/wamessenger/getStatus/invalid-key?id=1`);
    // The dashboard's page and files: it shows the journal, it is not in it.
    await fetch(`${sandbox.origin}/`);
    await fetch(`${sandbox.origin}/__dashboard/index.js`);
    const count = async (match: object) => (await sandbox.control.request<{ count: number }>('POST', '/requests/count', match)).count;
    expect(await count({})).toBe(4);
    expect(await count({ method: 'post', path: '/wamessenger/sendMessage/K' })).toBe(2);
    expect(await count({ pathPattern: '^/wamessenger/(pending|getStatus)/' })).toBe(2);
    expect(await count({ provider: 'wamessenger', method: 'GET' })).toBe(2);
    const { requests } = await sandbox.control.request<{ requests: unknown[] }>('GET', '/requests?path=/wamessenger/getStatus/invalid-key');
    expect(requests).toEqual([
      expect.objectContaining({ method: 'GET', url: '/wamessenger/getStatus/invalid-key?id=1', provider: 'wamessenger', status: 400 }),
    ]);
    expect(await sandbox.control.request('DELETE', '/requests')).toEqual({ cleared: 4 });
    expect(await count({})).toBe(0);
  });

  it('forces a status, and the webhook fires as if WhatsApp reported it', async () => {
    const receiver = await WebhookReceiver.start();
    try {
      await fetch(`${sandbox.origin}/wamessenger/webhook/set/K?url=${encodeURIComponent(receiver.url)}`);
      const id = await sendText('K');
      const forced = await sandbox.control.request<SandboxMessage>('POST', `/messages/${id}/status`, { status: 'read' });
      expect(forced.history.map((change: { status: string }) => change.status)).toEqual(['queued', 'read']);
      expect(received(receiver)).toEqual([expect.objectContaining({ type: 'delivery', id, delivery: 3, status: 'read' })]);
      const journal = await sandbox.control.journal('wamessenger', 'K');
      expect(journal).toEqual([expect.objectContaining({ provider: 'wamessenger', accountKey: 'K', url: receiver.url, ok: true, status: 200 })]);
      // The simulated receipts that come later do not move a read message backwards.
      await sandbox.control.advance(60_000);
      expect((await sandbox.control.message(id)).status).toBe('read');
      const failed = await sandbox.control.request('POST', `/messages/${await sendText('K')}/status`, { status: 'failed', reason: 'testing' });
      expect(failed).toMatchObject({ status: 'failed', failureReason: 'testing' });
    } finally {
      await receiver.close();
    }
  });

  it('lists accounts with their effective switches and serves the sample media', async () => {
    await fetch(`${sandbox.origin}/wamessenger/receive/K?receive=on`);
    expect(await sandbox.control.request('GET', '/accounts/wamessenger/K')).toMatchObject({ features: { receive: false } });
    await sandbox.control.advance(30_000);
    const accounts = await sandbox.control.request('GET', '/accounts');
    expect(accounts).toEqual([
      expect.objectContaining({
        provider: 'wamessenger',
        key: 'K',
        linePhone: expect.stringMatching(/^989\d{9}$/),
        features: { receive: true, sendSeen: false },
      }),
    ]);
    const media = await raw('GET', '/__sandbox/media/sample.jpg');
    expect(media.status).toBe(200);
    expect(Buffer.from(await media.arrayBuffer()).subarray(0, 3)).toEqual(Buffer.from([0xff, 0xd8, 0xff]));
    expect((await sandbox.control.request<{ numbers: unknown[] }>('GET', '/magic-numbers')).numbers).toHaveLength(6);
  });
});
