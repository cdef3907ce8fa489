import { createHash } from 'node:crypto';
import type { ApiRequest, ApiResponse, RequestBody } from '../http.js';
import { TINY_PNG_DATA_URL } from './fixtures.js';
import type { Expect, ProbeContext, Scenario, ScenarioContext, Suite } from './suite.js';
import { hashDigits, postJson } from './fuzz-credentials.js';

const PROVIDER = 'wamessage';
// Turkish mobile numbers with normal behaviour on a wa-sandbox (magic numbers end in 00000x).
const PHONE = '905321234567';
const PHONE_2 = '905321234568';
const DAY = 24 * 3_600_000;
/** Turkey time (UTC+3): what send_time is written in. */
const TURKEY_OFFSET_MS = 3 * 3_600_000;
/** A linked device loads for 2-5 s of clock time on a wa-sandbox. */
const LOADING = { stepMs: 500, maxMs: 10_000 };

interface Envelope<T> {
  status: boolean;
  code: number;
  description: string;
  data: T;
}
interface LoginData {
  token: string;
  expires_in: number;
  user_id: number;
}
interface CodeData {
  code: string;
  registrationId: number;
  phone: string;
}
interface LinkData {
  registrationId: number;
  phone: string | null;
  connected: boolean;
  status: string;
}
interface Device {
  registration_id: number;
  phone: string;
  status: string;
  connected: boolean;
}
interface SendData {
  contacts: string;
  message: string;
  send_time: string | null;
  messages: Array<{ id: string; contact: string }>;
}

const ok: Expect = { status: 200, mediaType: 'application/json' };
const refused = (status: number): Expect => ({ status, mediaType: 'application/json' });
const PNG = Buffer.from(TINY_PNG_DATA_URL.slice(TINY_PNG_DATA_URL.indexOf(',') + 1), 'base64');

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });
const post = (path: string, body: RequestBody, token?: string): ApiRequest => ({
  method: 'POST',
  path,
  body,
  ...(token === undefined ? {} : { headers: bearer(token) }),
});
const get = (path: string, query: Record<string, string>, token?: string): ApiRequest => ({
  method: 'GET',
  path,
  query,
  ...(token === undefined ? {} : { headers: bearer(token) }),
});

