import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WebhookReceiver, type SandboxMessage } from '#conformance';
import { freePort } from '../../bench/processes.js';
import { send, type WireResponse } from '../support/php-client.js';
import { SandboxProcess } from './sandbox-process.js';

/**
 * The process-level proof of durability: the real sandbox, on a SQLite file, is killed with
 * SIGKILL twice mid-flight (right after a clock advance returned, and while sends are in flight) and
 * restarted on the same file. Everything it accepted must carry on exactly as in a twin run that was
 * never killed (same seed, same requests at the same virtual times): message histories equal to the
 * millisecond, and every webhook event the twin delivered delivered too (at least once; duplicates are
 * counted and printed).
 */

const START_ISO = '2026-01-01T09:00:00.000Z';
const SEED = 7;
const SECOND = 1_000;
const DAY = 24 * 3_600 * SECOND;
const PER_PROVIDER = 200;
/** Ordinary recipients (the magic numbers end in 00000x): every message is sent, delivered and read. */
const recipient = (index: number) => `90532${String(index).padStart(6, '0')}7`;
const RECIPIENTS = Array.from({ length: PER_PROVIDER }, (_, index) => recipient(index));

const KEYS = { wamessenger: 'durable-wamessenger', wamm: 'durable-wamm', devino: 'durable-devino', maytapi: 'durable-product', inflight: 'durable-inflight' };
const MAYTAPI_TOKEN = 'durable-token';
const WAMESSAGE_USER = '905321112233';
const WAMESSAGE_DEVICE = '905551112233';
const WAMESSAGE_PASSWORD = 'gizli-sifre-1';
/** A fixture template, changed: the restart must keep the change, not bring the fixture back. */
const TEMPLATE = { name: 'verification_code', language: 'en', text: 'Durable code: {{1}}' };

interface Accepted {
  /** Every message id the five providers answered, in the order sent. */
  ids: string[];
  wamessageToken: string;
  maytapiPhone: string;
}

interface Run {
  sandbox: SandboxProcess;
  receiver: WebhookReceiver;
  accepted: Accepted;
}

/** A provider call that must succeed; its JSON read as the test expects it. */
async function call(url: string, init: RequestInit = {}): Promise<WireResponse & { json: any }> {
  const response = await send(url, init);
  if (response.status < 200 || response.status >= 300)
    throw new Error(`${init.method ?? 'GET'} ${url} answered ${response.status}: ${response.text.slice(0, 300)}`);
  return response;
}

const postJson = (url: string, body: unknown, headers: Record<string, string> = {}) =>
  call(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });

/**
 * Runs `task` over `items` one after another: sends at once would take their ids in whatever order they
 * arrive, and the twin comparison needs each recipient's message to have the same id in both runs.
 */
async function inTurn<T, R>(items: T[], task: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = [];
  for (const item of items) results.push(await task(item));
  return results;
}

/**
 * Accounts, a changed limit and template, a Maytapi phone and a Wamessage device, 1,000 messages across
 * the five providers through their own routes, webhooks to a receiver that is down (503); then 15 clock
 * seconds, so some messages are delivered, some still queued, and the webhooks refused wait for a retry.
 */
