import { startSandbox, useSandbox } from '../support/sandbox.js';
import { chaosAnswerProblems } from './chaos-contract.js';
import { chaosControl } from './chaos-control.js';

/**
 * Chaos on provider requests, through the control API, on a plain-text provider (WaMessenger) and a JSON
 * one (Maytapi): each fault answered in the provider's own format and marked in the request journal.
 */
describe('chaos: provider API faults', () => {
  const sandbox = useSandbox();
  const chaos = chaosControl(sandbox);

  interface Answer {
    status: number;
    contentType: string;
    retryAfter: string | null;
    reason: string | null;
    body: string;
  }
  async function call(path: string, init: RequestInit = {}): Promise<Answer> {
    const response = await fetch(`${sandbox.origin}${path}`, init);
    return {
      status: response.status,
      contentType: response.headers.get('content-type') ?? '',
      retryAfter: response.headers.get('retry-after'),
      reason: response.headers.get('x-sandbox-error'),
      body: await response.text(),
    };
  }
  /** The two providers' calls: WaMessenger's pending messages, Maytapi's phone list. */
  const providers = {
    wamessenger: { path: '/wamessenger/pending/K', init: {} },
    maytapi: { path: '/maytapi/api/P/listPhones', init: { headers: { 'x-maytapi-key': 'key-1' } } },
  } as const;
  const callProvider = (provider: keyof typeof providers) => call(providers[provider].path, providers[provider].init);

  it.each([500, 502, 503])('answers a %i as each provider does, and the journal says which rule', async (status) => {
    const phrase = { 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable' }[status]!;
    const rule = await chaos.add({ kind: 'api', fault: { type: 'error', status } });

    const wamessenger = await callProvider('wamessenger');
    expect(wamessenger).toMatchObject({ status, contentType: 'text/plain; charset=utf-8', body: phrase });
    expect(wamessenger.reason).toBe(`chaos rule ${rule.id}: error`);
    const maytapi = await callProvider('maytapi');
    expect(maytapi).toMatchObject({ status, contentType: 'application/json; charset=utf-8' });
    expect(JSON.parse(maytapi.body)).toEqual({ success: false, message: phrase });

    for (const provider of ['wamessenger', 'maytapi']) {
      expect(await chaos.requests(provider)).toEqual([expect.objectContaining({ status, chaos: { rule: rule.id, fault: 'error' } })]);
    }
    expect((await chaos.rule(rule.id))?.hits).toBe(2);
  });

  /** One call to each provider: the WAMM and Devino calls authenticate; Wamessage's login is a route without credentials. */
  const everyProvider: Array<[string, string, RequestInit]> = [
    ['wamessenger', '/wamessenger/pending/K', {}],
    ['wamm', '/wamm/api2/msg_to/T/?phone=79001234567&text=hi', {}],
    [
      'devino',
      '/devino/whatsapp/messages',
      { method: 'POST', headers: { authorization: 'Key abc', 'content-type': 'application/json' }, body: '{"messages":[]}' },
    ],
    ['wamessage', '/wamessage/user/login', { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' }],
    ['maytapi', '/maytapi/api/P/listPhones', { headers: { 'x-maytapi-key': 'key-1' } }],
  ];

  it('answers a 503 and a 429 in every provider’s own format', async () => {
    const answers: Record<string, unknown> = {};
    for (const [provider, path, init] of everyProvider) {
      await chaos.add({ kind: 'api', provider, next: 1, fault: { type: 'error', status: 503 } });
      await chaos.add({ kind: 'api', provider, next: 1, fault: { type: 'rate-limit', retryAfterSeconds: 7 } });
      const failed = await call(path, init);
      const limited = await call(path, init);
      answers[provider] = [failed.status, failed.body, limited.status, limited.retryAfter, limited.body];
      // Each as its contract's x-chaos-answers says.
      expect([provider, chaosAnswerProblems(provider, failed), chaosAnswerProblems(provider, limited)]).toEqual([provider, [], []]);
    }
    expect(answers).toEqual({
      wamessenger: [503, 'Service Unavailable', 429, '7', 'Too Many Requests'],
      wamm: [503, '{"err":"fail execution"}', 429, '7', '{"err":"fail execution"}'],
      devino: [
        503,
        '{"result":[{"code":"REJECTED","reasons":[{"key":"unknown"}],"description":"Неизвестная ошибка."}]}',
        429,
        '7',
        '{"result":[{"code":"REJECTED","reasons":[{"key":"unknown"}],"description":"Неизвестная ошибка."}]}',
      ],
      wamessage: [
        503,
        '{"status":false,"code":503,"description":"Sunucu hatası, lütfen daha sonra tekrar deneyin","data":null}',
        429,
        '7',
        '{"status":false,"code":429,"description":"Çok fazla istek, lütfen daha sonra tekrar deneyin","data":null}',
      ],
      maytapi: [503, '{"success":false,"message":"Service Unavailable"}', 429, '7', '{"success":false,"message":"Too Many Requests"}'],
    });
  });

  it('keeps the failing status on a route with its own error shape (WAMM’s check_phone adds "result":"error")', async () => {
    await chaos.add({ kind: 'api', provider: 'wamm', route: 'GET /wamm/api2/check_phone/*', fault: { type: 'error', status: 502 } });
    const answer = await call('/wamm/api2/check_phone/T/?phone=79001234567');
    expect([answer.status, JSON.parse(answer.body)]).toEqual([502, { err: 'fail execution', result: 'error' }]);
    expect(chaosAnswerProblems('wamm', answer)).toEqual([]);
  });

  it('answers a 429 with Retry-After in each provider’s format', async () => {
    await chaos.add({ kind: 'api', fault: { type: 'rate-limit', retryAfterSeconds: 30 } });
    expect(await callProvider('wamessenger')).toMatchObject({ status: 429, retryAfter: '30', body: 'Too Many Requests' });
    const maytapi = await callProvider('maytapi');
    expect(maytapi).toMatchObject({ status: 429, retryAfter: '30' });
    expect(JSON.parse(maytapi.body)).toEqual({ success: false, message: 'Too Many Requests' });
  });

  it('adds latency (wall time) and then answers as usual; the journal records it', async () => {
    const rule = await chaos.add({ kind: 'api', provider: 'wamessenger', fault: { type: 'latency', ms: 40 } });
    expect((await callProvider('wamessenger')).status).toBe(200);
    expect((await callProvider('maytapi')).status).toBe(200);
    const [entry] = await chaos.requests('wamessenger');
    expect(entry).toMatchObject({ status: 200, chaos: { rule: rule.id, fault: 'latency' } });
    expect(entry!.durationMs).toBeGreaterThanOrEqual(40);
    expect((await chaos.requests('maytapi'))[0]!.chaos).toBeUndefined();
  });

  it.each(['wamessenger', 'maytapi'] as const)('%s: a timeout holds the request unanswered until the client gives up', async (provider) => {
    const rule = await chaos.add({ kind: 'api', provider, fault: { type: 'timeout' } });
    const client = new AbortController();
    const pending = fetch(`${sandbox.origin}${providers[provider].path}`, { ...providers[provider].init, signal: client.signal });
    // Once the rule has hit it, the request is held: nothing is journaled while it waits.
    while ((await chaos.rule(rule.id))!.hits < 1) await sandbox.control.clock();
    expect(await chaos.requests(provider)).toEqual([]);
    client.abort();
    await expect(pending).rejects.toThrow(/abort/i);
    // Journaled once the client gave up, as a request without an answer.
    let entries = await chaos.requests(provider);
    while (entries.length === 0) entries = await chaos.requests(provider);
    expect(entries).toEqual([expect.objectContaining({ status: 0, chaos: { rule: rule.id, fault: 'timeout' } })]);
    await chaos.remove(rule.id);
    expect((await callProvider(provider)).status).toBe(200);
  });

  it.each(['wamessenger', 'maytapi'] as const)('%s: a reset drops the connection without an answer', async (provider) => {
    const rule = await chaos.add({ kind: 'api', provider, fault: { type: 'reset' } });
    const failure = await callProvider(provider).then(
      () => undefined,
      (error: Error & { cause?: { code?: string } }) => error.cause?.code,
    );
    expect(failure).toBe('ECONNRESET');
    expect(await chaos.requests(provider)).toEqual([expect.objectContaining({ status: 0, chaos: { rule: rule.id, fault: 'reset' } })]);
  });

  it('hits only the next N requests matching its route, then is spent', async () => {
    const rule = await chaos.add({ kind: 'api', route: 'GET /maytapi/api/*/listPhones', next: 2, fault: { type: 'error', status: 503 } });
    const product = await call('/maytapi/api/P/product', providers.maytapi.init);
    expect(product.status).toBe(200);
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await callProvider('maytapi')).status);
    expect(statuses).toEqual([503, 503, 200, 200]);
    expect(await chaos.rule(rule.id)).toMatchObject({ hits: 2, remaining: 0, next: 2 });
  });

  it('acts only on the account it names', async () => {
    await chaos.add({ kind: 'api', provider: 'wamessenger', account: 'K', fault: { type: 'error', status: 500 } });
    expect((await call('/wamessenger/pending/K')).status).toBe(500);
    expect((await call('/wamessenger/pending/L')).status).toBe(200);
  });

  it('meets no request the provider refuses: authentication comes first', async () => {
    await chaos.add({ kind: 'api', provider: 'maytapi', fault: { type: 'error', status: 500 } });
    expect((await call('/maytapi/api/P/listPhones')).status).toBe(401);
  });

  it('hits a seeded share of the requests: the same seed gives the same sequence', async () => {
    const run = async () => {
      await sandbox.control.reset();
      await chaos.add({ kind: 'api', provider: 'wamessenger', share: 0.5, fault: { type: 'error', status: 502 } });
      const statuses: number[] = [];
      for (let i = 0; i < 24; i++) statuses.push((await callProvider('wamessenger')).status);
      return statuses;
    };
    const first = await run();
    expect(await run()).toEqual(first);
    // A share, not all or nothing (with seed 7, 24 draws at one half).
    expect(first.filter((status) => status === 502).length).toBeGreaterThan(4);
    expect(first.filter((status) => status === 200).length).toBeGreaterThan(4);
    expect((await chaos.list()).seed).toBe(7);
  });
});

describe('chaos: a held request and the sandbox’s close', () => {
  it('closes the requests a timeout holds when the sandbox closes, so the close does not wait for them', async () => {
    const sandbox = await startSandbox();
    const rule = (await (
      await fetch(`${sandbox.origin}/__sandbox/chaos`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ kind: 'api', fault: { type: 'timeout' } }),
      })
    ).json()) as { id: string };
    const held = fetch(`${sandbox.origin}/wamessenger/pending/K`).then(
      () => 'answered',
      () => 'closed',
    );
    const hits = async () => ((await (await fetch(`${sandbox.origin}/__sandbox/chaos`)).json()) as { rules: Array<{ id: string; hits: number }> }).rules[0]!;
    while ((await hits()).hits < 1) await sandbox.control.clock();
    expect(rule.id).toBe('c1');
    // app.close() alone, without closing the connections first as the test helper does.
    await sandbox.app.close();
    expect(await held).toBe('closed');
  });
});
