import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { formatReport } from './report.js';
import { runConformance } from './runner.js';
import { getSuite, UnknownProviderError } from './suites/index.js';

interface Seen {
  method: string;
  path: string;
  body: string;
}

/** A stub target: records every request and lets the test answer it. */
async function stub(answer: (req: Seen, res: ServerResponse) => void): Promise<{ url: string; seen: Seen[]; close: () => Promise<void> }> {
  const seen: Seen[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const entry = { method: req.method ?? '', path: req.url ?? '', body: Buffer.concat(chunks).toString() };
      seen.push(entry);
      answer(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const notFound = (_req: Seen, res: ServerResponse) => {
  res.writeHead(404, { 'content-type': 'text/plain; charset=utf-8' }).end('Not Found');
};

describe('runConformance', () => {
  it('skips every scenario with the reason when the target has no control API', async () => {
    const target = await stub(notFound);
    try {
      const report = await runConformance({ provider: 'wamessenger', baseUrl: `${target.url}/wamessenger`, key: 'K' });
      expect(target.seen.some((r) => r.method === 'GET' && r.path === '/__sandbox/health')).toBe(true);
      expect(report.control).toMatchObject({ url: `${target.url}/__sandbox`, available: false });
      expect(report.control.reason).toContain('answered 404');

      const scenarios = report.checks.filter((c) => c.kind === 'scenario');
      expect(scenarios.map((c) => c.name)).toEqual(getSuite('wamessenger').scenarios.map((s) => s.name));
      for (const s of scenarios) {
        expect(s.status).toBe('skipped');
        expect(s.details).toEqual([`no control API at ${target.url}/__sandbox (the target is not a wa-sandbox): scenario skipped`]);
      }
      // Without a sandbox and without --media-url the array sends cannot be made.
      expect(report.checks.filter((c) => c.status === 'skipped' && c.kind === 'contract').map((c) => c.details[0])).toEqual([
        expect.stringContaining('no --media-url given'),
        expect.stringContaining('no --media-url given'),
        'no message id: every single send failed',
      ]);

      const text = formatReport(report);
      expect(text).toContain(
        `○ scenario ${scenarios[0]?.name}\n    no control API at ${target.url}/__sandbox (the target is not a wa-sandbox): scenario skipped`,
      );
      const { passed, failed, skipped } = report.summary;
      expect(skipped).toBe(scenarios.length + 3);
      expect(text.split('\n').at(-1)).toBe(`conformance wamessenger: ${passed} passed, ${failed} failed, ${skipped} skipped`);
      expect(report.ok).toBe(false);
    } finally {
      await target.close();
    }
  });

  it('records each probe as a contract check, with the request and the offending response when it fails', async () => {
    const target = await stub(notFound);
    try {
      const report = await runConformance({ provider: 'wamessenger', baseUrl: `${target.url}/wamessenger/`, key: 'K' });
      const send = report.checks.find((c) => c.name.startsWith('sendMessage POST /sendMessage/{apikey} → 404 text/plain (send one, JSON'));
      expect(send?.status).toBe('failed');
      expect(send?.details).toEqual([
        'status 404 is not declared (declared: 200, 400)',
        'expected status 200, got 404',
        `request: POST ${target.url}/wamessenger/sendMessage/K (application/json)`,
        'response: 404 text/plain "Not Found"',
      ]);
      // The unknown-route probe expects exactly this answer.
      expect(report.checks.find((c) => c.name.startsWith('unknown route GET /noSuchMethod/{key} → 404'))?.status).toBe('passed');
      // Every operation was called, even if the answers were wrong.
      expect(report.unexercisedOperations).toEqual([]);
      expect(report.checks.at(-1)).toMatchObject({ name: 'coverage: every contract operation exercised (11/11)', status: 'passed' });
      expect(target.seen).toContainEqual({
        method: 'POST',
        path: '/wamessenger/sendMessage/K',
        body: '{"phonenumber":"989121234567","text":"wa-conformance probe: send one (JSON)"}',
      });
    } finally {
      await target.close();
    }
  });

  it('with a control API, runs the scenarios on a manual clock and restores the clock afterwards', async () => {
    const clockPuts: unknown[] = [];
    const target = await stub((req, res) => {
      const json = (body: unknown) => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      const clock = { mode: 'real', speed: 60, now: '2026-01-01T00:00:00.000Z', nowMs: 1767225600000, scheduled: 0 };
      if (req.path === '/__sandbox/health') return json({ status: 'ok', version: '9.9.9', providers: ['wamessenger'], clock });
      if (req.path === '/__sandbox/clock' && req.method === 'GET') return json(clock);
      if (req.path === '/__sandbox/clock' && req.method === 'PUT') {
        clockPuts.push(JSON.parse(req.body));
        return json(clock);
      }
      return notFound(req, res);
    });
    try {
      const report = await runConformance({ provider: 'wamessenger', baseUrl: `${target.url}/wamessenger`, key: 'K' });
      expect(report.control).toEqual({ url: `${target.url}/__sandbox`, available: true, version: '9.9.9' });
      expect(clockPuts).toEqual([{ mode: 'manual' }, { mode: 'real', speed: 60 }]);
      const scenarios = report.checks.filter((c) => c.kind === 'scenario');
      expect(scenarios.length).toBe(getSuite('wamessenger').scenarios.length);
      // The stub answers Not Found to the provider routes, so each scenario fails on its first call.
      for (const s of scenarios) expect(s.status).toBe('failed');
      // In sandbox mode the array sends carry an inline PNG.
      expect(target.seen.some((r) => r.body.includes('data:image/png;base64,iVBORw0KGgo'))).toBe(true);
    } finally {
      await target.close();
    }
  });

  it('treats a sandbox that does not serve the provider as having no control API', async () => {
    const target = await stub((req, res) => {
      if (req.path === '/__sandbox/health') {
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'ok', providers: ['maytapi'] }));
      } else notFound(req, res);
    });
    try {
      const report = await runConformance({ provider: 'wamessenger', baseUrl: `${target.url}/wamessenger`, key: 'K' });
      expect(report.control).toMatchObject({ available: false, reason: 'the sandbox there serves maytapi, not wamessenger' });
      expect(report.checks.filter((c) => c.kind === 'scenario').every((c) => c.status === 'skipped')).toBe(true);
    } finally {
      await target.close();
    }
  });

  it('refuses an unknown provider', async () => {
    await expect(runConformance({ provider: 'nope', baseUrl: 'http://127.0.0.1:1' })).rejects.toBeInstanceOf(UnknownProviderError);
  });
});
