import type { ApiRequest } from '../http.js';
import type { ReceivedRequest, WebhookReceiver } from '../receiver.js';
import type { ControlClient } from '../control.js';
import { TINY_PNG_DATA_URL } from './fixtures.js';
import type { Expect, ProbeContext, Scenario, ScenarioContext, Suite } from './suite.js';
import { postJson } from './fuzz-credentials.js';

const PROVIDER = 'maytapi';
// The spec's own sample numbers; on a wa-sandbox they behave normally (magic numbers end in 00000x).
const PHONE = '905301234567';
const NEVER_DELIVERED = '905300000001';
const NO_WHATSAPP = '905300000000';
const GROUP = '905301234567-1574073754@g.us';
/** A second group member for the group probes. */
const OTHER_MEMBER = '905301234568';
/** A phone id no product has: destructive operations are exercised on it against a real server. */
const NO_SUCH_PHONE = '0';
// Loading takes 2–5 s of clock time on a wa-sandbox; delivery and reading take at most 1 + 4 + 30 s.
const LOADING = { stepMs: 500, maxMs: 30_000 };
const DELIVERY = { stepMs: 500, maxMs: 60_000 };

interface Product {
  pid: string;
  webhook: string | null;
  ack_delivery: boolean;
  phone_limit: number;
}
interface PhoneObj {
  id: number | string;
  number: string | null;
  status: string;
}
interface Status {
  loggedIn: boolean;
  isQr: boolean;
  loading: boolean;
  connRetry: boolean;
  message: string;
  number?: string;
}
interface Sent {
  success: true;
  data: { chatId: string; msgId: string };
}
interface AckBody {
  type: 'ack';
  product_id: string;
  data: Array<{ ackType: string; ackCode: number; chatId: string; msgId: string; time: number }>;
}
interface StatusBody {
  type: 'status';
  pid: string;
  phone_id: number;
  status: string;
}
interface MessageBody {
  type: 'message';
  phone_id: number;
  message: { type: string; text?: string; fromMe: boolean; id: string; mentions?: string[]; filename?: string };
  conversation: string;
  user: { phone: string };
  quoted?: { id: string };
}
interface GroupData {
  id: string;
  name: string;
  participants: string[];
  admins: string[];
}

const json = { mediaType: 'application/json' };
const ok: Expect = { status: 200, ...json };
const png: Expect = { status: 200, mediaType: 'image/png' };
const refused: Expect = { status: 400, ...json };

function request(key: string, method: 'GET' | 'POST', path: string, body?: unknown): ApiRequest {
  return { method, path, headers: { 'x-maytapi-key': key }, ...(body === undefined ? {} : { body: { json: body } }) };
}

