import type { ApiRequest, ApiResponse } from '../http.js';
import type { ProbeContext, Scenario, ScenarioContext, Suite } from './suite.js';

/**
 * The Android relay's device API (contracts/relay.openapi.yaml): not a provider, but what a relay phone calls
 * on a wa-sandbox. Its base url is the sandbox's origin. The scenarios link a WAMM account to a phone (WAMM's
 * GET API is the shortest way to queue a message) and play the phone through the API, or let a simulated
 * one play it on the clock.
 */
const API = 'relay';
const PHONE = '79001234567';
const OTHER_PHONE = '79007654321';
/** A magic number whose sends fail: WAMM checks numbers for WhatsApp before it accepts a message, so `…000000` never reaches the phone. */
const SEND_FAILS = '79001000003';
const SECOND = 1_000;
/** The lease, the poll interval and the UI timeout the contract states. */
const LEASE = 30 * SECOND;
const POLL = 5 * SECOND;
const UI_TIMEOUT = 9_600;
const JSON_200 = { status: 200, mediaType: 'application/json' };

interface Device {
  id: string;
  token: string;
  queue: Array<{ id: string; offers: number }>;
}
type Next = { send: false } | { send: true; id: string; phone: string; text: string; link: string };

const createDevice = (body: { name?: string; simulated?: boolean }): ApiRequest => ({ method: 'POST', path: '/__sandbox/relay/devices', body: { json: body } });
const getDevice = (id: string): ApiRequest => ({ method: 'GET', path: `/__sandbox/relay/devices/${encodeURIComponent(id)}` });
const setPolling = (id: string, polling: boolean): ApiRequest => ({
  method: 'PUT',
  path: `/__sandbox/relay/devices/${encodeURIComponent(id)}/polling`,
  body: { json: { polling } },
});
const next = (token: string): ApiRequest => ({ method: 'GET', path: '/__relay/next', query: { token } });
const result = (token: string, id: string, status: 1 | 2 | '1' | '2'): ApiRequest => ({
  method: 'POST',
  path: '/__relay/result',
  query: { token },
  body: { json: { id, status } },
});
const notification = (token: string, title: string, text: string): ApiRequest => ({
  method: 'POST',
  path: '/__relay/notification',
  query: { token },
  body: { json: { title, text, package: 'com.whatsapp' } },
});

async function probes(ctx: ProbeContext): Promise<void> {
  const created = await ctx.call('a real phone', createDevice({ name: 'wa-conformance probe' }), { status: 201, mediaType: 'application/json' });
  const device = created?.json as Device | undefined;
  await ctx.call('a name too long → 400', createDevice({ name: 'x'.repeat(101) }), { status: 400 });
  await ctx.call('no such device → 404', getDevice('relay-no-such-device'), { status: 404 });
  await ctx.call('unknown token → 401', next('wa-conformance-no-such-token'), { status: 401 });
  await ctx.call('unknown token → 401', notification('wa-conformance-no-such-token', 'Anna', 'hi'), { status: 401 });
  if (!device?.token) {
    ctx.skip('relayNext GET /__relay/next (a phone polls)', 'no device was created');
    return;
  }
  await ctx.call('the phone', getDevice(device.id), JSON_200);
  await ctx.call('a real phone is not switched → 409', setPolling(device.id, false), { status: 409 });
  await ctx.call('nothing to send', next(device.token), JSON_200);
  await ctx.call('no id → 400', { method: 'POST', path: '/__relay/result', query: { token: device.token }, body: { json: { status: 1 } } }, { status: 400 });
  await ctx.call('status 3 → 400', result(device.token, 'm1', 3 as never), { status: 400 });
  await ctx.call('a message never handed out → 404', result(device.token, 'wa-conformance-no-such-message', 1), { status: 404 });
  await ctx.call('unknown token → 401', result('wa-conformance-no-such-token', 'm1', 1), { status: 401 });
  await ctx.call(
    'no title → 400',
    { method: 'POST', path: '/__relay/notification', query: { token: device.token }, body: { json: { text: 'hi' } } },
    { status: 400 },
  );
  await ctx.call(
    'a summary, token in a form body',
    {
      method: 'POST',
      path: '/__relay/notification',
      body: {
        form: [
          ['token', device.token],
          ['title', 'WhatsApp'],
          ['text', '3 new messages'],
        ],
      },
    },
    JSON_200,
  );
  const simulated = (await ctx.call('a simulated phone', createDevice({ simulated: true }), { status: 201 }))?.json as Device | undefined;
  if (simulated?.id) await ctx.call('it stops polling', setPolling(simulated.id, false), JSON_200);
}