/** `YYYY-MM-DD HH:MM:SS` in Turkey time. */
function turkeyTime(ms: number): string {
  const iso = new Date(ms + TURKEY_OFFSET_MS).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)}`;
}

/** A Turkish mobile number made from a label, so each run's users are new and stay apart. */
function phoneFor(label: string): string {
  const digits = String(createHash('sha256').update(label).digest().readBigUInt64BE() % 100_000_000n).padStart(8, '0');
  return `9055${digits}`;
}

/**
 * The probes' user: `--key <phone>:<password>` logs in as an existing user (a real server); any other key
 * (a random one by default) names a new user to register, on a wa-sandbox or a server that allows it.
 */
function credentialsFrom(key: string): { phone: string; password: string; given: boolean } {
  const match = /^\+?(\d{7,15}):(.+)$/.exec(key);
  if (match) return { phone: match[1]!, password: match[2]!, given: true };
  return { phone: phoneFor(key), password: `wa-conformance-${createHash('sha256').update(key).digest('hex').slice(0, 12)}`, given: false };
}

async function probes(ctx: ProbeContext): Promise<void> {
  const user = credentialsFrom(ctx.key);
  const P = ctx.phone;
  const P2 = P === PHONE ? PHONE_2 : P;
  const json = <T>(res: ApiResponse | undefined) => res?.json as Envelope<T> | undefined;

  // Users: register (undocumented), login in JSON and form encodings, refusals.
  await ctx.call(
    user.given ? 'the given user exists → refused' : 'a new user, JSON',
    post('/user/register', { json: { phone: user.phone, password: user.password } }),
    user.given ? refused(409) : { status: 201, mediaType: 'application/json' },
  );
  await ctx.call(
    'the same phone again, form-urlencoded → refused',
    post('/user/register', {
      form: [
        ['phone', `+${user.phone}`],
        ['password', user.password],
      ],
    }),
    refused(409),
  );
  await ctx.call('password too short → refused', post('/user/register', { json: { phone: user.phone, password: '123' } }), refused(400));
  await ctx.call('wrong password → refused', post('/user/login', { json: { phone: user.phone, password: `${user.password}-wrong` } }), refused(401));
  await ctx.call(
    'form-urlencoded',
    post('/user/login', {
      form: [
        ['phone', user.phone],
        ['password', user.password],
      ],
    }),
    ok,
  );
  const login = json<LoginData>(await ctx.call('JSON', post('/user/login', { json: { phone: user.phone, password: user.password } }), ok));
  const token = login?.data?.token ?? '';

  await ctx.call('no token → refused', get('/whatsapp/devices', { page: '-1' }), refused(401));
  await ctx.call('a forged token → refused', get('/whatsapp/devices', { page: '-1' }, forge(token)), refused(401));

  // Linking the user's own number as a device by pairing code.
  const code = json<CodeData>(await ctx.call("the user's number", post('/whatsapp/login/code', { json: { phone: user.phone } }, token), ctx.sandbox ? ok : {}));
  const pending = code?.status ? code.data : undefined;
  await ctx.call('phone missing → refused', post('/whatsapp/login/code', { json: {} }, token), refused(400));
  if (pending)
    await ctx.call(
      'before the code is typed',
      get('/whatsapp/ws/logincontrol', { registrationId: String(pending.registrationId), phone: user.phone }, token),
      ok,
    );
  else ctx.skip('loginControl GET /whatsapp/ws/logincontrol (before the code is typed)', 'login/code gave no registration id (is the number already linked?)');
  await ctx.call('unknown registrationId → refused', get('/whatsapp/ws/logincontrol', { registrationId: '999999999999' }, token), refused(404));

  let linked: number | undefined;
  if (ctx.control && pending) {
    await ctx.control.pair(pending.code, user.phone);
    await ctx.control.advance(LOADING.maxMs);
    const check = json<LinkData>(
      await ctx.call(
        'after the phone typed the code',
        get('/whatsapp/ws/logincontrol', { registrationId: String(pending.registrationId), phone: user.phone }, token),
        ok,
      ),
    );
    if (check?.data?.connected) linked = pending.registrationId;
  } else {
    ctx.skip(
      'loginControl GET /whatsapp/ws/logincontrol (after the phone typed the code)',
      'only a wa-sandbox can type the code (its control API plays the phone)',
    );
  }
  const devices = json<Device[]>(await ctx.call('page=-1', get('/whatsapp/devices', { page: '-1' }, token), ok));
  await ctx.call('page=1', get('/whatsapp/devices', { page: '1' }, token), ok);
  await ctx.call('page=0 → refused', get('/whatsapp/devices', { page: '0' }, token), refused(400));
  const regId = linked ?? (Array.isArray(devices?.data) ? devices.data.find((device) => device.connected)?.registration_id : undefined);

  // Sends: every encoding, an upload, a scheduled send, refusals.
  const send = '/whatsapp/sendmessage/multi';
  if (regId !== undefined) {
    const reg = String(regId);
    const text = (what: string) => `wa-conformance probe: ${what}`;
    await ctx.call(
      'multipart, two contacts and a file',
      post(
        send,
        {
          multipart: [
            ['reg_id', reg],
            ['contacts', `${P},+${P2}`],
            ['message', text('multipart with a file')],
            ['file', { filename: 'probe.png', contentType: 'image/png', data: PNG }],
          ],
        },
        token,
      ),
      ok,
    );
    await ctx.call(
      'form-urlencoded, one +contact and send_speed',
      post(
        send,
        {
          form: [
            ['reg_id', reg],
            ['contacts', `+${P}`],
            ['message', text('form')],
            ['send_speed', '1'],
          ],
        },
        token,
      ),
      ok,
    );
    const now = ctx.control ? (await ctx.control.clock()).nowMs : Date.now();
    await ctx.call(
      'JSON, send_time tomorrow',
      post(send, { json: { reg_id: regId, contacts: P, message: text('scheduled'), send_time: turkeyTime(now + DAY) } }, token),
      ok,
    );
    await ctx.call(
      'send_time in the past → refused',
      post(send, { json: { reg_id: regId, contacts: P, message: text('past'), send_time: '2020-01-01 00:00:00' } }, token),
      refused(400),
    );
    await ctx.call(
      'send_time malformed → refused',
      post(send, { json: { reg_id: regId, contacts: P, message: text('malformed time'), send_time: 'tomorrow' } }, token),
      refused(400),
    );
    await ctx.call(
      'a contact that is not a number → refused',
      post(send, { json: { reg_id: regId, contacts: 'abc', message: text('bad contact') } }, token),
      refused(400),
    );
  } else {
    ctx.skip(`sendMessageMulti POST ${send} (sends)`, 'the user has no connected device to send from');
  }
  await ctx.call('no token → refused', post(send, { json: { reg_id: 1, contacts: P, message: 'x' } }), refused(401));
  await ctx.call('unknown reg_id → refused', post(send, { json: { reg_id: 999999999999, contacts: P, message: 'x' } }, token), refused(404));

  await ctx.call('unknown reg_id → refused', post('/whatsapp/logout', { json: { reg_id: 999999999999 } }, token), refused(404));
  // Only what the probes linked is logged out: a user's own devices on a real server are left alone.
  const own = linked ?? pending?.registrationId;
  if (own !== undefined) await ctx.call("the probes' device", post('/whatsapp/logout', { json: { reg_id: own, phone: user.phone } }, token), ok);
  else ctx.skip("logout POST /whatsapp/logout (the probes' device)", 'the probes linked no device');

  await ctx.call('→ Not Found', get('/whatsapp/noSuchRoute', {}, token), refused(404));
}

/** The token with its signature replaced: what a client that made up its own token would send. */
function forge(token: string): string {
  const [header, payload] = token.split('.');
  const fallbackPayload = Buffer.from(JSON.stringify({ user_id: 1, phone: PHONE, exp: 4_102_444_800 })).toString('base64url');
  return `${header || Buffer.from('{"alg":"HS256","typ":"JWT"}').toString('base64url')}.${payload || fallbackPayload}.${Buffer.from('not the signature').toString('base64url')}`;
}

interface User {
  phone: string;
  password: string;
  token: string;
  expiresIn: number;
}

async function newUser(ctx: ScenarioContext, label: string): Promise<User> {
  const phone = phoneFor(ctx.freshKey(label));
  const password = 'wa-conformance-secret';
  await ctx.api(post('/user/register', { json: { phone, password } }), { status: 201 });
  return logIn(ctx, { phone, password });
}

/** A fresh token: its lifetime counts from now on the sandbox clock. */
async function logIn(ctx: ScenarioContext, user: { phone: string; password: string }): Promise<User> {
  const login = (await ctx.api(post('/user/login', { json: { phone: user.phone, password: user.password } }), ok)).json as Envelope<LoginData>;
  return { ...user, token: login.data.token, expiresIn: login.data.expires_in };
}

async function loginControl(ctx: ScenarioContext, user: User, registrationId: number): Promise<LinkData> {
  return (
    (await ctx.api(get('/whatsapp/ws/logincontrol', { registrationId: String(registrationId), phone: user.phone }, user.token), ok)).json as Envelope<LinkData>
  ).data;
}

async function devicesOf(ctx: ScenarioContext, user: User): Promise<Device[]> {
  return ((await ctx.api(get('/whatsapp/devices', { page: '-1' }, user.token), ok)).json as Envelope<Device[]>).data;
}

/** login/code, the control API types the code, logincontrol until connected (which registers the device). */
async function linkDevice(ctx: ScenarioContext, user: User): Promise<number> {
  const code = ((await ctx.api(post('/whatsapp/login/code', { json: { phone: user.phone } }, user.token), ok)).json as Envelope<CodeData>).data;
  await ctx.control.pair(code.code, user.phone);
  await ctx.stepUntil(`device ${code.registrationId} connected`, LOADING, async () => (await loginControl(ctx, user, code.registrationId)).connected);
  return code.registrationId;
}

const linking: Scenario = {
  name: 'link by code: logincontrol says not linked until the phone types the code, then registers the device',
  async run(ctx: ScenarioContext) {
    const user = await newUser(ctx, 'link');
    const code = ((await ctx.api(post('/whatsapp/login/code', { json: { phone: `+${user.phone}` } }, user.token), ok)).json as Envelope<CodeData>).data;
    ctx.check(/^[1-9A-HJ-NP-TV-Z]{8}$/.test(code.code), `login/code "code" ${code.code} is not an 8-character WhatsApp pairing code`);
    const again = ((await ctx.api(post('/whatsapp/login/code', { json: { phone: user.phone } }, user.token), ok)).json as Envelope<CodeData>).data;
    ctx.equal(again.registrationId, code.registrationId, 'login/code asked twice for the same phone: "registrationId"');
    ctx.equal(
      await loginControl(ctx, user, code.registrationId),
      { registrationId: code.registrationId, phone: user.phone, connected: false, status: 'waiting_for_code' },
      'logincontrol before the code is typed',
    );
    ctx.equal(await devicesOf(ctx, user), [], 'devices before the device is linked');

    await ctx.control.pair(again.code, user.phone);
    ctx.equal((await loginControl(ctx, user, code.registrationId)).status, 'loading', 'logincontrol right after the code is typed: "status"');
    await ctx.stepUntil('logincontrol connected', LOADING, async () => (await loginControl(ctx, user, code.registrationId)).connected);
    const listed = await devicesOf(ctx, user);
    ctx.equal(
      listed.map((device) => [device.registration_id, device.phone, device.connected]),
      [[code.registrationId, user.phone, true]],
      'devices once logincontrol saw the device connected ([registration_id, phone, connected])',
    );
    await ctx.api(post('/whatsapp/login/code', { json: { phone: user.phone } }, user.token), refused(409));

    await ctx.api(post('/whatsapp/logout', { json: { reg_id: code.registrationId, phone: user.phone } }, user.token), ok);
    ctx.equal(await devicesOf(ctx, user), [], 'devices after logout');
  },
};

const scheduled: Scenario = {
  name: 'send_time: a send scheduled for tomorrow (Turkey time) goes out only when the clock gets there; data.contacts echoes contacts as sent',
  async run(ctx: ScenarioContext) {
    const user = await newUser(ctx, 'schedule');
    const regId = await linkDevice(ctx, user);
    const now = (await ctx.control.clock()).nowMs;
    const sendAt = Math.ceil((now + DAY) / 1000) * 1000;
    const res = (
      await ctx.api(
        post(
          '/whatsapp/sendmessage/multi',
          {
            form: [
              ['reg_id', String(regId)],
              ['contacts', `${PHONE},+${PHONE_2}`],
              ['message', 'wa-conformance: tomorrow'],
              ['send_time', turkeyTime(sendAt)],
            ],
          },
          user.token,
        ),
        ok,
      )
    ).json as Envelope<SendData>;
    // data.contacts echoes the field as sent (+ kept: integrations look the number up by it); the messages go to the digits.
    ctx.equal(
      { description: res.description, contacts: res.data.contacts, send_time: res.data.send_time },
      { description: 'Mesaj gönderildi', contacts: `${PHONE},+${PHONE_2}`, send_time: turkeyTime(sendAt) },
      "the scheduled send's answer",
    );
    ctx.equal(
      res.data.messages.map((message) => message.contact),
      [PHONE, PHONE_2],
      'the scheduled send\'s "messages[].contact"',
    );
    const statuses = async () => Promise.all(res.data.messages.map(async (message) => (await ctx.control.message(message.id)).status));
    await ctx.advance(sendAt - now - 1_000);
    ctx.equal(await statuses(), ['queued', 'queued'], 'message statuses one second before send_time');
    await ctx.stepUntil('both messages sent', { stepMs: 1_000, maxMs: 10_000 }, async () => (await statuses()).every((status) => status !== 'queued'));
    const sent = await Promise.all(res.data.messages.map((message) => ctx.control.message(message.id)));
    for (const message of sent) {
      const at = Date.parse(message.history.find((change) => change.status === 'sent')?.at ?? '');
      ctx.check(at >= sendAt, `message ${message.id} was sent at ${new Date(at).toISOString()}, before send_time ${new Date(sendAt).toISOString()}`);
    }
  },
};

const tokens: Scenario = {
  name: 'tokens: missing, forged and expired tokens are refused with 401 on every route',
  async run(ctx: ScenarioContext) {
    const owner = await newUser(ctx, 'tokens');
    const regId = await linkDevice(ctx, owner);
    // Linking moved the clock: a token issued now is the one whose expiry is counted.
    const user = await logIn(ctx, owner);
    const routes = (token: string | undefined): ApiRequest[] => [
      post('/whatsapp/login/code', { json: { phone: PHONE } }, token),
      get('/whatsapp/ws/logincontrol', { registrationId: String(regId) }, token),
      get('/whatsapp/devices', { page: '-1' }, token),
      post('/whatsapp/sendmessage/multi', { json: { reg_id: regId, contacts: PHONE, message: 'wa-conformance: tokens' } }, token),
      post('/whatsapp/logout', { json: { reg_id: regId } }, token),
    ];
    for (const [what, token] of [
      ['no token', undefined],
      ['a forged token', forge(user.token)],
      ['a token that is not a JWT', 'not-a-jwt'],
    ] as const) {
      for (const req of routes(token)) await refusedWith(ctx, req, 401, what);
    }
    await ctx.advance(user.expiresIn * 1_000 - 1_000);
    await ctx.api(get('/whatsapp/devices', { page: '-1' }, user.token), ok);
    await ctx.advance(2_000);
    for (const req of routes(user.token)) await refusedWith(ctx, req, 401, 'an expired token');
  },
};

const isolation: Scenario = {
  name: "isolation: one user can neither see nor use another user's device",
  async run(ctx: ScenarioContext) {
    const owner = await newUser(ctx, 'owner');
    const other = await newUser(ctx, 'other');
    const regId = await linkDevice(ctx, owner);
    ctx.equal(await devicesOf(ctx, other), [], 'devices of another user');
    await refusedWith(ctx, get('/whatsapp/ws/logincontrol', { registrationId: String(regId) }, other.token), 404, "another user's registrationId");
    await refusedWith(
      ctx,
      post('/whatsapp/sendmessage/multi', { json: { reg_id: regId, contacts: PHONE, message: 'wa-conformance: not mine' } }, other.token),
      404,
      "another user's reg_id",
    );
    await refusedWith(ctx, post('/whatsapp/logout', { json: { reg_id: regId } }, other.token), 404, "another user's reg_id");
    ctx.equal(
      (await devicesOf(ctx, owner)).map((device) => device.connected),
      [true],
      "the owner's devices after the other user's attempts: connected",
    );
  },
};

async function refusedWith(ctx: ScenarioContext, req: ApiRequest, status: number, what: string): Promise<void> {
  const res = await ctx.api(req, refused(status));
  ctx.equal((res.json as Envelope<null>).status, false, `${req.method} ${req.path} with ${what}: "status"`);
}

export const suite: Suite = {
  provider: PROVIDER,
  contract: 'wamessage.openapi.yaml',
  defaultPhone: PHONE,
  probes,
  scenarios: [linking, scheduled, tokens, isolation],
  async fuzzCredentials(baseUrl, key) {
    const phone = `9055${String(hashDigits(key)).padStart(8, '0')}`;
    const password = `fuzz-${key}`;
    await postJson(`${baseUrl}/user/register`, { phone, password });
    const login = (await postJson(`${baseUrl}/user/login`, { phone, password })) as { data?: { token?: string } } | undefined;
    return { headers: { authorization: `Bearer ${login?.data?.token ?? ''}` }, pathValues: {} };
  },
};