async function probes(ctx: ProbeContext): Promise<void> {
  const get = (path: string) => request(ctx.key, 'GET', path);
  const post = (path: string, body?: unknown) => request(ctx.key, 'POST', path, body);
  const to = ctx.phone;

  const product = (await ctx.call('the product', get('/product'), ok))?.json as Product | undefined;
  await ctx.call('no x-maytapi-key → refused', { method: 'GET', path: '/product' }, { status: 401, ...json });
  await ctx.call('a token starting with invalid → refused', { ...get('/listPhones'), headers: { 'x-maytapi-key': 'invalid-token' } }, { status: 401, ...json });

  const receiver = await ctx.receiver();
  await ctx.call('ftp url → refused', post('/setWebhook', { webhook: 'ftp://example.com/hook' }), refused);
  await ctx.call('local receiver', post('/setWebhook', { webhook: receiver.url }), ok);
  await ctx.call('seed body {preference}', post('/setAckPreference', { preference: false }), ok);
  await ctx.call('spec body {ack_delivery}', post('/setAckPreference', { ack_delivery: true }), ok);
  await ctx.call('no value → refused', post('/setAckPreference', {}), refused);
  await ctx.call('all', get('/logs'), ok);

  // Adding answers 200, or 400 once the product has phone_limit phones: both are in the contract.
  await ctx.call('no number', post('/addPhone', {}));
  const phones = ((await ctx.call('all', get('/listPhones'), ok))?.json ?? []) as PhoneObj[];
  await ctx.call('all', get('/queues'), ok);
  await ctx.call('unknown phone → refused', get(`/${NO_SUCH_PHONE}/status`), refused);
  const chosen = phones.find((p) => p.status === 'active') ?? phones[0];
  if (!chosen) {
    for (const op of [
      'status',
      'qrCode',
      'screen',
      'sendMessage',
      'queue',
      'purgeQueue',
      'config',
      'restart',
      'redeploy',
      'logout',
      'backup',
      'restore',
      'contacts',
      'catalog',
      'groups',
      'factoryreset',
      'delete',
    ]) {
      ctx.skip(`${op} (a phone)`, 'the product has no phone and addPhone added none');
    }
    return;
  }
  const P = String(chosen.id);
  // Against a real server the probes never log out, restart or purge a working phone: those operations
  // are exercised on a phone id that does not exist (a declared 400).
  const own = ctx.sandbox && ctx.control && product ? { control: ctx.control, pid: product.pid } : null;
  const target = own ? P : NO_SUCH_PHONE;

  await ctx.call('the phone', get(`/${P}/status`), ok);
  await ctx.call('the phone', get(`/${P}/config`), ok);
  await ctx.call('own webhook cleared, acks off', post(`/${P}/config`, { webhook: null, ack_delivery: false }), ok);
  await ctx.call('ftp webhook → refused', post(`/${P}/config`, { webhook: 'ftp://example.com/hook' }), refused);
  await ctx.call('whatever state', get(`/${P}/screen`), png);

  if (own) {
    // The sandbox plays the phone: back to the QR screen, fetch the code, scan it, wait for the chats.
    if (chosen.status !== 'qr-code' && chosen.status !== 'idle') await ctx.call('back to the QR screen (seed: POST)', post(`/${P}/logout`), ok);
    await ctx.call('on the QR screen', get(`/${P}/status`), ok);
    await ctx.call('on the QR screen', get(`/${P}/qrCode`), png);
    await ctx.call('QR screen', get(`/${P}/screen`), png);
    await ctx.call('on the QR screen → refused', post(`/${P}/sendMessage`, { to_number: to, type: 'text', message: 'wa-conformance: too early' }), refused);
    await ctx.call('on the QR screen → refused', get(`/${P}/backup`), refused);
    await logIn(own.control, own.pid, P);
  } else {
    await ctx.call('QR code or a declared refusal', get(`/${P}/qrCode`));
  }

  const active = (await ctx.call('after the QR screen', get(`/${P}/status`), ok))?.json as { status?: Status } | undefined;
  const sendable: Expect = active?.status?.loggedIn ? ok : refused;
  const send = (label: string, body: Record<string, unknown>) => ctx.call(label, post(`/${P}/sendMessage`, { to_number: to, ...body }), sendable);
  const text = (await send('text', { type: 'text', message: 'wa-conformance probe: text' }))?.json as Sent | undefined;
  const msgId = text?.data?.msgId;
  await send('no type (= text)', { message: 'wa-conformance probe: no type' });
  await send('text to a group', { to_number: GROUP, type: 'text', message: 'wa-conformance probe: group' });
  const media = ctx.mediaUrl ?? (ctx.sandbox ? TINY_PNG_DATA_URL : undefined);
  if (media) await send('media', { type: 'media', message: media, text: 'wa-conformance probe: caption' });
  else ctx.skip('sendMessage (media by url)', 'no --media-url given and the target is not a wa-sandbox');
  await send('media, bare base64 image', { type: 'media', message: TINY_PNG_DATA_URL.slice(TINY_PNG_DATA_URL.indexOf(',') + 1) });
  await send('location', { type: 'location', text: 'Fatih Sultan Mehmet Köprüsü', latitude: '41.093292', longitude: '29.061737' });
  await send('contact', { type: 'contact', message: `${PHONE}@c.us` });
  await send('vcard', {
    type: 'vcard',
    message: { displayName: 'John Doe', vcard: 'BEGIN:VCARD\nVERSION:3.0\nFN:John Doe\nTEL;TYPE=CELL:+905301234567\nEND:VCARD' },
  });
  await send('link', { type: 'link', message: 'https://maytapi.com/', text: 'wa-conformance probe: link' });
  await send('poll (a type beyond the spec enum)', { type: 'poll', message: 'wa-conformance probe?', options: ['yes', 'no'] });
  if (msgId) {
    await send('reply', { type: 'text', message: 'wa-conformance probe: reply', reply_to: msgId });
    await send('reaction', { type: 'reaction', message: '👍', reply_to: msgId });
    await send('edit', { type: 'edit', message: 'wa-conformance probe: edited', reply_to: msgId });
    await send('forward', { type: 'forward', message: msgId, forward_caption: true });
    await send('delete', { type: 'delete', message: msgId });
  } else {
    ctx.skip('sendMessage (reply, reaction, edit, forward, delete)', 'no message id: the text send failed');
  }
  await ctx.call('to_number missing → refused', post(`/${P}/sendMessage`, { type: 'text', message: 'wa-conformance probe' }), refused);
  await ctx.call('unknown type → refused', post(`/${P}/sendMessage`, { to_number: to, type: 'hologram', message: 'x' }), refused);
  await ctx.call(
    'malformed JSON → refused',
    {
      method: 'POST',
      path: `/${P}/sendMessage`,
      headers: { 'x-maytapi-key': ctx.key },
      body: { raw: `{"to_number": "${to}", "message": `, contentType: 'application/json' },
    },
    refused,
  );

  await groupProbes(ctx, P, sendable, own ? null : NO_SUCH_PHONE);

  await ctx.call('the phone', get(`/${P}/queue`), ok);
  await ctx.call(own ? 'the phone' : 'no such phone', get(`/${target}/purgeQueue`), own ? ok : refused);

  if (own) {
    const backup = (await ctx.call('spec: GET', get(`/${P}/backup`), ok))?.json as { data?: Record<string, string> } | undefined;
    await ctx.call('seed: POST', post(`/${P}/backup`), ok);
    await ctx.call('restart (spec: GET)', get(`/${P}/restart`), ok);
    await loaded(own.control, own.pid, P);
    await ctx.call('restart (seed: POST)', post(`/${P}/restart`), ok);
    await loaded(own.control, own.pid, P);
    await ctx.call('the phone', get(`/${P}/redeploy`), ok);
    await loaded(own.control, own.pid, P);
    await ctx.call('logout (spec: GET)', get(`/${P}/logout`), ok);
    if (backup?.data) {
      await ctx.call('a backup taken before the logout → refused', post(`/${P}/restore`, backup.data), refused);
      const fresh = await freshBackup(ctx, own, P);
      if (fresh) await ctx.call('a valid backup', post(`/${P}/restore`, fresh), ok);
      await loaded(own.control, own.pid, P);
    }
    await ctx.call('no backup data → refused', post(`/${P}/restore`, {}), refused);
  } else {
    for (const [label, req] of [
      ['backup (spec: GET)', get(`/${NO_SUCH_PHONE}/backup`)],
      ['backup (seed: POST)', post(`/${NO_SUCH_PHONE}/backup`)],
      ['restart (spec: GET)', get(`/${NO_SUCH_PHONE}/restart`)],
      ['restart (seed: POST)', post(`/${NO_SUCH_PHONE}/restart`)],
      ['redeploy', get(`/${NO_SUCH_PHONE}/redeploy`)],
      ['logout (spec: GET)', get(`/${NO_SUCH_PHONE}/logout`)],
      ['logout (seed: POST)', post(`/${NO_SUCH_PHONE}/logout`)],
      ['restore', post(`/${NO_SUCH_PHONE}/restore`, { WABrowserId: 'x' })],
    ] as const) {
      await ctx.call(`${label}: no such phone → refused`, req, refused);
    }
  }
  await ctx.call('after the sends', get('/logs'), ok);
  await ctx.call('→ Not Found', get(`/${P}/noSuchOperation`), { status: 404, ...json });
  // Last, as they reset the phone: against a real server only on a phone id that does not exist.
  await ctx.call(own ? 'the phone' : 'no such phone → refused', get(`/${target}/factoryreset`), own ? ok : refused);
  await ctx.call(own ? 'the phone (deprecated: resets it)' : 'no such phone → refused', get(`/${target}/delete`), own ? ok : refused);
  if (own) await logIn(own.control, own.pid, P);
}