/** A new phone relaying a new WAMM account; a manual phone unless `simulated`. */
async function linkedPhone(ctx: ScenarioContext, label: string, simulated: boolean): Promise<{ key: string; device: Device }> {
  const device = (await ctx.api(createDevice({ name: `wa-conformance ${label}`, simulated }), { status: 201 })).json as Device;
  const key = ctx.freshKey(label);
  await ctx.control.request('POST', `/accounts/wamm/${encodeURIComponent(key)}/link`, { via: 'relay', device: device.id });
  return { key, device };
}

/** Queues a text on the WAMM account (its own API, outside this contract); the message's id. */
async function queue(ctx: ScenarioContext, key: string, phone: string, text: string): Promise<string> {
  const origin = new URL(ctx.control.url).origin;
  const url = `${origin}/wamm/api2/msg_to/${encodeURIComponent(key)}/?${new URLSearchParams({ phone, text })}`;
  const answer = (await (await fetch(url)).json()) as { err: unknown; msg_id?: number };
  if (answer.err !== 0 || answer.msg_id === undefined) ctx.fail(`WAMM refused the message: ${JSON.stringify(answer)}`);
  return String(answer.msg_id);
}

async function poll(ctx: ScenarioContext, token: string): Promise<Next> {
  return (await ctx.api(next(token), JSON_200)).json as Next;
}

async function statusOf(ctx: ScenarioContext, id: string): Promise<{ status: string; failureCode: string | null; history: Array<{ status: string }> }> {
  return ctx.control.message(id);
}

const leases: Scenario = {
  name: 'a fetched message is leased for 30 s, offered again when no result came, and counted once',
  async run(ctx: ScenarioContext) {
    const { key, device } = await linkedPhone(ctx, 'relay-lease', false);
    const id = await queue(ctx, key, PHONE, 'wa-conformance relay lease');
    await ctx.advance(60 * SECOND);
    const first = await poll(ctx, device.token);
    ctx.equal(
      first,
      {
        send: true,
        id,
        phone: PHONE,
        text: 'wa-conformance relay lease',
        link: `https://api.whatsapp.com/send?phone=${PHONE}&text=wa-conformance%20relay%20lease`,
      },
      'the first poll',
    );
    ctx.equal(await poll(ctx, device.token), { send: false }, 'a poll while the message is leased');
    await ctx.advance(LEASE);
    const again = await poll(ctx, device.token);
    ctx.check(again.send && again.id === id, `after the lease the message is offered again; got ${JSON.stringify(again)}`);
    ctx.equal((await ctx.api(result(device.token, id, '1'), JSON_200)).json, { ok: true }, 'the result');
    await ctx.api(result(device.token, id, 1), { status: 404 });
    const message = await statusOf(ctx, id);
    ctx.equal(message.status, 'sent', 'the message status');
    ctx.equal(message.history.filter((change) => change.status === 'sent').length, 1, 'times the message was sent');
  },
};

