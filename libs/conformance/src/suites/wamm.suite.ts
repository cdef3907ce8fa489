import type { ApiRequest, ApiResponse } from '../http.js';
import type { WebhookReceiver } from '../receiver.js';
import { TINY_PNG_DATA_URL } from './fixtures.js';
import { ScenarioFailure, type ProbeContext, type Scenario, type ScenarioContext, type Suite } from './suite.js';

const PROVIDER = 'wamm';
const PHONE = '79001234567';
const NO_WHATSAPP = '79000000000';
const SLOW_CHECK = '79001000009';
const REPLIES_TEXT = '79001000004';
const SECOND = 1_000;
const DAY = 24 * 3_600 * SECOND;
/** WAMM's day is Moscow's (UTC+3): the daily cap starts over at 21:00 UTC. */
const MOSCOW_OFFSET = 3 * 3_600 * SECOND;
const ROW_KEYS = ['msg_id', 'from_me', 'phone', 'chat_name', 'tip_msg', 'msg_text', 'msg_link', 'date_ins', 'date_upd', 'state'];
const SENT = /^\{"err":0,"msg_id":[1-9][0-9]*\}$/;
const JSON_200 = { status: 200, mediaType: 'application/json' };

interface Row {
  msg_id: string;
  from_me: string;
  phone: string;
  chat_name: string;
  state: string;
}
/** A "msg" webhook's row: what integrations read beside the msg_get fields. */
interface WebhookRow extends Row {
  id: string;
  from_api: string;
  phone_acc: string;
}

const enc = encodeURIComponent;
const get = (method: string, key: string, query?: Record<string, string>): ApiRequest => ({ method: 'GET', path: `/api2/${method}/${enc(key)}/`, query });
const base64Of = (dataUrl: string) => dataUrl.slice(dataUrl.indexOf(',') + 1);

async function probes(ctx: ProbeContext): Promise<void> {
  const k = ctx.key;
  const P = ctx.phone;
  const text = (what: string) => `wa-conformance probe: ${what}`;
  const ids: number[] = [];
  const keepId = (res: ApiResponse | undefined) => {
    const id = (res?.json as { msg_id?: unknown } | undefined)?.msg_id;
    if (typeof id === 'number') ids.push(id);
  };

  keepId(await ctx.call('send a text', get('msg_to', k, { phone: P, text: text('msg_to') }), JSON_200));
  await ctx.call('empty text → text fail', get('msg_to', k, { phone: P, text: '' }), JSON_200);
  await ctx.call(
    'number in the path',
    { method: 'GET', path: `/api2/msg_to/${enc(k)}/${enc(P)}/`, query: { text: text('msg_to, number in the path') } },
    JSON_200,
  );
  await ctx.call('number and text in the path', { method: 'GET', path: `/api2/msg_to/${enc(k)}/${enc(P)}/${enc(text('msg_to, all in the path'))}` }, JSON_200);

  // A link the sandbox cannot fetch is accepted and fails later: enough to see the answer's shape.
  const media = ctx.mediaUrl ?? (ctx.sandbox ? 'http://127.0.0.1:9/wa-conformance.png' : undefined);
  if (media) keepId(await ctx.call('send a file link', get('file_to', k, { phone: P, url: media }), JSON_200));
  else ctx.skip('fileTo GET /api2/file_to/{token}/ (send a file link)', 'no --media-url given and the target is not a wa-sandbox');
  await ctx.call('link without http → url fail', get('file_to', k, { phone: P, url: 'ftp://example.com/file.png' }), JSON_200);
  await ctx.call(
    'a PNG in base64',
    {
      method: 'POST',
      path: `/api2/file_from_base64/${enc(k)}/`,
      query: { phone: P },
      body: {
        form: [
          ['file_name', 'wa-conformance.png'],
          ['file_base64', base64Of(TINY_PNG_DATA_URL)],
        ],
      },
    },
    JSON_200,
  );

  const id = ids[0];
  if (id !== undefined) await ctx.call('a sent message', get('msg_state', k, { msg_id: String(id) }), JSON_200);
  else ctx.skip('msgState GET /api2/msg_state/{token}/ (a sent message)', 'no msg_id: every send was refused');
  await ctx.call('msg_id not a number → msg_id fail', get('msg_state', k, { msg_id: 'abc' }), JSON_200);

  await ctx.call('the probe number', get('check_phone', k, { phone: P }), JSON_200);
  await ctx.call('last 10', get('msg_get_last', k, { col: '10' }), JSON_200);
  await ctx.call('last 10 sent', get('msg_get_last', k, { col: '10', from_me: '1' }), JSON_200);
  await ctx.call('col 101 → col fail or more 100', get('msg_get_last', k, { col: '101' }), JSON_200);
  await ctx.call('the probe chat', get('msg_get', k, { phone: P, col: '10' }), JSON_200);
  await ctx.call('save the probe number', get('contact_to', k, { phone: P, name: 'wa-conformance probe' }), JSON_200);
  await ctx.call('delete it', get('contact_delete', k, { phone: P }), JSON_200);
  await ctx.call('→ 404', get('no_such_method', k), { status: 404, mediaType: 'application/json' });
}

