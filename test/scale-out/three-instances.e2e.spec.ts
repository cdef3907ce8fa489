import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookReceiver, type ReceivedRequest } from '#conformance';
import { createDatabase } from '../../bench/postgres-database.js';
import { freePort } from '../../bench/processes.js';
import { SandboxProcess } from '../durability/sandbox-process.js';
import { send } from '../support/php-client.js';
import { describeWithPostgres, testPostgresUrl } from '../support/postgres.js';

/**
 * Issue 18's proof: three real sandbox processes on one PostgreSQL database, requests handed to them in
 * turn (as a round-robin load balancer would), 1,200 messages over four providers. Every message must be
 * read, and every webhook event of the three providers whose events name their message and its step
 * (WaMessenger, Devino, Maytapi's batched acks) must arrive: at least once (duplicates are counted and
 * printed), and a message's steps in order (each chat here holds one message, so that is the chat's order).
 * Then the same on a fresh database with one instance killed with kill -9 halfway through the sends: its
 * leases run out (10 s) and the other two finish its work.
 *
 * Real clock at 600x: WhatsApp's seconds pass in milliseconds; the test waits on outcomes (the control API,
 * the receiver), polling, never for a fixed time. Measured on this 2-core machine (other helpers' work
 * running): 34 s without the kill, 34 s with it (5 duplicates, 0 lost), most of it the send requests; each
 * test allows 300 s. With 3,000 messages, under CI's load, it took 147 s and 137 s. The kill run passed three
 * times in a row at 3,000 (0, 2 and 3 duplicates, 0 lost) once a send an instance died in was resumable
 * (engine.shared.spec reproduces the two deaths that had left a message sent or delivered).
 */

const SPEED = 600;
const START_ISO = '2026-03-02T09:00:00.000Z';
const SEED = 18;
const INSTANCES = 3;
/** Requests in flight at once, over the instances. */
const CONCURRENCY = 6;
/** Ordinary numbers: none of the engine's magic endings (00000x) nor Devino's (00 and a code). */
const recipient = (index: number) => `90533${String(index).padStart(5, '0')}77`;

const WAMESSENGER_KEYS = ['scale-w1', 'scale-w2', 'scale-w3', 'scale-w4'];
const WAMM_KEYS = ['scale-m1', 'scale-m2', 'scale-m3', 'scale-m4'];
const DEVINO_KEYS = ['scale-d1', 'scale-d2'];
const MAYTAPI_PRODUCT = 'scale-product';
const MAYTAPI_TOKEN = 'scale-token';
/**
 * Messages per line: 12 lines, so 1,200 messages, 620 send requests. 3,000 (250 a line) proved nothing more
 * and took 147 s under CI's load: what the test checks per message (ids unique across instances, every step
 * once, in order) does not depend on the count, and 100 a line still keeps every line's queue, chat and ack
 * batch busy on every instance when the kill comes halfway through the sends. `SCALE_OUT_PER_LINE=250`
 * runs the issue's 3,000.
 */
const PER_LINE = Number(process.env.SCALE_OUT_PER_LINE ?? 100);
/** WaMessenger's, WAMM's, Devino's and Maytapi's lines. */
const MESSAGES = (WAMESSENGER_KEYS.length + WAMM_KEYS.length + DEVINO_KEYS.length + 2) * PER_LINE;

/** A send request: which provider, and how to make it through one instance; resolves with the ids it was given. */
interface SendOperation {
  provider: 'wamessenger' | 'wamm' | 'devino' | 'maytapi';
  run(origin: string): Promise<string[]>;
}

/** What a webhook says: a message reached one of its steps (1 sent, 2 delivered, 3 read). */
interface Step {
  provider: string;
  messageId: string;
  step: number;
}

const DEVINO_STEPS: Record<string, number> = { SENT: 1, DELIVERED: 2, READ: 3 };