/**
 * Contacts, catalog and every group operation, on the phone (refused alike when it is not logged in). The
 * group is one the probes create and leave; against a real server the phone's own picture is left alone
 * (`elsewhere`, a phone id that does not exist, is asked instead).
 */
async function groupProbes(ctx: ProbeContext, P: string, sendable: Expect, elsewhere: string | null): Promise<void> {
  const get = (path: string) => request(ctx.key, 'GET', path);
  const post = (path: string, body?: unknown) => request(ctx.key, 'POST', path, body);
  const to = ctx.phone;
  await ctx.call("the phone's chats", get(`/${P}/contacts`), sendable);
  await ctx.call('a number', get(`/${P}/contact/${to}@c.us`), sendable);
  await ctx.call('a group the phone is not in → refused', get(`/${P}/contact/${encodeURIComponent(GROUP)}`), refused);
  await ctx.call('the business catalog', get(`/${P}/catalog`), sendable);
  const created = (await ctx.call('with the probe number', post(`/${P}/createGroup`, { name: 'wa-conformance probe group', numbers: [to] }), sendable))?.json as
    | { data?: { id?: string } }
    | undefined;
  await ctx.call('no numbers → refused', post(`/${P}/createGroup`, { name: 'wa-conformance', numbers: [] }), refused);
  const gid = created?.data?.id ?? GROUP;
  const member = { conversation_id: gid, number: `${OTHER_MEMBER}@c.us` };
  await ctx.call('all', get(`/${P}/getGroups`), sendable);
  await ctx.call('sorted, with invite links, page 1', get(`/${P}/getGroups?sort=true&invite=true&page=1`), sendable);
  await ctx.call('page 0 → refused', get(`/${P}/getGroups?page=0`), refused);
  const own: Expect = created?.data?.id ? ok : refused;
  await ctx.call('the new group, with its invite link', get(`/${P}/getGroups/${encodeURIComponent(gid)}?invite=true`), own);
  await ctx.call('a group the phone is not in → refused', get(`/${P}/getGroups/${encodeURIComponent(GROUP)}`), refused);
  await ctx.call('only admins send', post(`/${P}/group/config`, { conversation_id: gid, config: { send: 'admins' } }), own);
  await ctx.call('bad value → refused', post(`/${P}/group/config`, { conversation_id: gid, config: { send: 'everyone' } }), refused);
  await ctx.call('a member', post(`/${P}/group/add`, member), own);
  await ctx.call('the same member again → refused', post(`/${P}/group/add`, member), refused);
  await ctx.call('the member', post(`/${P}/group/promote`, member), own);
  await ctx.call('the member', post(`/${P}/group/demote`, member), own);
  await ctx.call('the member', post(`/${P}/group/remove`, member), own);
  await ctx.call('a group the phone is not in → refused', post(`/${P}/group/remove`, { ...member, conversation_id: GROUP }), refused);
  await ctx.call("the group's picture", post(`/${P}/setProfileImage`, { conversation_id: gid, image: 'https://example.com/picture.png' }), own);
  if (elsewhere === null) await ctx.call("the phone's own picture", post(`/${P}/setProfileImage`, { image: 'https://example.com/picture.png' }), sendable);
  else
    await ctx.call(
      "the phone's own picture: no such phone → refused",
      post(`/${elsewhere}/setProfileImage`, { image: 'https://example.com/picture.png' }),
      refused,
    );
  await ctx.call('no image → refused', post(`/${P}/setProfileImage`, {}), refused);
  await ctx.call('the new group', post(`/${P}/leaveGroup`, { id: gid }), own);
  await ctx.call('again → refused', post(`/${P}/leaveGroup`, { id: gid }), refused);
}