const simulatedPace: Scenario = {
  name: 'a simulated phone sends at its pace: about 5 s a message, 9.6 s to give up on a chat that never opens; never delivered or read',
  async run(ctx: ScenarioContext) {
    const { key, device } = await linkedPhone(ctx, 'relay-pace', true);
    const sent = await queue(ctx, key, PHONE, 'wa-conformance relay one');
    const failed = await queue(ctx, key, SEND_FAILS, 'wa-conformance relay two');
    const tookSent = await ctx.stepUntil(
      'the first message sent',
      { stepMs: SECOND, maxMs: 40 * SECOND },
      async () => (await statusOf(ctx, sent)).status === 'sent',
    );
    const tookFailed = await ctx.stepUntil(
      'the second message failed',
      { stepMs: SECOND, maxMs: 40 * SECOND },
      async () => (await statusOf(ctx, failed)).status === 'failed',
    );
    // WAMM's queue hands the first message on 5–12 s after acceptance; the phone polls every 5 s and sends in 4–6 s.
    ctx.check(tookSent >= 4 * SECOND && tookSent <= 12 * SECOND + POLL + 6 * SECOND, `the first message took ${tookSent} ms of clock time`);
    ctx.check(tookFailed >= UI_TIMEOUT, `the second message failed after ${tookFailed} ms more, before the phone's 9.6 s UI timeout`);
    ctx.equal((await statusOf(ctx, failed)).failureCode, 'no_whatsapp', 'the failure the phone reports as 2');
    await ctx.advance(120 * SECOND);
    ctx.equal((await statusOf(ctx, sent)).status, 'sent', 'the sent message two minutes later (a phone sees no ticks)');
    ctx.equal(((await ctx.api(getDevice(device.id), JSON_200)).json as Device).queue, [], 'the phone’s queue');
  },
};

const stopsPolling: Scenario = {
  name: 'a phone that stops polling leaves its messages queued; they go out, each once, when it is back',
  async run(ctx: ScenarioContext) {
    const { key, device } = await linkedPhone(ctx, 'relay-off', true);
    await ctx.api(setPolling(device.id, false), JSON_200);
    const ids = [await queue(ctx, key, PHONE, 'wa-conformance relay off one'), await queue(ctx, key, OTHER_PHONE, 'wa-conformance relay off two')];
    await ctx.advance(10 * 60 * SECOND);
    for (const id of ids) ctx.equal((await statusOf(ctx, id)).status, 'queued', `message ${id} after ten minutes without a poll`);
    ctx.equal(
      ((await ctx.api(getDevice(device.id), JSON_200)).json as Device).queue.map((queued) => queued.id),
      ids,
      'the phone’s queue',
    );
    await ctx.api(setPolling(device.id, true), JSON_200);
    await ctx.stepUntil('both messages sent', { stepMs: POLL, maxMs: 60 * SECOND }, async () => {
      for (const id of ids) if ((await statusOf(ctx, id)).status !== 'sent') return false;
      return true;
    });
  },
};

const notifications: Scenario = {
  name: 'a forwarded notification becomes an inbound message of the phone’s line; a summary does not',
  async run(ctx: ScenarioContext) {
    const { key, device } = await linkedPhone(ctx, 'relay-inbound', false);
    const receiver = await ctx.receiver();
    await ctx.control.setWebhook('wamm', key, receiver.url);
    const res: ApiResponse = await ctx.api(notification(device.token, `+${PHONE}`, 'wa-conformance relay inbound'), JSON_200);
    ctx.equal(res.json, { ok: true, accepted: true }, 'the answer to a message notification');
    const summary = (await ctx.api(notification(device.token, 'WhatsApp', '2 new messages'), JSON_200)).json as { accepted: boolean };
    ctx.equal(summary.accepted, false, 'a summary accepted');
    await ctx.advance(10 * SECOND);
    const hooks = receiver.requests.map((received) => JSON.stringify(received.body));
    ctx.check(
      hooks.some((hook) => hook.includes('wa-conformance relay inbound')),
      `WAMM's webhook carries the inbound message; it got ${hooks.length} calls: ${hooks.join(' ').slice(0, 300)}`,
    );
  },
};

export const suite: Suite = {
  provider: API,
  contract: 'relay.openapi.yaml',
  defaultPhone: PHONE,
  probes,
  scenarios: [leases, simulatedPace, stopsPolling, notifications],
  fuzzCredentials: async (baseUrl) => {
    const response = await fetch(`${baseUrl}/__sandbox/relay/devices`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    const { id } = (await response.json()) as { id?: string };
    const pathValues: Record<string, string> = id ? { id } : {};
    return { headers: {}, pathValues };
  },
};