function stepsOf(request: ReceivedRequest): Step[] {
  const json = request.json as any;
  if (request.path.endsWith('/wamessenger')) return [{ provider: 'wamessenger', messageId: String(json.id), step: Number(json.delivery) }];
  if (request.path.endsWith('/devino')) {
    return (json as Array<{ messageId: string; status: string }>).map((item) => ({
      provider: 'devino',
      messageId: item.messageId,
      step: DEVINO_STEPS[item.status]!,
    }));
  }
  // Maytapi: acks come in batches; a message the phone sent is also posted as a message (not a step).
  if (request.path.endsWith('/maytapi') && json.type === 'ack') {
    return (json.data as Array<{ msgId: string; ackCode: number }>).map((ack) => ({ provider: 'maytapi', messageId: ack.msgId, step: ack.ackCode }));
  }
  return [];
}

async function ok(url: string, init: RequestInit = {}): Promise<any> {
  const response = await send(url, init);
  if (response.status < 200 || response.status >= 300)
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${response.text.slice(0, 300)}`);
  return response.json;
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  ok(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/** Until `check` says done (polling the instances' control API or the receiver); fails with `what` after `timeoutMs`. */
async function until(what: string, timeoutMs: number, check: () => Promise<boolean> | boolean): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs / 1000} s: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** Runs `tasks` at most `limit` at a time. */
async function inParallel<T>(items: T[], limit: number, task: (item: T, index: number) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      await task(items[index]!, index);
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
}

describeWithPostgres('three sandbox processes on one PostgreSQL database (real processes, WA_SANDBOX_TEST_POSTGRES)', () => {
  const cleanups: Array<() => Promise<void>> = [];

  beforeAll(() => {
    execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
  }, 180_000);

  afterAll(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch((error: unknown) => console.error(error));
  }, 60_000);

  /** Starts three instances on a fresh database and a shared data (media) directory. */
  async function startInstances(): Promise<SandboxProcess[]> {
    const database = await createDatabase(testPostgresUrl(), 'scale_out');
    cleanups.push(database.drop);
    const dataDir = mkdtempSync(join(tmpdir(), 'wa-scale-out-'));
    cleanups.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    const ports = await Promise.all(Array.from({ length: INSTANCES }, () => freePort()));
    const instances = await Promise.all(
      ports.map((port) => SandboxProcess.start({ port, dataDir, startIso: START_ISO, seed: SEED, store: database.url, speed: SPEED })),
    );
    for (const instance of instances) cleanups.push(() => instance.stop());
    return instances;
  }

  /** Accounts, webhooks and two connected Maytapi phones, made through the instances in turn; the sends to make. */
  async function prepare(instances: SandboxProcess[], receiver: WebhookReceiver): Promise<SendOperation[]> {
    const at = (index: number) => instances[index % instances.length]!;
    for (const [index, key] of WAMESSENGER_KEYS.entries())
      await ok(`${at(index).origin}/wamessenger/webhook/set/${key}?url=${encodeURIComponent(`${receiver.url}/wamessenger`)}`);
    for (const [index, key] of WAMM_KEYS.entries()) await at(index).control.setLimits('wamm', key, { dailyMessages: 10_000 });
    for (const [index, key] of DEVINO_KEYS.entries()) await at(index).control.setLimits('devino', key, { perSecond: null });
    const maytapi = (origin: string) => `${origin}/maytapi/api/${MAYTAPI_PRODUCT}`;
    const maytapiHeaders = { 'x-maytapi-key': MAYTAPI_TOKEN };
    await postJson(`${maytapi(at(0).origin)}/setWebhook`, { webhook: `${receiver.url}/maytapi` }, maytapiHeaders);
    // Acks (sent, delivered, read) are off until asked for; they come batched, every 2 clock seconds.
    await postJson(`${maytapi(at(1).origin)}/setAckPreference`, { ack_delivery: true }, maytapiHeaders);
    const phones: string[] = [];
    for (let index = 0; index < 2; index++) phones.push(String((await postJson(`${maytapi(at(index + 1).origin)}/addPhone`, {}, maytapiHeaders)).id));
    // Each phone loads (seconds of clock time, milliseconds here), shows a QR code, is scanned, loads again.
    await until('both Maytapi phones show a QR code', 30_000, async () => {
      const sessions = await at(0).control.sessions('maytapi', MAYTAPI_PRODUCT);
      return sessions.length === 2 && sessions.every((session) => session.state === 'qr');
    });
    for (const [index, session] of (await at(1).control.sessions('maytapi', MAYTAPI_PRODUCT)).entries()) {
      await at(index).control.scan(session.id, `90530987654${index}`);
    }
    await until('both Maytapi phones connected', 30_000, async () =>
      (await at(2).control.sessions('maytapi', MAYTAPI_PRODUCT)).every((session) => session.state === 'connected'),
    );

    const byProvider = { wamessenger: [] as SendOperation[], wamm: [] as SendOperation[], devino: [] as SendOperation[], maytapi: [] as SendOperation[] };
    // WaMessenger: 25 recipients a request; WAMM and Maytapi: one a request; Devino: 50 a request.
    for (const [line, key] of WAMESSENGER_KEYS.entries()) {
      for (let start = 0; start < PER_LINE; start += 25) {
        const phonenumber = Array.from({ length: 25 }, (_, index) => recipient(line * PER_LINE + start + index));
        byProvider.wamessenger.push({
          provider: 'wamessenger',
          run: async (origin) =>
            ((await postJson(`${origin}/wamessenger/sendMessage/${key}`, { phonenumber, text: 'scale' })) as Array<{ tracking_Code: number }>).map((entry) =>
              String(entry.tracking_Code),
            ),
        });
      }
    }
    for (const [line, key] of WAMM_KEYS.entries()) {
      for (let index = 0; index < PER_LINE; index++) {
        const query = new URLSearchParams({ phone: recipient(line * PER_LINE + index), text: 'scale' }).toString();
        byProvider.wamm.push({ provider: 'wamm', run: async (origin) => [String((await ok(`${origin}/wamm/api2/msg_to/${key}/?${query}`)).msg_id)] });
      }
    }
    for (const [line, key] of DEVINO_KEYS.entries()) {
      for (let start = 0; start < PER_LINE; start += 50) {
        const messages = Array.from({ length: 50 }, (_, index) => ({
          from: 'ScaleCo',
          to: recipient(line * PER_LINE + start + index),
          // A template: Devino's business lines send free text only inside a customer's 24-hour window.
          templateId: 'verification_code',
          templateParams: { 1: String(start + index) },
          languageCode: 'en',
          callbackUrl: `${receiver.url}/devino`,
        }));
        byProvider.devino.push({
          provider: 'devino',
          run: async (origin) =>
            ((await postJson(`${origin}/devino/whatsapp/messages`, { messages }, { authorization: `Key ${key}` })).result as Array<{ messageId: string }>).map(
              (entry) => entry.messageId,
            ),
        });
      }
    }
    for (const [line, phone] of phones.entries()) {
      for (let index = 0; index < PER_LINE; index++) {
        const body = { to_number: recipient(line * PER_LINE + index), type: 'text', message: 'scale' };
        byProvider.maytapi.push({
          provider: 'maytapi',
          run: async (origin) => [(await postJson(`${maytapi(origin)}/${phone}/sendMessage`, body, maytapiHeaders)).data.msgId as string],
        });
      }
    }
    // Providers interleaved, as several services would send at once.
    const lists = Object.values(byProvider);
    const longest = Math.max(...lists.map((list) => list.length));
    return Array.from({ length: longest }, (_, index) => lists.flatMap((list) => (index < list.length ? [list[index]!] : []))).flat();
  }

  /**
   * Sends everything, each request to the next live instance; with `killHalfway`, the last instance is
   * killed once half the requests were answered, and a request it never answered goes to the next one.
   */
  async function sendAll(instances: SandboxProcess[], operations: SendOperation[], killHalfway: boolean) {
    const live = [...instances];
    const ids = new Map<string, string>();
    let answered = 0;
    let turn = 0;
    let killing: Promise<void> | undefined;
    await inParallel(operations, CONCURRENCY, async (operation) => {
      for (;;) {
        const instance = live[turn++ % live.length]!;
        try {
          for (const id of await operation.run(instance.origin)) ids.set(`${operation.provider} ${id}`, operation.provider);
          break;
        } catch (error) {
          // Only the killed instance may fail a request, and it is then out of the rotation.
          if (live.includes(instance) && instance !== instances.at(-1)) throw error;
        }
      }
      if (++answered === Math.floor(operations.length / 2) && killHalfway) {
        const victim = instances.at(-1)!;
        live.splice(live.indexOf(victim), 1);
        killing = victim.kill9();
      }
    });
    await killing;
    return { ids, live };
  }

  async function runThrough(killHalfway: boolean): Promise<void> {
    const started = Date.now();
    const instances = await startInstances();
    const receiver = await WebhookReceiver.start();
    cleanups.push(() => receiver.close());
    const operations = await prepare(instances, receiver);
    const { ids, live } = await sendAll(instances, operations, killHalfway);
    const sent = Date.now();

    // Ids unique across the instances (per provider: each provider numbers its own).
    expect(ids.size).toBe(MESSAGES);

    // Every message read: asked of the live instances in turn until none is left unread.
    let unread = [...ids.keys()];
    await until(`every message read (${unread.length} not yet)`, 240_000, async () => {
      const still: string[] = [];
      await inParallel(unread, 12, async (key, index) => {
        const message = await live[index % live.length]!.control.message(key.slice(key.indexOf(' ') + 1));
        if (message.status !== 'read') still.push(key);
      });
      unread = still;
      return unread.length === 0;
    });
    const read = Date.now();

    // Every step of every message of the three providers with step webhooks: 3 each.
    const followed = [...ids].filter(([, provider]) => provider !== 'wamm').map(([key]) => key);
    const expected = followed.length * 3;
    const firstArrivals = () => {
      const seen = new Map<string, number[]>();
      let duplicates = 0;
      for (const request of receiver.accepted) {
        for (const { provider, messageId, step } of stepsOf(request)) {
          const key = `${provider} ${messageId}`;
          const steps = seen.get(key) ?? [];
          if (steps.includes(step)) duplicates++;
          else seen.set(key, [...steps, step]);
        }
      }
      return { seen, duplicates, distinct: followed.reduce((sum, key) => sum + (seen.get(key)?.length ?? 0), 0) };
    };
    await until(`all ${expected} webhook steps delivered`, 120_000, () => firstArrivals().distinct >= expected);
    const { seen, duplicates, distinct } = firstArrivals();
    const lost = followed.filter((key) => (seen.get(key) ?? []).length < 3);
    const outOfOrder = [...seen].filter(([, steps]) => steps.join() !== '1,2,3');
    // A send the killed instance stored but died before answering: the client never got its id and sent it
    // again elsewhere, yet the message was accepted, so it goes on to the end (nothing accepted is lost).
    const unanswered = [...seen.keys()].filter((key) => !ids.has(key));
    console.log(
      `${INSTANCES} instances${killHalfway ? ', one killed -9 halfway' : ''}: ${MESSAGES} messages read; ${distinct} webhook steps for ${followed.length} messages, ` +
        `${lost.length} messages missing a step, ${duplicates} duplicates, ${outOfOrder.length} out of order, ` +
        `${unanswered.length} accepted by the killed instance without an answer; ` +
        `sends ${((sent - started) / 1000).toFixed(1)} s (with start-up), all read ${((read - sent) / 1000).toFixed(1)} s later`,
    );
    // Every step of every followed message, and of any unanswered one, in order.
    expect({ lost, outOfOrder, distinct }).toEqual({ lost: [], outOfOrder: [], distinct: expected });
    // No stray events: only the followed messages' steps, and without a kill no unanswered send.
    if (!killHalfway) expect(unanswered).toEqual([]);
  }

  it(`carries ${MESSAGES.toLocaleString('en')} messages sent round-robin to every final state and webhook, in order`, () => runThrough(false), 300_000);

  it('loses nothing when one instance is killed with kill -9 halfway', () => runThrough(true), 300_000);
});