async function send(ctx: ScenarioContext, key: string, phone: string, text: string): Promise<number> {
  const res = await ctx.api(get('msg_to', key, { phone, text }), JSON_200);
  ctx.check(SENT.test(res.text), `msg_to answered ${res.text}, expected {"err":0,"msg_id":<unquoted integer>} exactly`);
  return (res.json as { msg_id: number }).msg_id;
}

async function stateOf(ctx: ScenarioContext, key: string, id: number): Promise<string> {
  const res = await ctx.api(get('msg_state', key, { msg_id: String(id) }), JSON_200);
  const state = (res.json as { msg_data?: { state?: string } }).msg_data?.state;
  if (state === undefined) ctx.fail(`msg_state of ${id} answered ${res.text}`);
  return state;
}

async function rows(ctx: ScenarioContext, req: ApiRequest): Promise<Row[]> {
  const res = await ctx.api(req, JSON_200);
  const data = (res.json as { msg_data?: Row[] }).msg_data;
  if (!Array.isArray(data)) ctx.fail(`${req.path} answered ${res.text}, expected rows`);
  return data;
}

async function expectError(ctx: ScenarioContext, req: ApiRequest, body: string): Promise<void> {
  const res = await ctx.api(req, JSON_200);
  const query = req.rawQuery ?? (req.query ? new URLSearchParams(req.query).toString() : '');
  ctx.equal(res.text, body, `${req.method} ${req.path}${query ? `?${query}` : ''} raw body`);
}

/** Runs every check and reports all failures together. */
async function all(ctx: ScenarioContext, checks: Array<() => Promise<void>>): Promise<void> {
  const problems: string[] = [];
  for (const check of checks) {
    try {
      await check();
    } catch (err) {
      if (!(err instanceof ScenarioFailure)) throw err;
      problems.push(...err.lines);
    }
  }
  if (problems.length > 0) ctx.fail(...problems);
}

async function webhookAccount(ctx: ScenarioContext, label: string): Promise<{ key: string; receiver: WebhookReceiver }> {
  const key = ctx.freshKey(label);
  const receiver = await ctx.receiver();
  await ctx.control.setWebhook(PROVIDER, key, receiver.url);
  return { key, receiver };
}

const wireFormat: Scenario = {
  name: "wire format: err is the integer 0 and first, msg_id unquoted in msg_to and quoted after, keys in the seed's order",
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('wire');
    const id = await send(ctx, key, PHONE, 'wa-conformance: wire format');
    const state = await ctx.api(get('msg_state', key, { msg_id: String(id) }), JSON_200);
    ctx.check(
      new RegExp(`^\\{"err":0,"msg_data":\\{"msg_id":"${id}","phone":"${PHONE}","state":"sending"\\}\\}$`).test(state.text),
      `msg_state right after the send answered ${state.text}, expected {"err":0,"msg_data":{"msg_id":"${id}","phone":"${PHONE}","state":"sending"}} exactly`,
    );
    const last = await ctx.api(get('msg_get_last', key, { col: '1' }), JSON_200);
    ctx.check(
      last.text.startsWith(`{"err":0,"msg_data":[{"msg_id":"${id}",`),
      `msg_get_last answered ${last.text.slice(0, 80)}…, expected {"err":0,"msg_data":[{"msg_id":"${id}",…`,
    );
    const row = (last.json as { msg_data: object[] }).msg_data[0]!;
    ctx.equal(Object.keys(row), ROW_KEYS, 'msg_get_last row keys, in order');
    ctx.equal((await ctx.api(get('check_phone', key, { phone: PHONE }), JSON_200)).text, '{"err":0,"result":"exists"}', 'check_phone raw body');
  },
};

