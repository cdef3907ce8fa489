import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WhatsAppEngine } from './engine.js';
import { MemoryStore } from './store/memory.store.js';
import { SqliteStore } from './store/sqlite.store.js';
import type { EngineStore } from './store/store.js';
import { specProfile, SPEC_START } from './testing/spec-engine.js';

const SECOND = 1_000;
const MINUTE = 60 * SECOND;

/** A receiver that refuses (503) each event's first two attempts, whatever order they come in, and accepts the third. */
async function refusingTwice() {
  const seen = new Map<string, number>();
  const server = createServer((request, reply) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      const name = JSON.stringify(JSON.parse(body));
      const attempt = (seen.get(name) ?? 0) + 1;
      seen.set(name, attempt);
      reply.writeHead(attempt <= 2 ? 503 : 200).end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())).finally(() => server.closeAllConnections()),
  };
}

/** Every kind of timed step: paced sends, receipts, replies, retries on a schedule, batched acks, a QR screen that goes idle. */
function restartProfile() {
  return specProfile({
    sendPacing: { minMs: 5 * SECOND, maxMs: 12 * SECOND },
    sessionStartup: { minMs: SECOND, maxMs: 3 * SECOND },
    qrIdleAfterMs: MINUTE,
    webhooks: { retentionMs: 30 * MINUTE, retryDelaysMs: [30 * SECOND, 60 * SECOND] },
    toWebhooks(event, account) {
      if (!account.webhookUrl) return [];
      if (event.type === 'session.status')
        return [
          {
            url: account.webhookUrl,
            payload: { session: event.session.id, state: event.session.state, since: event.session.stateSince, idle: event.session.idle },
          },
        ];
      if (event.type !== 'message.status') return [{ url: account.webhookUrl, payload: { received: event.message.id, text: event.message.text } }];
      const ack = { id: event.message.id, status: event.message.status };
      return [
        { url: account.webhookUrl, payload: ack },
        { url: account.webhookUrl, payload: ack, batch: { key: 'acks', windowMs: 2 * SECOND, wrap: (data: unknown[]) => ({ acks: data }) } },
      ];
    },
  });
}

function engineOn(store: EngineStore): WhatsAppEngine {
  const engine = new WhatsAppEngine({
    clock: { mode: 'manual', speed: 1, startAt: SPEC_START },
    seed: 3,
    store,
    mediaBaseUrl: 'http://sandbox.test',
    webhookTimeoutMs: 2_000,
  });
  engine.registerProvider(restartProfile());
  return engine;
}

/** The kinds of job the restart must find in motion. */
const IN_MOTION = [
  'message.delivered',
  'message.expire',
  'message.read',
  'message.reply',
  'message.send-at',
  'send.next',
  'session.idle',
  'session.loaded',
  'webhook.batch',
  'webhook.expire',
  'webhook.retry',
];

/**
 * Sets the world in motion and lets time pass, half a second at a time, until a job of every kind is
 * stored: messages queued, scheduled, in delivery, expiring; webhooks refused and due for a retry; acks
 * collecting in a batch; a session on its QR screen, one loading. The run is deterministic, so two
 * engines stop at the same virtual time.
 */