/** A second backup, taken after the phone logged in again, for the restore probe. */
async function freshBackup(ctx: ProbeContext, own: { control: ControlClient; pid: string }, P: string): Promise<Record<string, string> | undefined> {
  await logIn(own.control, own.pid, P);
  const res = await ctx.call('after a new login', request(ctx.key, 'GET', `/${P}/backup`), ok);
  const data = (res?.json as { data?: Record<string, string> } | undefined)?.data;
  // Logged out again, so the restore below is what logs the phone back in.
  await own.control.request('POST', `/sessions/${encodeURIComponent(await sessionIdOf(own.control, own.pid, P))}/disconnect`);
  return data;
}

async function sessionIdOf(control: ControlClient, pid: string, phoneId: string): Promise<string> {
  const session = (await control.sessions(PROVIDER, pid)).find((s) => s.label === phoneId);
  if (!session) throw new Error(`the sandbox has no session for phone ${phoneId} of product ${pid}`);
  return session.id;
}

/** Scans the phone's QR code if it shows one, then lets it load. */
async function logIn(control: ControlClient, pid: string, phoneId: string): Promise<void> {
  const id = await sessionIdOf(control, pid, phoneId);
  // A new or factory-reset phone loads before it shows its QR code.
  await loaded(control, pid, phoneId);
  const session = await control.session(id);
  if (session.state === 'qr') await control.scan(id);
  if (session.state === 'disconnected') await control.request('POST', `/sessions/${encodeURIComponent(id)}/reconnect`);
  await loaded(control, pid, phoneId);
}

async function loaded(control: ControlClient, pid: string, phoneId: string): Promise<void> {
  const id = await sessionIdOf(control, pid, phoneId);
  for (let waited = 0; (await control.session(id)).state === 'loading'; waited += LOADING.stepMs) {
    if (waited > LOADING.maxMs) throw new Error(`phone ${phoneId} still loading after ${LOADING.maxMs / 1000} s of clock time`);
    await control.advance(LOADING.stepMs);
  }
}

// ——— scenarios: they drive a wa-sandbox through its control API ———

interface Stage {
  pid: string;
  phoneId: string;
  sessionId: string;
  receiver: WebhookReceiver;
}

const get = (ctx: ScenarioContext, path: string, expect: Expect = ok) => ctx.api(request(ctx.key, 'GET', path), expect);
const post = (ctx: ScenarioContext, path: string, body?: unknown, expect: Expect = ok) => ctx.api(request(ctx.key, 'POST', path, body), expect);

/** The run's product with its webhook on a new receiver, and a phone of it (added if there is none), logged in. */
async function stage(ctx: ScenarioContext, options: { loggedIn: boolean } = { loggedIn: true }): Promise<Stage> {
  const pid = ((await get(ctx, '/product')).json as Product).pid;
  const receiver = await ctx.receiver();
  await post(ctx, '/setWebhook', { webhook: receiver.url });
  let phones = (await get(ctx, '/listPhones')).json as PhoneObj[];
  if (phones.length === 0) {
    await post(ctx, '/addPhone', {});
    phones = (await get(ctx, '/listPhones')).json as PhoneObj[];
  }
  const phoneId = String(phones[0]!.id);
  const sessionId = await sessionIdOf(ctx.control, pid, phoneId);
  if (options.loggedIn) await logIn(ctx.control, pid, phoneId);
  return { pid, phoneId, sessionId, receiver };
}

async function status(ctx: ScenarioContext, phoneId: string): Promise<Status> {
  return ((await get(ctx, `/${phoneId}/status`)).json as { status: Status }).status;
}

function flags(s: Status): string {
  return (['loggedIn', 'isQr', 'loading', 'connRetry'] as const).filter((flag) => s[flag]).join('+') || 'none';
}

function bodies<T>(receiver: WebhookReceiver, type: string): Array<{ request: ReceivedRequest; body: T }> {
  return receiver.accepted.filter((r) => (r.json as { type?: string } | undefined)?.type === type).map((request) => ({ request, body: request.json as T }));
}

function conforming(ctx: ScenarioContext, webhook: string, requests: ReceivedRequest[]): void {
  const errors = requests.flatMap((r) => ctx.webhookErrors(webhook, r));
  if (errors.length > 0) ctx.fail(...errors);
}