async function setTheWorldInMotion(sandbox: SandboxProcess, receiver: WebhookReceiver): Promise<Accepted> {
  const { origin, control } = sandbox;
  receiver.respondWith(503);

  // Limits: WAMM's test accounts send 30 a day, Devino 15 a clock second: lifted for 200 each.
  await control.setLimits('wamm', KEYS.wamm, { dailyMessages: 1_000 });
  await control.setLimits('devino', KEYS.devino, { perSecond: null });
  await control.request('PUT', `/templates/${TEMPLATE.name}/${TEMPLATE.language}`, { text: TEMPLATE.text });

  // Webhooks, each provider its own way (Wamessage keeps no retries: a refused event would wait for a
  // resend it does not offer, so its messages are followed through the control API only).
  await call(`${origin}/wamessenger/webhook/set/${KEYS.wamessenger}?url=${encodeURIComponent(receiver.url)}`);
  await control.setWebhook('wamm', KEYS.wamm, receiver.url);
  const maytapi = `${origin}/maytapi/api/${KEYS.maytapi}`;
  const maytapiHeaders = { 'x-maytapi-key': MAYTAPI_TOKEN };
  await postJson(`${maytapi}/setWebhook`, { webhook: receiver.url }, maytapiHeaders);

  // A Maytapi phone: added, loading (at most 3 s), its QR code scanned, connected after loading again.
  const maytapiPhone = String((await postJson(`${maytapi}/addPhone`, {}, maytapiHeaders)).json.id);
  await control.advance(3 * SECOND);
  const [phoneSession] = await control.sessions('maytapi', KEYS.maytapi);
  await control.scan(phoneSession!.id, '905309876543');
  await control.advance(5 * SECOND);

  // A Wamessage user and device: register, login, a pairing code the phone types, logincontrol.
  const wamessage = `${origin}/wamessage`;
  await postJson(`${wamessage}/user/register`, { phone: WAMESSAGE_USER, password: WAMESSAGE_PASSWORD });
  const wamessageToken = (await postJson(`${wamessage}/user/login`, { phone: WAMESSAGE_USER, password: WAMESSAGE_PASSWORD })).json.token as string;
  const bearer = { authorization: `Bearer ${wamessageToken}` };
  const { code, registrationId } = (await postJson(`${wamessage}/whatsapp/login/code`, { phone: WAMESSAGE_DEVICE }, bearer)).json.data;
  await control.pair(code, WAMESSAGE_DEVICE);
  await control.advance(5 * SECOND);
  const linked = await call(`${wamessage}/whatsapp/ws/logincontrol?registrationId=${registrationId}&phone=${WAMESSAGE_DEVICE}`, { headers: bearer });
  expect(linked.json.data.connected).toBe(true);

  // 1,000 messages: 200 a provider.
  const ids: string[] = [];
  const bulk = await postJson(`${origin}/wamessenger/sendMessage/${KEYS.wamessenger}`, { phonenumber: RECIPIENTS, text: 'durable' });
  ids.push(...(bulk.json as Array<{ tracking_Code: number }>).map((entry) => String(entry.tracking_Code)));
  ids.push(
    ...(await inTurn(RECIPIENTS, async (phone) => {
      const sent = await call(`${origin}/wamm/api2/msg_to/${KEYS.wamm}/?${new URLSearchParams({ phone, text: 'durable' }).toString()}`);
      return String(sent.json.msg_id);
    })),
  );
  for (let start = 0; start < PER_PROVIDER; start += 100) {
    const messages = RECIPIENTS.slice(start, start + 100).map((to, index) => ({
      from: 'DurableCo',
      to,
      templateId: TEMPLATE.name,
      templateParams: { 1: String(start + index) },
      languageCode: TEMPLATE.language,
      callbackUrl: receiver.url,
    }));
    const sent = await postJson(`${origin}/devino/whatsapp/messages`, { messages }, { authorization: `Key ${KEYS.devino}` });
    expect((sent.json.result as Array<{ code: string }>).every((entry) => entry.code === 'OK')).toBe(true);
    ids.push(...(sent.json.result as Array<{ messageId: string }>).map((entry) => entry.messageId));
  }
  const multi = await postJson(
    `${wamessage}/whatsapp/sendmessage/multi`,
    { reg_id: registrationId, contacts: RECIPIENTS.join(','), message: 'durable' },
    bearer,
  );
  ids.push(...(multi.json.data.messages as Array<{ id: string }>).map((message) => message.id));
  ids.push(
    ...(await inTurn(RECIPIENTS, async (to_number) => {
      const sent = await postJson(`${maytapi}/${maytapiPhone}/sendMessage`, { to_number, type: 'text', message: 'durable' }, maytapiHeaders);
      return sent.json.data.msgId as string;
    })),
  );
  expect(ids).toHaveLength(5 * PER_PROVIDER);
  expect(new Set(ids).size).toBe(ids.length);

  await control.advance(15 * SECOND);
  return { ids, wamessageToken, maytapiPhone };
}

/** The receiver back up, a clock day for every queue, delivery, read and webhook retry to run its course. */
async function finish(sandbox: SandboxProcess, receiver: WebhookReceiver): Promise<void> {
  receiver.respondWith(200);
  await sandbox.control.advance(DAY);
}

/** Webhook bodies the receiver accepted, the sandbox's origin (Maytapi's reply urls name it) written out. */
function acceptedBodies(run: Run): Map<string, number> {
  const counts = new Map<string, number>();
  for (const request of run.receiver.accepted) {
    const body = request.body.replaceAll(run.sandbox.origin, '<sandbox>');
    counts.set(body, (counts.get(body) ?? 0) + 1);
  }
  return counts;
}

const historyOf = (message: SandboxMessage) => ({ status: message.status, failureCode: message.failureCode, history: message.history });