async function begin(engine: WhatsAppEngine, store: EngineStore, hookUrl: string) {
  const lookup = await engine.accounts.resolve('spec', 'key');
  if (!lookup.ok) throw new Error(lookup.reason);
  const account = await engine.accounts.setWebhookUrl(lookup.account, hookUrl);
  const sent = async (request: Parameters<WhatsAppEngine['messages']['send']>[1]) => {
    const result = await engine.messages.send(account, request);
    if (!result.ok) throw new Error(result.reason);
    return result.messages.map((message) => message.id);
  };
  const queued = await sent({ recipients: ['79161110007', '79161000004', '79161110008'], text: 'hello' });
  const scheduled = await sent({ recipients: ['79161110009'], text: 'later', sendAt: SPEC_START + 90 * SECOND });
  const expiring = await sent({ recipients: ['79161000001'], text: 'in time?', validityMs: 40 * SECOND });
  await engine.accounts.setFeature(account, 'receive', false, 5 * MINUTE);
  const waiting = await engine.sessions.create(account, 'waiting');
  const linking = await engine.sessions.create(account, 'linking');
  for (let step = 0; ; step++) {
    if (step === 120) throw new Error('the jobs in motion never coincided');
    await engine.clock.advance(SECOND / 2);
    const session = (await engine.sessions.get(linking.id))!;
    if (session.state === 'qr' && (await engine.messages.get(queued[1]!))!.status !== 'queued') await engine.sessions.scan(linking.id, '79990000001');
    await engine.persisted();
    const kinds = new Set((await store.schedule.list()).map((job) => job.kind));
    if (IN_MOTION.every((kind) => kinds.has(kind))) break;
  }
  return { account, messages: [...queued, ...scheduled, ...expiring], sessions: [waiting.id, linking.id] };
}

/** Everything observable, without what depends on wall time (latency) or on the receiver's port. */
async function world(engine: WhatsAppEngine, accountId: string, sessionIds: string[]) {
  const messages = [];
  for (const direction of ['outbound', 'inbound'] as const) {
    const page = await engine.messages.query({ accountId, direction, order: 'oldest', offset: 0, limit: 100 });
    messages.push(...page.items);
  }
  const attempts = (await engine.webhooks.attempts({ accountId })).map(({ eventId, at, ok, body }) => ({ eventId, at, ok, body }));
  attempts.sort((a, b) => a.at - b.at || Number(a.eventId) - Number(b.eventId));
  const sessions = await Promise.all(sessionIds.map((id) => engine.sessions.get(id)));
  const account = (await engine.accounts.get(accountId))!;
  return { now: engine.clock.now(), messages, attempts, sessions, features: engine.accounts.effectiveFeatures(account) };
}

/** A store, and the same store as the next process would open it: the same object in memory, the file again for SQLite. */
interface Reopenable {
  store: EngineStore;
  reopen(): EngineStore;
  dispose(): void;
}