const sendQueue: Scenario = {
  name: 'send queue: ten msg_to at once are accepted at once and leave the line 5–12 clock-seconds apart, in order',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('queue');
    const acceptedAt = (await ctx.control.clock()).nowMs;
    const ids: number[] = [];
    for (let n = 0; n < 10; n++) ids.push(await send(ctx, key, PHONE, `wa-conformance: queue ${n + 1}`));
    for (const id of ids) ctx.equal(await stateOf(ctx, key, id), 'sending', `msg_state of message ${id} right after the ten sends`);
    await ctx.advance(10 * 12 * SECOND);
    const sentAt: number[] = [];
    for (const id of ids) {
      const sent = (await ctx.control.message(String(id))).history.find((change) => change.status === 'sent');
      if (!sent) ctx.fail(`message ${id} was not sent 120 clock-seconds after it was accepted`);
      sentAt.push(Date.parse(sent.at));
    }
    const gaps = sentAt.map((at, n) => at - (n === 0 ? acceptedAt : sentAt[n - 1]!));
    ctx.check(
      gaps.every((gap) => gap >= 5 * SECOND && gap <= 12 * SECOND),
      `gaps between sends (ms): ${gaps.join(', ')}; each must be 5000–12000`,
    );
  },
};

const dailyCap: Scenario = {
  name: "daily cap: a test account's 31st message of the day is refused, and sending works again once the Moscow day turns",
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('cap');
    for (let n = 0; n < 30; n++) await send(ctx, key, PHONE, `wa-conformance: cap ${n + 1}`);
    await expectError(ctx, get('msg_to', key, { phone: PHONE, text: 'wa-conformance: cap 31' }), '{"err":"acc not authorized"}');
    const now = (await ctx.control.clock()).nowMs;
    const nextDay = Math.floor((now + MOSCOW_OFFSET) / DAY + 1) * DAY - MOSCOW_OFFSET;
    await ctx.advance(nextDay - now - 1);
    await expectError(ctx, get('msg_to', key, { phone: PHONE, text: 'wa-conformance: 1 ms before the day turns' }), '{"err":"acc not authorized"}');
    await ctx.advance(1);
    await send(ctx, key, PHONE, 'wa-conformance: the next day');
  },
};

const lifecycle: Scenario = {
  name: 'lifecycle: sending → sent → delivered → viewed in msg_state, {"tip":"msg_state"} webhooks, the send and the reply as {"tip":"msg"} with id, from_api, phone_acc',
  async run(ctx: ScenarioContext) {
    const { key, receiver } = await webhookAccount(ctx, 'lifecycle');
    // …000004 reads the message and then replies.
    const id = await send(ctx, key, REPLIES_TEXT, 'wa-conformance: lifecycle');
    const states: string[] = [];
    await ctx.stepUntil(`message ${id} viewed`, { stepMs: 250, maxMs: 60_000 }, async () => {
      const state = await stateOf(ctx, key, id);
      if (states.at(-1) !== state) states.push(state);
      return state === 'viewed';
    });
    ctx.equal(states, ['sending', 'sent', 'delivered', 'viewed'], `msg_state states of message ${id}`);
    const msgEvents = () => receiver.accepted.filter((r) => (r.json as { tip?: string }).tip === 'msg');
    const fromMe = (flag: string) => msgEvents().find((r) => (r.json as { msg_data?: Row }).msg_data?.from_me === flag);
    await ctx.stepUntil('the reply webhook', { stepMs: SECOND, maxMs: 30_000 }, async () => fromMe('0') !== undefined);
    const stateEvents = receiver.accepted.filter((r) => (r.json as { tip?: string }).tip === 'msg_state');
    const errors = stateEvents.flatMap((r) => ctx.webhookErrors('msgState', r));
    const sent = fromMe('1');
    const reply = fromMe('0')!;
    if (!sent) ctx.fail(`no {"tip":"msg"} webhook with from_me "1" for the sent message ${id}: integrations log outgoing messages from it`);
    errors.push(...ctx.webhookErrors('msg', sent), ...ctx.webhookErrors('msg', reply));
    if (errors.length > 0) ctx.fail(...errors);
    const { linePhone } = await ctx.control.request<{ linePhone: string }>('GET', `/accounts/${PROVIDER}/${enc(key)}`);
    const sentRow = (sent.json as { msg_data: WebhookRow }).msg_data;
    ctx.equal(
      { msg_id: sentRow.msg_id, id: sentRow.id, from_api: sentRow.from_api, phone_acc: sentRow.phone_acc, phone: sentRow.phone },
      { msg_id: String(id), id: String(id), from_api: '1', phone_acc: linePhone, phone: REPLIES_TEXT },
      'msg webhook of the sent message',
    );
    ctx.check(receiver.accepted.indexOf(sent) < receiver.accepted.indexOf(stateEvents[0]!), `the sent message's {"tip":"msg"} came after its first msg_state`);
    const replyExtras = (reply.json as { msg_data: WebhookRow }).msg_data;
    ctx.equal(
      { id: replyExtras.id, from_api: replyExtras.from_api, phone_acc: replyExtras.phone_acc },
      { id: replyExtras.msg_id, from_api: '0', phone_acc: linePhone },
      'msg webhook of the reply: id, from_api, phone_acc',
    );
    ctx.equal(
      stateEvents.map((r) => (r.json as { msg_data: { msg_id: string; state: string } }).msg_data),
      [
        { msg_id: String(id), state: 'sent' },
        { msg_id: String(id), state: 'delivered' },
        { msg_id: String(id), state: 'viewed' },
      ],
      'msg_state webhooks',
    );
    const replyRow = (reply.json as { msg_data: Row }).msg_data;
    ctx.equal(
      { from_me: replyRow.from_me, phone: replyRow.phone, state: replyRow.state },
      { from_me: '0', phone: REPLIES_TEXT, state: 'received' },
      'msg webhook msg_data',
    );
    const chat = await rows(ctx, get('msg_get', key, { phone: REPLIES_TEXT, col: '100' }));
    ctx.equal(
      chat.map((row) => [row.msg_id, row.from_me]),
      [
        [replyRow.msg_id, '0'],
        [String(id), '1'],
      ],
      'msg_get rows (newest first)',
    );
  },
};