const session: Scenario = {
  name: 'session: QR screen → scan → loading → logged in, status flags, listPhones and status webhooks agree; logout → QR',
  async run(ctx: ScenarioContext) {
    const { pid, phoneId, sessionId, receiver } = await stage(ctx, { loggedIn: false });
    if ((await status(ctx, phoneId)).isQr === false) await post(ctx, `/${phoneId}/logout`);
    const listed = async () => ((await get(ctx, '/listPhones')).json as PhoneObj[]).find((p) => String(p.id) === phoneId)?.status;
    ctx.equal(flags(await status(ctx, phoneId)), 'isQr', `status of phone ${phoneId} before the scan`);
    ctx.equal(await listed(), 'qr-code', 'listPhones status before the scan');
    await get(ctx, `/${phoneId}/qrCode`, png);
    const earlier = bodies<StatusBody>(receiver, 'status').length;
    const scanned = await ctx.control.scan(sessionId);
    const loading = await status(ctx, phoneId);
    ctx.equal(flags(loading), 'loading', 'status right after the scan');
    ctx.equal(await listed(), 'loading', 'listPhones status right after the scan');
    await ctx.stepUntil(`phone ${phoneId} logged in`, LOADING, async () => (await status(ctx, phoneId)).loggedIn);
    const active = await status(ctx, phoneId);
    ctx.equal({ flags: flags(active), number: active.number }, { flags: 'loggedIn', number: scanned.phone }, 'status once loaded');
    ctx.equal(await listed(), 'active', 'listPhones status once loaded');
    await get(ctx, `/${phoneId}/qrCode`, refused);
    await post(ctx, `/${phoneId}/logout`);
    ctx.equal(flags(await status(ctx, phoneId)), 'isQr', 'status after logout');
    const events = bodies<StatusBody>(receiver, 'status').slice(earlier);
    conforming(
      ctx,
      'status',
      events.map((e) => e.request),
    );
    ctx.equal(
      events.map((e) => [e.body.phone_id, e.body.status]),
      [
        [Number(phoneId), 'loading'],
        [Number(phoneId), 'active'],
        [Number(phoneId), 'qr-code'],
      ],
      'status webhooks ([phone_id, status])',
    );
    ctx.check(
      events.every((e) => e.body.pid === pid),
      'status webhooks carry the product id as pid',
    );
  },
};

const acks: Scenario = {
  name: 'acks: delivered → reached → seen in arrays, one call per 2 s at most, only while ack delivery is on',
  async run(ctx: ScenarioContext) {
    const { pid, phoneId, receiver } = await stage(ctx);
    await post(ctx, `/${phoneId}/config`, { webhook: null, ack_delivery: false });
    const sendText = async (message: string) =>
      ((await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, type: 'text', message })).json as Sent).data.msgId;
    await post(ctx, '/setAckPreference', { ack_delivery: false });
    const quiet = await sendText('wa-conformance: acks off');
    await ctx.advance(60_000);
    const acksOf = (id: string) =>
      bodies<AckBody>(receiver, 'ack')
        .flatMap((e) => e.body.data)
        .filter((a) => a.msgId === id);
    ctx.equal(acksOf(quiet).length, 0, `acks for message ${quiet} sent while ack delivery was off`);

    await post(ctx, '/setAckPreference', { ack_delivery: true });
    const ids = [await sendText('wa-conformance: acks on 1'), await sendText('wa-conformance: acks on 2')];
    await ctx.stepUntil('both messages seen', DELIVERY, async () => ids.every((id) => acksOf(id).some((a) => a.ackType === 'seen')));
    const calls = bodies<AckBody>(receiver, 'ack');
    conforming(
      ctx,
      'ack',
      calls.map((c) => c.request),
    );
    for (const id of ids)
      ctx.equal(
        acksOf(id).map((a) => [a.ackType, a.ackCode]),
        [
          ['delivered', 1],
          ['reached', 2],
          ['seen', 3],
        ],
        `acks of message ${id}`,
      );
    ctx.check(
      calls.every((c) => c.body.product_id === pid),
      'ack calls carry the product id',
    );
    // Only this receiver's deliveries: retries of older events to receivers long gone run on their own schedule.
    const times = (await ctx.control.journal(PROVIDER, pid))
      .filter((a) => a.url === receiver.url && a.ok && (a.body as { type?: string }).type === 'ack')
      .map((a) => Date.parse(a.at));
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    ctx.check(
      gaps.every((gap) => gap >= 2_000),
      `ack calls must be at least 2 s of clock time apart, gaps were ${gaps.join(', ')} ms`,
    );
  },
};

const incoming: Scenario = {
  name: "incoming: a customer's message and the phone's own sends reach the webhook as Maytapi messages",
  async run(ctx: ScenarioContext) {
    const { pid, phoneId, sessionId, receiver } = await stage(ctx);
    const text = 'wa-conformance: hello from a customer';
    const got = await ctx.control.inbound(PROVIDER, pid, { from: PHONE, text, session: sessionId });
    ctx.equal(got.received, true, 'inbound to a logged-in phone: "received"');
    const sent = ((await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, type: 'text', message: 'wa-conformance: echo' })).json as Sent).data;
    await ctx.advance(5_000);
    const messages = bodies<MessageBody>(receiver, 'message');
    conforming(
      ctx,
      'incomingMessage',
      messages.map((m) => m.request),
    );
    const customer = messages.find((m) => !m.body.message.fromMe);
    ctx.check(customer !== undefined, 'no incoming message webhook arrived');
    ctx.equal(
      { type: customer.body.message.type, text: customer.body.message.text, conversation: customer.body.conversation, phone_id: customer.body.phone_id },
      { type: 'text', text, conversation: `${PHONE}@c.us`, phone_id: Number(phoneId) },
      'the incoming message webhook',
    );
    ctx.check(
      messages.some((m) => m.body.message.fromMe && m.body.message.id.endsWith(`_${sent.msgId}`)),
      `no fromMe message webhook for the sent message ${sent.msgId}`,
    );
  },
};