const STORES: [string, () => Reopenable][] = [
  [
    'memory',
    () => {
      const store = new MemoryStore();
      return { store, reopen: () => store, dispose: () => {} };
    },
  ],
  [
    'SQLite',
    () => {
      const dir = mkdtempSync(join(tmpdir(), 'wa-sandbox-restart-'));
      const file = join(dir, 'sandbox.db');
      return { store: new SqliteStore(file), reopen: () => new SqliteStore(file), dispose: () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
];

describe.each(STORES)('WhatsAppEngine restarted on its %s store', (_name, openStore) => {
  it('carries every lifecycle on at the virtual times an engine that never stopped keeps, losing and repeating nothing', async () => {
    const [steadyHook, restartedHook] = await Promise.all([refusingTwice(), refusingTwice()]);
    const opened = openStore();
    // The twin that never stops runs on a store of the same kind: each kind's writes take their own turns.
    const steadyOpened = openStore();
    try {
      const steadyStore = steadyOpened.store;
      const steady = engineOn(steadyStore);
      const steadyRun = await begin(steady, steadyStore, steadyHook.url);

      const first = engineOn(opened.store);
      await first.resume();
      const run = await begin(first, opened.store, restartedHook.url);
      const stoppedAt = first.clock.now();
      expect(stoppedAt).toBe(steady.clock.now());
      await first.persisted();
      first.close();

      const store = opened.reopen();
      const restarted = engineOn(store);
      await restarted.resume();
      expect(restarted.clock.now()).toBe(stoppedAt);

      for (const engine of [steady, restarted]) {
        // In steps, so that held webhook attempts end within each.
        for (let n = 0; n < 80; n++) await engine.clock.advance(30 * SECOND);
      }
      const expected = await world(steady, steadyRun.account.id, steadyRun.sessions);
      const actual = await world(restarted, run.account.id, run.sessions);
      expect(actual).toEqual(expected);

      // The lifecycles did finish, at their own times.
      const byId = new Map(actual.messages.map((message) => [message.id, message]));
      const [first3, replier, third, scheduledId, expiringId] = run.messages.map((id) => byId.get(id)!);
      for (const message of [first3, replier, third]) expect(message!.status).toBe('read');
      expect(byId.get(scheduledId!.id)!.history.find((step) => step.status === 'sent')!.at).toBeGreaterThanOrEqual(SPEC_START + 90 * SECOND);
      expect(expiringId!.failure).toMatchObject({ code: 'expired' });
      expect(expiringId!.history.at(-1)!.at).toBe(SPEC_START + 40 * SECOND);
      expect(actual.messages.filter((message) => message.direction === 'inbound').map((message) => message.quotedId)).toEqual([replier!.id]);
      const [waiting, linking] = actual.sessions;
      expect(waiting).toMatchObject({ state: 'qr', idle: true });
      expect(linking).toMatchObject({ state: 'connected', phone: '79990000001' });
      expect(actual.features).toMatchObject({ receive: false });
      // Every event was refused twice, then accepted on its second retry (30 s, then 60 s later); none is left.
      const byEvent = new Map<string, typeof actual.attempts>();
      for (const attempt of actual.attempts) byEvent.set(attempt.eventId, [...(byEvent.get(attempt.eventId) ?? []), attempt]);
      expect(byEvent.size).toBeGreaterThan(10);
      for (const attempts of byEvent.values()) {
        expect(attempts.map((attempt) => attempt.ok)).toEqual([false, false, true]);
        expect([attempts[1]!.at - attempts[0]!.at, attempts[2]!.at - attempts[1]!.at]).toEqual([30 * SECOND, 60 * SECOND]);
      }
      expect(await restarted.webhooks.pending(run.account.id)).toEqual([]);
      await restarted.persisted();
      expect(await store.schedule.list()).toEqual([]);

      // Ids go on from where the first engine left them.
      const next = await restarted.messages.send((await restarted.accounts.get(run.account.id))!, { recipients: ['79161110010'], text: 'after' });
      expect(next.ok && byId.has(next.messages[0]!.id)).toBe(false);
      restarted.close();
      steady.close();
    } finally {
      await Promise.all([steadyHook.close(), restartedHook.close()]);
      opened.dispose();
      steadyOpened.dispose();
    }
  });

  it('keeps its secrets and its changed templates: a restart brings neither a new secret nor the baseline back', async () => {
    const opened = openStore();
    try {
      const first = engineOn(opened.store);
      const baseline = [
        { name: 'verification_code', language: 'en', text: 'Your code is {{1}}' },
        { name: 'welcome', language: 'en', text: 'Welcome' },
      ];
      await first.templates.setBaseline(baseline);
      await first.templates.put({ name: 'verification_code', language: 'en', text: 'Changed: {{1}}' });
      await first.templates.remove('welcome');
      const secret = await first.secret('tokens');
      expect(await first.secret('tokens')).toEqual(secret);
      await first.persisted();
      first.close();

      const restarted = engineOn(opened.reopen());
      await restarted.resume();
      await restarted.templates.setBaseline(baseline);
      expect((await restarted.templates.list()).map((template) => `${template.name}: ${template.text}`)).toEqual(['verification_code: Changed: {{1}}']);
      expect(await restarted.secret('tokens')).toEqual(secret);

      // A reset forgets both: the fixtures come back, the secret is a new one.
      await restarted.reset();
      expect((await restarted.templates.list()).map((template) => `${template.name}: ${template.text}`)).toEqual([
        'verification_code: Your code is {{1}}',
        'welcome: Welcome',
      ]);
      expect(await restarted.secret('tokens')).not.toEqual(secret);
      restarted.close();
    } finally {
      opened.dispose();
    }
  });
});