const contacts: Scenario = {
  name: 'contacts: contact_to inserts then updates, its name is chat_name in rows, contact_delete removes it',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('contacts');
    await send(ctx, key, PHONE, 'wa-conformance: contacts');
    const chatName = async () => (await rows(ctx, get('msg_get', key, { phone: PHONE, col: '1' })))[0]!.chat_name;
    const whatsAppName = await chatName();
    ctx.equal(
      (await ctx.api(get('contact_to', key, { phone: '+7 (900) 123-45-67', name: 'Олег Иванов' }), JSON_200)).text,
      '{"err":0,"result":"insert"}',
      'contact_to of a new number',
    );
    ctx.equal(await chatName(), 'Олег Иванов', 'chat_name once the contact is saved');
    ctx.equal(
      (await ctx.api(get('contact_to', key, { phone: PHONE, name: 'Oleg' }), JSON_200)).text,
      '{"err":0,"result":"update"}',
      'contact_to of a saved number',
    );
    ctx.equal(await chatName(), 'Oleg', 'chat_name after the update');
    ctx.equal((await ctx.api(get('contact_delete', key, { phone: PHONE }), JSON_200)).text, '{"err":0,"result":"delete"}', 'contact_delete');
    ctx.equal(await chatName(), whatsAppName, 'chat_name once the contact is deleted');
    await expectError(ctx, get('contact_delete', key, { phone: PHONE }), '{"err":"phone not found"}');
  },
};

const magicNumbers: Scenario = {
  name: 'magic numbers: …000000 has no WhatsApp; …000009 is "not checked" until its check ends 10 clock-seconds later',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('magic');
    await expectError(ctx, get('check_phone', key, { phone: NO_WHATSAPP }), '{"err":0,"result":"none"}');
    await expectError(ctx, get('msg_to', key, { phone: NO_WHATSAPP, text: 'wa-conformance' }), '{"err":"no WhatsApp on the number"}');
    await expectError(ctx, get('check_phone', key, { phone: SLOW_CHECK }), '{"err":"fail execution","result":"error"}');
    await expectError(ctx, get('msg_to', key, { phone: SLOW_CHECK, text: 'wa-conformance' }), '{"err":"phone not checked for WhatsApp, please retry"}');
    await ctx.advance(10 * SECOND);
    await expectError(ctx, get('check_phone', key, { phone: SLOW_CHECK }), '{"err":0,"result":"exists"}');
    await send(ctx, key, SLOW_CHECK, 'wa-conformance: after the check');
  },
};