const backupRestore: Scenario = {
  name: 'backup/restore: a backup logs a phone in without a scan; a logout revokes it',
  async run(ctx: ScenarioContext) {
    const { phoneId, sessionId } = await stage(ctx);
    const data = ((await get(ctx, `/${phoneId}/backup`)).json as { data: Record<string, string> }).data;
    await ctx.control.request('POST', `/sessions/${encodeURIComponent(sessionId)}/disconnect`);
    ctx.equal(flags(await status(ctx, phoneId)), 'connRetry', 'status with the phone disconnected');
    await post(ctx, `/${phoneId}/restore`, data);
    await ctx.stepUntil(`phone ${phoneId} logged in from the backup`, LOADING, async () => (await status(ctx, phoneId)).loggedIn);
    await post(ctx, `/${phoneId}/logout`);
    const refusal = (await post(ctx, `/${phoneId}/restore`, data, refused)).json as { message: string };
    ctx.check(/not valid/i.test(refusal.message), `restore after logout answered "${refusal.message}"`);
    ctx.equal(flags(await status(ctx, phoneId)), 'isQr', 'status after the refused restore');
  },
};

const queue: Scenario = {
  name: 'queue: sends wait in the phone queue; purgeQueue drops them unsent and unacked',
  async run(ctx: ScenarioContext) {
    const { phoneId, receiver } = await stage(ctx);
    await post(ctx, '/setAckPreference', { ack_delivery: true });
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(((await post(ctx, `/${phoneId}/sendMessage`, { to_number: NEVER_DELIVERED, message: `wa-conformance: queued ${i}` })).json as Sent).data.msgId);
    const sending = ((await get(ctx, `/${phoneId}/queue`)).json as { stats: { sending: number } }).stats.sending;
    ctx.equal(sending, 3, 'queue "sending" right after three sends');
    await get(ctx, `/${phoneId}/purgeQueue`);
    ctx.equal(((await get(ctx, `/${phoneId}/queue`)).json as { stats: { sending: number } }).stats.sending, 0, 'queue "sending" after purgeQueue');
    await ctx.advance(30_000);
    const acked = bodies<AckBody>(receiver, 'ack')
      .flatMap((c) => c.body.data)
      .filter((a) => ids.includes(a.msgId));
    ctx.equal(acked.length, 0, 'acks for purged messages');
    const logs = (await get(ctx, '/logs')).json as { data: { list: Array<{ type: string; data: { msgId?: string } }> } };
    ctx.check(
      ids.every((id) => logs.data.list.some((l) => l.type === 'error' && l.data.msgId === id)),
      'logs do not list the purged messages as errors',
    );
  },
};

const refusals: Scenario = {
  name: "refusals: unknown phone, foreign token and a send on the QR screen get Maytapi's error shape",
  async run(ctx: ScenarioContext) {
    const { phoneId } = await stage(ctx, { loggedIn: false });
    const unknown = (await get(ctx, '/987654321/status', refused)).json as { message: string };
    ctx.equal(unknown.message, '[987654321] is not a valid phone instance id', 'unknown phone message');
    await ctx.api({ ...request(`${ctx.key}-other`, 'GET', '/product') }, { status: 401, ...json });
    await ctx.api({ ...request(`${ctx.key}-other`, 'POST', `/${phoneId}/sendMessage`, { to_number: PHONE, message: 'x' }) }, { status: 401, ...json });
    if (!(await status(ctx, phoneId)).isQr) await post(ctx, `/${phoneId}/logout`);
    const early = (await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, type: 'text', message: 'wa-conformance: on the QR screen' }, refused))
      .json as { message: string };
    ctx.check(/not logged in/.test(early.message), `a send on the QR screen answered "${early.message}"`);
  },
};

