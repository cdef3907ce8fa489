import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { WhatsAppEngine } from '../engine.js';
import { specProfile, SPEC_START } from '../testing/spec-engine.js';
import type { Account } from '../store/models.js';

/** A receiver that answers each request with `status`, or never answers when `status` is null. */
async function receiver(status: number | null): Promise<{ url: string; connections: number; requests: unknown[]; close(): Promise<void> }> {
  const state = { connections: 0, requests: [] as unknown[] };
  const server: Server = createServer((request, reply) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      state.requests.push(JSON.parse(body));
      if (status !== null) reply.writeHead(status).end('ok');
    });
  });
  server.on('connection', () => state.connections++);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/hook`,
    get connections() {
      return state.connections;
    },
    requests: state.requests,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).finally(() => server.closeAllConnections()),
  };
}

/** A receiver that refuses (503) the first `refusals[name]` calls carrying `{ name }` and accepts the rest. */
async function scriptedReceiver(refusals: Record<string, number>) {
  const arrivals: string[] = [];
  const server = createServer((request, reply) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const { name } = JSON.parse(body) as { name: string };
      const refuse = (refusals[name] ?? 0) > 0;
      if (refuse) refusals[name]!--;
      arrivals.push(refuse ? `${name} refused` : name);
      reply.writeHead(refuse ? 503 : 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    arrivals,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).finally(() => server.closeAllConnections()),
  };
}

describe('WebhookDispatcher', () => {
  let engine: WhatsAppEngine;
  let account: Account;

  beforeEach(async () => {
    engine = new WhatsAppEngine({
      clock: { mode: 'manual', speed: 1, startAt: SPEC_START },
      seed: 3,
      mediaBaseUrl: 'http://sandbox.test',
      webhookTimeoutMs: 300,
    });
    engine.registerProvider(specProfile({ webhooks: { retentionMs: 60_000, retryDelaysMs: [] } }));
    const lookup = await engine.accounts.resolve('spec', 'key');
    if (!lookup.ok) throw new Error(lookup.reason);
    account = lookup.account;
  });

  const deliver = async (url: string, payload: unknown) => {
    await engine.webhooks.enqueue(account, url, payload);
    await engine.clock.settle();
    return (await engine.webhooks.attempts({ accountId: account.id })).at(-1)!;
  };

  it('posts the payload as JSON and reuses the connection for the next event', async () => {
    const hook = await receiver(200);
    try {
      expect(await deliver(hook.url, { n: 1 })).toMatchObject({ ok: true, status: 200, error: null });
      expect(await deliver(hook.url, { n: 2 })).toMatchObject({ ok: true, status: 200 });
      expect(hook.requests).toEqual([{ n: 1 }, { n: 2 }]);
      expect(hook.connections).toBe(1);
    } finally {
      await hook.close();
    }
  });

  it('records a refusal, a closed port and a receiver that never answers as failed attempts', async () => {
    const refusing = await receiver(503);
    const silent = await receiver(null);
    const closed = await receiver(200);
    await closed.close();
    try {
      expect(await deliver(refusing.url, {})).toMatchObject({ ok: false, status: 503, error: 'HTTP 503' });
      expect(await deliver(closed.url, {})).toMatchObject({ ok: false, status: null, error: 'ECONNREFUSED' });
      // The one real wait in the engine's specs: a network timeout is wall time (300 ms here).
      expect(await deliver(silent.url, {})).toMatchObject({ ok: false, status: null, error: 'timed out' });
      expect(await engine.webhooks.pending(account.id)).toHaveLength(3);
    } finally {
      await Promise.all([refusing.close(), silent.close()]);
    }
  });

  it("sends different chats' events at once, and one chat's in order, each after the last was answered", async () => {
    // This receiver answers the first event of chat A only once chat B's event has arrived: a
    // dispatcher that sent one event at a time would wait on A until it timed out.
    const arrivals: string[] = [];
    let answerA1: () => void = () => undefined;
    const server = createServer((request, reply) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const { name } = JSON.parse(body) as { name: string };
        arrivals.push(name);
        if (name === 'A1') answerA1 = () => reply.writeHead(200).end('ok');
        else reply.writeHead(200).end('ok');
        if (name === 'B') answerA1();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    try {
      await engine.webhooks.enqueue(account, url, { name: 'A1' }, 'chat A');
      await engine.webhooks.enqueue(account, url, { name: 'A2' }, 'chat A');
      await engine.webhooks.enqueue(account, url, { name: 'B' }, 'chat B');
      await engine.clock.settle();
      expect(arrivals).toEqual(['A1', 'B', 'A2']);
      const attempts = await engine.webhooks.attempts({ accountId: account.id });
      expect(attempts.map((attempt) => attempt.ok)).toEqual([true, true, true]);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  describe('a chat whose event is refused', () => {
    async function engineWith(retryDelaysMs: number[]) {
      const retrying = new WhatsAppEngine({
        clock: { mode: 'manual', speed: 1, startAt: SPEC_START },
        seed: 3,
        mediaBaseUrl: 'http://sandbox.test',
        webhookTimeoutMs: 2_000,
      });
      retrying.registerProvider(specProfile({ webhooks: { retentionMs: 60_000, retryDelaysMs } }));
      const lookup = await retrying.accounts.resolve('spec', 'key');
      if (!lookup.ok) throw new Error(lookup.reason);
      return { engine: retrying, account: lookup.account };
    }

    it("holds the chat's later events until its retry is accepted, at the retry's own time; other chats go on", async () => {
      const { engine: retrying, account: owner } = await engineWith([10_000]);
      const hook = await scriptedReceiver({ A1: 1 });
      try {
        await retrying.webhooks.enqueue(owner, hook.url, { name: 'A1' }, 'chat A');
        await retrying.webhooks.enqueue(owner, hook.url, { name: 'A2' }, 'chat A');
        await retrying.webhooks.enqueue(owner, hook.url, { name: 'B' }, 'chat B');
        await retrying.clock.advance(9_999);
        expect(hook.arrivals).toEqual(['A1 refused', 'B']);
        expect(await retrying.webhooks.pending(owner.id)).toHaveLength(2); // A1 and A2, which waits behind it
        await retrying.clock.advance(1);
        expect(hook.arrivals).toEqual(['A1 refused', 'B', 'A1', 'A2']);
        const attempts = await retrying.webhooks.attempts({ accountId: owner.id });
        expect(attempts.map((attempt) => attempt.at - SPEC_START)).toEqual([0, 0, 10_000, 10_000]);
      } finally {
        await hook.close();
      }
    });

    it("does not hold back the chat's events to a new url behind one to a receiver the account replaced", async () => {
      const { engine: retrying, account: owner } = await engineWith([]);
      const gone = await scriptedReceiver({ A1: 1 });
      const current = await scriptedReceiver({});
      try {
        await retrying.webhooks.enqueue(owner, gone.url, { name: 'A1' }, 'chat A');
        await retrying.clock.advance(1_000);
        await retrying.webhooks.enqueue(owner, current.url, { name: 'A2' }, 'chat A');
        await retrying.clock.advance(1);
        expect(gone.arrivals).toEqual(['A1 refused']);
        expect(current.arrivals).toEqual(['A2']);
      } finally {
        await gone.close();
        await current.close();
      }
    });

    it('moves the chat on when the refused event is dropped at the end of its retention', async () => {
      const { engine: retrying, account: owner } = await engineWith([]);
      const hook = await scriptedReceiver({ A1: 1 });
      try {
        await retrying.webhooks.enqueue(owner, hook.url, { name: 'A1' }, 'chat A');
        await retrying.clock.advance(30_000);
        await retrying.webhooks.enqueue(owner, hook.url, { name: 'A2' }, 'chat A');
        await retrying.clock.advance(29_999);
        expect(hook.arrivals).toEqual(['A1 refused']);
        await retrying.clock.advance(1);
        expect(hook.arrivals).toEqual(['A1 refused', 'A2']);
        expect(await retrying.webhooks.pending(owner.id)).toEqual([]);
      } finally {
        await hook.close();
      }
    });

    it('re-sends the chat in order on a resend, once its retries are spent', async () => {
      const { engine: retrying, account: owner } = await engineWith([10_000]);
      const hook = await scriptedReceiver({ A1: 2 });
      try {
        await retrying.webhooks.enqueue(owner, hook.url, { name: 'A1' }, 'chat A');
        await retrying.webhooks.enqueue(owner, hook.url, { name: 'A2' }, 'chat A');
        await retrying.clock.advance(20_000);
        expect(hook.arrivals).toEqual(['A1 refused', 'A1 refused']);
        const withUrl = await retrying.accounts.setWebhookUrl(owner, hook.url);
        expect(await retrying.webhooks.resend(withUrl)).toEqual({ resent: 2 });
        await retrying.clock.advance(0);
        expect(hook.arrivals).toEqual(['A1 refused', 'A1 refused', 'A1', 'A2']);
      } finally {
        await hook.close();
      }
    });
  });
});