describe('kill -9 and restart on the same SQLite file (real processes)', () => {
  const dirs: string[] = [];
  const runs: Run[] = [];
  let killed: Run;
  let twin: Run;

  const newDataDir = () => {
    const dir = mkdtempSync(join(tmpdir(), 'wa-durability-'));
    dirs.push(dir);
    return dir;
  };

  beforeAll(() => {
    // The processes run dist/: built here when a source is newer (up to about 30 s on a busy machine).
    execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
  }, 180_000);

  afterAll(async () => {
    for (const run of runs) {
      await run.sandbox.stop();
      await run.receiver.close();
    }
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  // Both runs in one test: the comparison needs both, and a busy 2-core machine needs minutes for
  // four process starts and 2,000 messages (alone: about 40 s).
  it('carries every accepted message and webhook on as a run never killed does; nothing lost, no id reused, the clock never back', async () => {
    // The twin: never killed.
    const twinPort = await freePort();
    twin = {
      sandbox: await SandboxProcess.start({ port: twinPort, dataDir: newDataDir(), startIso: START_ISO, seed: SEED }),
      receiver: await WebhookReceiver.start(),
      accepted: undefined!,
    };
    runs.push(twin);
    twin.accepted = await setTheWorldInMotion(twin.sandbox, twin.receiver);
    await finish(twin.sandbox, twin.receiver);

    // The killed run, first killed right after an advance returned.
    const port = await freePort();
    const dataDir = newDataDir();
    const start = () => SandboxProcess.start({ port, dataDir, startIso: START_ISO, seed: SEED });
    killed = { sandbox: await start(), receiver: await WebhookReceiver.start(), accepted: undefined! };
    runs.push(killed);
    killed.accepted = await setTheWorldInMotion(killed.sandbox, killed.receiver);
    const beforeKill = await killed.sandbox.control.clock();
    const pending = await Promise.all(killed.accepted.ids.map((id) => killed.sandbox.control.message(id)));
    const inMotion = pending.filter((message) => message.status !== 'read').length;
    // Some read already, some not: the kill cuts through the middle of the lifecycle.
    expect(inMotion).toBeGreaterThan(0);
    expect(inMotion).toBeLessThan(pending.length);
    expect(killed.receiver.requests.length).toBeGreaterThan(0);
    expect(killed.receiver.accepted).toHaveLength(0);
    await killed.sandbox.kill9();

    killed.sandbox = await start();
    const afterRestart = await killed.sandbox.control.clock();
    expect(afterRestart.nowMs).toBe(beforeKill.nowMs);

    // Killed again while sends are in flight (to an account of its own, so the twin stays comparable):
    // those answered must carry on, the others were never accepted.
    const inflight = Array.from({ length: 60 }, (_, index) => recipient(1_000 + index));
    let answered = 0;
    let died: Promise<void> | undefined;
    const sends = inflight.map(async (phone) => {
      try {
        const response = await fetch(`${killed.sandbox.origin}/wamessenger/sendMessage/${KEYS.inflight}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `phonenumber=${phone}&text=in-flight`,
        });
        const id = await response.text();
        if (response.status !== 200) return undefined;
        if (++answered === 10) died = killed.sandbox.kill9();
        return id;
      } catch {
        return undefined;
      }
    });
    const acceptedInFlight = (await Promise.all(sends)).filter((id): id is string => id !== undefined);
    await died;
    expect(acceptedInFlight.length).toBeGreaterThanOrEqual(10);
    killed.sandbox = await start();
    expect((await killed.sandbox.control.clock()).nowMs).toBe(beforeKill.nowMs);

    // The Wamessage token issued before the kills still works (it lasts a clock day: checked before the day passes).
    const devices = await call(`${killed.sandbox.origin}/wamessage/whatsapp/devices?page=-1`, {
      headers: { authorization: `Bearer ${killed.accepted.wamessageToken}` },
    });
    const [device] = devices.json.data as Array<{ registration_id: number; connected: boolean }>;
    expect(device).toMatchObject({ phone: WAMESSAGE_DEVICE, connected: true });
    const registrationId = device!.registration_id;

    await finish(killed.sandbox, killed.receiver);
    const { control, origin } = killed.sandbox;
    expect((await control.clock()).nowMs).toBe(beforeKill.nowMs + DAY);

    // Every message accepted before the first kill: the same lifecycle, at the same virtual times, as the twin's.
    const ours = await Promise.all(killed.accepted.ids.map((id) => control.message(id)));
    const theirs = await Promise.all(twin.accepted.ids.map((id) => twin.sandbox.control.message(id)));
    expect(killed.accepted.ids).toEqual(twin.accepted.ids);
    expect(ours.map(historyOf)).toEqual(theirs.map(historyOf));
    const finalStates = new Map<string, number>();
    for (const message of ours) finalStates.set(message.status, (finalStates.get(message.status) ?? 0) + 1);
    expect([...finalStates.keys()]).toEqual(['read']);
    // Those accepted while the process died: read by now too.
    for (const id of acceptedInFlight) expect((await control.message(id)).status).toBe('read');

    // Every webhook event the twin delivered, delivered; at least once, so duplicates are counted, not refused.
    const delivered = acceptedBodies(killed);
    const expected = acceptedBodies(twin);
    let lost = 0;
    let duplicates = 0;
    for (const [body, count] of expected) lost += Math.max(0, count - (delivered.get(body) ?? 0));
    for (const [body, count] of delivered) duplicates += Math.max(0, count - (expected.get(body) ?? 0));
    const unexpected = [...delivered.keys()].filter((body) => !expected.has(body));
    console.log(
      `kill -9 twice: ${ours.length} messages read as in the twin, ${acceptedInFlight.length} of ${inflight.length} in-flight sends accepted and read; ` +
        `webhooks: ${killed.receiver.accepted.length} delivered for the twin's ${twin.receiver.accepted.length}, ${lost} lost, ${duplicates} duplicates, ` +
        `${killed.receiver.requests.length - killed.receiver.accepted.length} refused while the receiver was down`,
    );
    expect({ lost, unexpected }).toEqual({ lost: 0, unexpected: [] });
    expect(twin.receiver.accepted.length).toBeGreaterThan(2 * PER_PROVIDER);

    // New sends after the restarts: fresh ids, never one handed out before.
    const before = new Set([...killed.accepted.ids, ...acceptedInFlight]);
    const after: string[] = [
      await (
        await fetch(`${origin}/wamessenger/sendMessage/${KEYS.wamessenger}`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: `phonenumber=${recipient(2_000)}&text=after`,
        })
      ).text(),
      String((await call(`${origin}/wamm/api2/msg_to/${KEYS.wamm}/?phone=${recipient(2_001)}&text=after`)).json.msg_id),
      (
        await postJson(
          `${origin}/devino/whatsapp/messages`,
          { messages: [{ from: 'DurableCo', to: recipient(2_002), templateId: TEMPLATE.name, templateParams: { 1: '1' }, languageCode: 'en' }] },
          { authorization: `Key ${KEYS.devino}` },
        )
      ).json.result[0].messageId,
      (
        await postJson(
          `${origin}/maytapi/api/${KEYS.maytapi}/${killed.accepted.maytapiPhone}/sendMessage`,
          { to_number: recipient(2_003), message: 'after' },
          { 'x-maytapi-key': MAYTAPI_TOKEN },
        )
      ).json.data.msgId,
    ];
    // The token issued before the kills expired with the clock day; a new login's sends get new ids too.
    const token = (await postJson(`${origin}/wamessage/user/login`, { phone: WAMESSAGE_USER, password: WAMESSAGE_PASSWORD })).json.token as string;
    after.push(
      (
        await postJson(
          `${origin}/wamessage/whatsapp/sendmessage/multi`,
          { reg_id: registrationId, contacts: recipient(2_004), message: 'after' },
          { authorization: `Bearer ${token}` },
        )
      ).json.data.messages[0].id,
    );
    expect(after.filter((id) => before.has(id))).toEqual([]);
    expect(new Set(after).size).toBe(after.length);

    // The Maytapi product keeps its owner: another key cannot claim it.
    const claimed = await fetch(`${origin}/maytapi/api/${KEYS.maytapi}/listPhones`, { headers: { 'x-maytapi-key': 'another-token' } });
    expect(claimed.status).toBe(401);
    // The changed limits and template are still in place.
    expect(await control.request('GET', `/accounts/wamm/${KEYS.wamm}`)).toMatchObject({ limits: { dailyMessages: 1_000 } });
    expect(await control.request('GET', `/accounts/devino/${KEYS.devino}`)).toMatchObject({ limits: { perSecond: null } });
    expect(await control.request('GET', `/templates/${TEMPLATE.name}/${TEMPLATE.language}`)).toMatchObject({ text: TEMPLATE.text });
  }, 600_000);
});