const groups: Scenario = {
  name: 'groups: create, members and admins, settings, per-member delivery, mentions and quotes, leaving',
  async run(ctx: ScenarioContext) {
    const { pid, phoneId, sessionId, receiver } = await stage(ctx);
    await post(ctx, `/${phoneId}/config`, { webhook: null, ack_delivery: false });
    await post(ctx, '/setAckPreference', { ack_delivery: true });
    const created = (
      (await post(ctx, `/${phoneId}/createGroup`, { name: 'wa-conformance group', numbers: [PHONE, `${NEVER_DELIVERED}@c.us`, NO_WHATSAPP] })).json as {
        data: GroupData;
      }
    ).data;
    const self = (await status(ctx, phoneId)).number!;
    ctx.equal(
      { participants: created.participants, admins: created.admins },
      { participants: [`${self}@c.us`, `${PHONE}@c.us`, `${NEVER_DELIVERED}@c.us`], admins: [`${self}@c.us`] },
      'createGroup: the phone is the admin, numbers without WhatsApp are left out',
    );
    const gid = created.id;
    const listed = (await get(ctx, `/${phoneId}/getGroups`)).json as { total: number; data: GroupData[] };
    ctx.check(
      listed.data.some((g) => g.id === gid),
      `getGroups does not list the new group ${gid}`,
    );
    const contacts = ((await get(ctx, `/${phoneId}/contacts`)).json as { data: Array<{ id: string; type: string }> }).data;
    ctx.check(
      contacts.some((c) => c.id === gid && c.type === 'group'),
      'contacts do not list the new group as a group',
    );

    // One member never receives: the group message gets one tick, never two.
    const waiting = ((await post(ctx, `/${phoneId}/sendMessage`, { to_number: gid, message: `wa-conformance: hello @${PHONE}` })).json as Sent).data.msgId;
    await ctx.advance(60_000);
    const acksOf = (id: string) =>
      bodies<AckBody>(receiver, 'ack')
        .flatMap((e) => e.body.data)
        .filter((a) => a.msgId === id)
        .map((a) => a.ackType);
    ctx.equal(acksOf(waiting), ['delivered'], 'acks of a group message one member never receives');
    const mine = bodies<MessageBody>(receiver, 'message').find((m) => m.body.message.id.endsWith(`_${waiting}`));
    ctx.equal(mine?.body.message.mentions, [`${PHONE}@c.us`], 'mentions of the group message (fromMe webhook)');
    await post(ctx, `/${phoneId}/group/remove`, { conversation_id: gid, number: `${NEVER_DELIVERED}@c.us` });
    const delivered = ((await post(ctx, `/${phoneId}/sendMessage`, { to_number: gid, message: 'wa-conformance: everyone gets this' })).json as Sent).data.msgId;
    await ctx.stepUntil('the group message seen by every member', DELIVERY, async () => acksOf(delivered).includes('seen'));

    // A member writes in the group, mentioning the phone and quoting its message.
    const got = await ctx.control.inbound(PROVIDER, pid, { from: PHONE, group: gid, text: `@${self} noted`, session: sessionId, replyTo: delivered });
    ctx.equal(got.received, true, 'a member writes in the group');
    await ctx.advance(1_000);
    const incoming = bodies<MessageBody>(receiver, 'message').find((m) => !m.body.message.fromMe && m.body.conversation === gid);
    ctx.check(incoming !== undefined, "no webhook for the member's group message");
    conforming(ctx, 'incomingMessage', [incoming.request]);
    ctx.equal(
      { user: incoming.body.user.phone, mentions: incoming.body.message.mentions, quoted: incoming.body.quoted?.id },
      { user: PHONE, mentions: [`${self}@c.us`], quoted: `true_${gid}_${delivered}` },
      "the member's group message",
    );

    await post(ctx, `/${phoneId}/group/promote`, { conversation_id: gid, number: PHONE });
    await post(ctx, `/${phoneId}/group/demote`, { conversation_id: gid, number: `${self}@c.us` });
    const notAdmin = (await post(ctx, `/${phoneId}/group/config`, { conversation_id: gid, config: { send: 'admins' } }, refused)).json as { message: string };
    ctx.check(/admin/i.test(notAdmin.message), `group/config by a phone that is no longer admin answered "${notAdmin.message}"`);
    ctx.equal(((await post(ctx, `/${phoneId}/leaveGroup`, { id: gid })).json as { data: boolean }).data, true, 'leaveGroup data');
    await post(ctx, `/${phoneId}/sendMessage`, { to_number: gid, message: 'wa-conformance: after leaving' }, refused);
    await get(ctx, `/${phoneId}/getGroups/${encodeURIComponent(gid)}`, refused);
  },
};

const catalog: Scenario = {
  name: "catalog: the control API sets a phone's products; catalog lists them and product messages name them",
  async run(ctx: ScenarioContext) {
    const { phoneId, sessionId } = await stage(ctx);
    const product = {
      productId: '4242424242424242',
      title: 'wa-conformance mug',
      description: 'Blue',
      price: 12.5,
      currency: 'EUR',
      image: 'https://example.com/mug.png',
      url: 'https://example.com/mug',
      retailerId: 'MUG-1',
    };
    await ctx.control.request('PUT', `/sessions/${encodeURIComponent(sessionId)}/catalog`, { products: [product] });
    try {
      const listed = ((await get(ctx, `/${phoneId}/catalog`)).json as { data: Array<Record<string, unknown>> }).data;
      ctx.equal(
        listed.map((p) => [p.productId, p.title, p.price, p.price1000, p.currency, p.type]),
        [[product.productId, product.title, 12.5, 12_500, 'EUR', 'product']],
        'catalog',
      );
      await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, type: 'product', productId: product.productId });
      await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, type: 'product', productId: '1' }, refused);
    } finally {
      await ctx.control.request('DELETE', `/sessions/${encodeURIComponent(sessionId)}/catalog`);
    }
  },
};