const tokens: Scenario = {
  name: 'tokens: invalid-… answers "token fail" and unauthorized-… "acc not authorized" on every route',
  async run(ctx: ScenarioContext) {
    const routes = (key: string): ApiRequest[] => [
      get('msg_to', key, { phone: PHONE, text: 'wa-conformance' }),
      get('file_to', key, { phone: PHONE, url: 'https://wamm.chat/i/images/wamm-chat-logo.png' }),
      { method: 'POST', path: `/api2/file_from_base64/${enc(key)}/`, query: { phone: PHONE }, body: { form: [['file_base64', base64Of(TINY_PNG_DATA_URL)]] } },
      get('msg_state', key, { msg_id: '1000000' }),
      get('check_phone', key, { phone: PHONE }),
      get('msg_get_last', key, { col: '1' }),
      get('msg_get', key, { phone: PHONE, col: '1' }),
      get('contact_to', key, { phone: PHONE, name: 'wa-conformance' }),
      get('contact_delete', key, { phone: PHONE }),
    ];
    const checks: Array<() => Promise<void>> = [];
    for (const [prefix, err] of [
      ['invalid', 'token fail'],
      ['unauthorized', 'acc not authorized'],
    ] as const) {
      for (const req of routes(`${prefix}-${ctx.freshKey('token')}`)) {
        const result = req.path.includes('/check_phone/') ? `,"result":"error"` : '';
        checks.push(() => expectError(ctx, req, `{"err":"${err}"${result}}`));
      }
    }
    await all(ctx, checks);
  },
};

const inputErrors: Scenario = {
  name: "input errors: the seed's texts, byte for byte",
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('errors');
    const e = (text: string) => `{"err":"${text}"}`;
    await all(ctx, [
      () => expectError(ctx, get('msg_to', key, { phone: 'seven', text: 'x' }), e('phone fail')),
      () => expectError(ctx, get('msg_to', key, { phone: PHONE, text: ' ' }), e('text fail')),
      () => expectError(ctx, get('msg_to', key, { phone: PHONE, text: 'x'.repeat(1501) }), e('text fail, more 1500')),
      () => expectError(ctx, get('file_to', key, { phone: PHONE, url: 'example.com/a.png' }), e('url fail')),
      () => expectError(ctx, get('msg_state', key, { msg_id: 'x' }), e('msg_id fail')),
      () => expectError(ctx, get('msg_state', key, { msg_id: '1' }), e('msg not be')),
      () => expectError(ctx, get('msg_get_last', key, { col: '0' }), e('col fail or more 100')),
      () => expectError(ctx, get('msg_get_last', key, { col: '5' }), e('msgs not be')),
      () => expectError(ctx, get('msg_get', key, { phone: '', col: '5' }), e('phone fail')),
      () => expectError(ctx, get('contact_to', key, { phone: PHONE, name: '' }), e('name fail')),
      () => expectError(ctx, get('contact_to', key, { phone: PHONE, name: 'n'.repeat(251) }), e('name fail, more 250')),
      () => expectError(ctx, get('contact_to', key, { phone: PHONE, name: 'n', web: 'w'.repeat(151) }), e('web fail, more 150')),
      () => expectError(ctx, get('contact_to', key, { phone: PHONE, name: 'n', email: 'e'.repeat(151) }), e('email fail, more 150')),
      () => expectError(ctx, get('contact_delete', key, { phone: PHONE }), e('phone not found')),
    ]);
  },
};

const rawUtf8Query: Scenario = {
  name: 'raw UTF-8 query: msg_to?text=привет unencoded, as the seed writes it, sends the text as written; errors stay {"err":…}',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('utf8');
    const path = `/api2/msg_to/${enc(key)}/`;
    const text = 'wa-conformance: привет, мир';
    const sent = await ctx.api({ method: 'GET', path, rawQuery: `phone=${PHONE}&text=${text.replaceAll(' ', '%20')}` }, JSON_200);
    ctx.check(SENT.test(sent.text), `msg_to with a raw UTF-8 text answered ${sent.text}, expected {"err":0,"msg_id":…}`);
    const id = (sent.json as { msg_id: number }).msg_id;
    ctx.equal((await ctx.control.message(String(id))).text, text, `text of message ${id}, sent as raw UTF-8`);
    await expectError(ctx, { method: 'GET', path, rawQuery: 'phone=телефон&text=привет' }, '{"err":"phone fail"}');
  },
};

export const suite: Suite = {
  provider: PROVIDER,
  contract: 'wamm.openapi.yaml',
  defaultPhone: PHONE,
  probes,
  scenarios: [wireFormat, sendQueue, dailyCap, lifecycle, contacts, magicNumbers, tokens, inputErrors, rawUtf8Query],
  fuzzCredentials: async (_baseUrl, key) => ({ headers: {}, pathValues: { token: key, phone: '79001234567', text: 'fuzz' } }),
};