const receipts: Scenario = {
  name: 'acks 4 and 5: a voice message is played after it is seen; a deleted message gets a deleted ack',
  async run(ctx: ScenarioContext) {
    const { phoneId, receiver } = await stage(ctx);
    await post(ctx, `/${phoneId}/config`, { webhook: null, ack_delivery: false });
    await post(ctx, '/setAckPreference', { ack_delivery: true });
    const voice = (
      (await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, type: 'ptt', message: `${ctx.control.url}/media/sample-opus.ogg` })).json as Sent
    ).data.msgId;
    const text = ((await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, message: 'wa-conformance: to be deleted' })).json as Sent).data.msgId;
    await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, type: 'delete', message: text });
    const acksOf = (id: string) =>
      bodies<AckBody>(receiver, 'ack')
        .flatMap((e) => e.body.data)
        .filter((a) => a.msgId === id);
    await ctx.stepUntil('the voice message played', DELIVERY, async () => acksOf(voice).some((a) => a.ackType === 'played'));
    conforming(
      ctx,
      'ack',
      bodies<AckBody>(receiver, 'ack').map((c) => c.request),
    );
    ctx.equal(
      acksOf(voice).map((a) => [a.ackType, a.ackCode]),
      [
        ['delivered', 1],
        ['reached', 2],
        ['seen', 3],
        ['played', 4],
      ],
      `acks of voice message ${voice}`,
    );
    ctx.check(
      acksOf(text).some((a) => a.ackType === 'deleted' && a.ackCode === 5),
      `no deleted (5) ack for message ${text}`,
    );
  },
};

const dupeFilter: Scenario = {
  name: 'spam filter: the 4th copy among the last 3 unique messages of a chat is refused; skip_filter and other chats pass',
  async run(ctx: ScenarioContext) {
    const { phoneId } = await stage(ctx);
    const message = `wa-conformance: repeated ${Date.now()}`;
    for (let i = 1; i <= 3; i++) await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, message });
    const refusal = (await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, message }, refused)).json as { message: string };
    ctx.check(/duplicate/i.test(refusal.message), `the 4th copy answered "${refusal.message}"`);
    await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, message, skip_filter: true });
    await post(ctx, `/${phoneId}/sendMessage`, { to_number: OTHER_MEMBER, message });
  },
};

const statusChanges: Scenario = {
  name: 'status webhooks: a reset phone loads, shows its QR code, turns idle after 3 min; a logout on the QR screen sends nothing',
  async run(ctx: ScenarioContext) {
    const { pid, phoneId, sessionId, receiver } = await stage(ctx);
    await post(ctx, `/${phoneId}/config`, { webhook: null, ack_delivery: false });
    await get(ctx, `/${phoneId}/factoryreset`);
    ctx.equal(flags(await status(ctx, phoneId)), 'loading', 'status right after factoryreset (loading before the QR screen)');
    await ctx.stepUntil(`phone ${phoneId} on its QR screen`, LOADING, async () => (await status(ctx, phoneId)).isQr);
    const qrSince = Date.parse((await ctx.control.session(sessionId)).stateSince);
    await ctx.advance(qrSince + 3 * 60_000 - (await ctx.control.clock()).nowMs);
    await get(ctx, `/${phoneId}/logout`);
    const events = bodies<StatusBody>(receiver, 'status').filter((e) => String(e.body.phone_id) === phoneId);
    conforming(
      ctx,
      'status',
      events.map((e) => e.request),
    );
    ctx.equal(
      events.map((e) => e.body.status),
      ['loading', 'qr-code', 'idle'],
      'status webhooks after factoryreset',
    );
    await logIn(ctx.control, pid, phoneId);
  },
};

const filename: Scenario = {
  name: "media: a custom filename reaches the webhook instead of the link's",
  async run(ctx: ScenarioContext) {
    const { phoneId, receiver } = await stage(ctx);
    const sent = (
      (await post(ctx, `/${phoneId}/sendMessage`, { to_number: PHONE, type: 'media', message: `${ctx.control.url}/media/sample.txt`, filename: 'demo.txt' }))
        .json as Sent
    ).data.msgId;
    await ctx.stepUntil('the fromMe webhook of the file', DELIVERY, async () =>
      bodies<MessageBody>(receiver, 'message').some((m) => m.body.message.id.endsWith(`_${sent}`)),
    );
    const hook = bodies<MessageBody>(receiver, 'message').find((m) => m.body.message.id.endsWith(`_${sent}`))!;
    ctx.equal(hook.body.message.filename, 'demo.txt', 'filename in the webhook');
  },
};

export const suite: Suite = {
  provider: PROVIDER,
  contract: 'maytapi.openapi.yaml',
  defaultPhone: PHONE,
  probes,
  scenarios: [session, acks, incoming, backupRestore, queue, refusals, groups, catalog, receipts, dupeFilter, statusChanges, filename],
  async fuzzCredentials(baseUrl, key) {
    // A phone of the product, so the phone routes meet a real one.
    const headers = { 'x-maytapi-key': key };
    const added = await postJson(`${baseUrl}/addPhone`, {}, headers);
    const id = (added as { id?: unknown } | undefined)?.id;
    return { headers, pathValues: { phone_id: id === undefined ? '1' : String(id) } };
  },
};
