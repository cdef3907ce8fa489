import type { ApiRequest, ApiResponse } from '../http.js';
import type { ReceivedRequest, WebhookReceiver } from '../receiver.js';
import type { ProbeContext, Scenario, ScenarioContext, Suite } from './suite.js';

const PROVIDER = 'devino';
// The seed's own recipient: normal behaviour on a wa-sandbox (magic numbers end in 00000x).
const PHONE = '79034567890';
const NO_WHATSAPP = '79030000000';
const NEVER_DELIVERED = '79030000001';
const HOUR = 3_600_000;
const SENDER = 'MyCompany';
// Delivery takes at most 1 + 4 + 30 s of clock time on a wa-sandbox.
const STEP = { stepMs: 1_000, maxMs: 60_000 };

interface Reason {
  key: string;
  ref?: string;
}
type ResultEntry = { code: 'OK'; messageId: string } | { code: 'REJECTED'; reasons: Reason[]; description: string };
interface StatusItem {
  messageId: string | number;
  ts: number;
  status: string;
  errorCode: number;
  options: string | null;
}
interface Account {
  linePhone: string;
}

const sendRequest = (key: string | null, body: unknown): ApiRequest => ({
  method: 'POST',
  path: '/whatsapp/messages',
  ...(key === null ? {} : { headers: { authorization: `Key ${key}` } }),
  body: { json: body },
});

async function probes(ctx: ProbeContext): Promise<void> {
  const ok = { status: 200, mediaType: 'application/json' };
  const refused = { status: 400, mediaType: 'application/json' };
  const to = ctx.phone;
  await ctx.call(
    'the seed example: free text and a template',
    sendRequest(ctx.key, {
      messages: [
        { from: SENDER, to, text: 'wa-conformance probe: text' },
        {
          from: SENDER,
          to,
          templateId: 'account_activated',
          templateParams: { 1: '+7(495) 646 00 54', 2: 'https://devino.online' },
          languageCode: 'ru',
          validity: 86400,
        },
      ],
    }),
    ok,
  );
  await ctx.call(
    'a batch mixing good and bad messages',
    sendRequest(ctx.key, {
      messages: [
        { from: SENDER, to, text: 'wa-conformance probe: good' },
        { from: SENDER, text: 'wa-conformance probe: no recipient' },
        { to, text: 'wa-conformance probe: no sender' },
        { from: SENDER, to },
        { from: SENDER, to, text: 'wa-conformance probe: bad callback', callbackUrl: 'not a url' },
      ],
    }),
    ok,
  );
  await ctx.call('empty messages → refused', sendRequest(ctx.key, { messages: [] }), refused);
  await ctx.call('no messages field → refused', sendRequest(ctx.key, {}), refused);
  await ctx.call(
    '101 messages → refused',
    sendRequest(ctx.key, { messages: Array.from({ length: 101 }, () => ({ from: SENDER, to, text: 'wa-conformance probe: too many' })) }),
    refused,
  );
  await ctx.call('no Authorization → 401', sendRequest(null, { messages: [{ from: SENDER, to, text: 'wa-conformance probe' }] }), {
    status: 401,
    mediaType: 'application/json',
  });
  await ctx.call(
    '→ Not Found',
    { method: 'GET', path: '/whatsapp/no-such-route', headers: { authorization: `Key ${ctx.key}` } },
    { status: 404, mediaType: 'application/json' },
  );
}

async function send(ctx: ScenarioContext, key: string, messages: Array<Record<string, unknown>>): Promise<ResultEntry[]> {
  const response: ApiResponse = await ctx.api(sendRequest(key, { messages }), { status: 200 });
  return (response.json as { result: ResultEntry[] }).result;
}

/** Sends messages that must all be accepted; resolves their ids. */
async function sendOk(ctx: ScenarioContext, key: string, messages: Array<Record<string, unknown>>): Promise<string[]> {
  const result = await send(ctx, key, messages);
  return result.map((entry, index) => {
    if (entry.code !== 'OK') ctx.fail(`message ${index} was refused: ${JSON.stringify(entry)}`);
    return entry.messageId;
  });
}

async function account(ctx: ScenarioContext, key: string): Promise<Account> {
  return ctx.control.request<Account>('GET', `/accounts/${PROVIDER}/${encodeURIComponent(key)}`);
}

function statusItems(ctx: ScenarioContext, receiver: WebhookReceiver): StatusItem[] {
  const errors = receiver.accepted.flatMap((request: ReceivedRequest) => ctx.webhookErrors('statusCallback', request));
  if (errors.length > 0) ctx.fail(...errors);
  return receiver.accepted.flatMap((request) => request.json as StatusItem[]);
}

const FINAL_STATUSES = ['READ', 'FAILED', 'VP_EXPIRED'];

/** The final status of each message (`READ 0`, `FAILED 2312`), stepping the clock until all have one. */
async function outcomes(ctx: ScenarioContext, receiver: WebhookReceiver, ids: string[]): Promise<string[]> {
  const finalOf = (id: string) =>
    statusItems(ctx, receiver)
      .filter((item) => String(item.messageId) === id)
      .find((item) => FINAL_STATUSES.includes(item.status));
  await ctx.stepUntil(`final status of ${ids.join(', ')}`, STEP, async () => ids.every((id) => finalOf(id) !== undefined));
  return ids.map((id) => `${finalOf(id)!.status} ${finalOf(id)!.errorCode}`);
}

const validation: Scenario = {
  name: 'validation: one batch gets every reason of the seed’s table back at its index, good messages OK',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('validation');
    const line = (await account(ctx, key)).linePhone;
    const good = { from: SENDER, to: PHONE, text: 'wa-conformance: validation' };
    const cases: Array<[Record<string, unknown>, string | null, string?]> = [
      [good, null],
      [{ to: PHONE, text: 'x' }, 'must.be.not.null', 'from'],
      [{ ...good, from: '<bad sender>' }, 'invalid', 'from'],
      [{ ...good, from: line.replace(/\d$/, (digit) => String((Number(digit) + 1) % 10)) }, 'not.available', 'from'],
      [{ from: SENDER, text: 'x' }, 'must.be.not.null', 'to'],
      [{ ...good, to: `+${PHONE}` }, 'invalid', 'to'],
      [{ ...good, to: '7'.repeat(16) }, 'length.too.long', 'to'],
      [{ ...good, text: 'x'.repeat(4097) }, 'length.too.long', 'text'],
      [{ ...good, validity: 1 }, 'invalid', 'validity'],
      [{ ...good, contentUrl: 'ftp://example.com/a.jpg' }, 'invalid', 'contentUrl'],
      [{ ...good, contentUrl: 'https://example.com/a.pdf', contentName: '' }, 'length.too.short', 'contentName'],
      [{ ...good, contentUrl: 'https://example.com/a.jpg', contentType: 'nonsense' }, 'invalid', 'contentType'],
      [{ ...good, callbackUrl: 'nowhere' }, 'invalid', 'callbackUrl'],
      [{ ...good, templateId: 'verification_code', languageCode: '1_' }, 'invalid', 'languageCode'],
      [{ ...good, templateId: 'verification_code', languageCode: 'russian' }, 'length.too.long', 'languageCode'],
      [{ ...good, templateId: 'verification_code', languageCode: 'r' }, 'length.too.short', 'languageCode'],
      [{ from: SENDER, to: PHONE }, 'must.be.not.null', ''],
      [{ ...good, to: '79030000402' }, 'billing.error'],
      [{ ...good, to: '79030000403' }, 'forbidden'],
      [{ ...good, to: '79030000500' }, 'unknown'],
    ];
    const result = await send(
      ctx,
      key,
      cases.map(([message]) => message),
    );
    for (const [index, [, reasonKey, field]] of cases.entries()) {
      const entry = result[index];
      if (reasonKey === null) {
        ctx.equal(entry?.code, 'OK', `result[${index}] "code"`);
        continue;
      }
      const ref = field === undefined ? undefined : field === '' ? `messages[${index}]` : `messages[${index}].${field}`;
      ctx.equal(
        entry?.code === 'REJECTED' ? entry.reasons : entry,
        [ref === undefined ? { key: reasonKey } : { key: reasonKey, ref }],
        `result[${index}] reasons`,
      );
    }
  },
};

const statusCallbacks: Scenario = {
  name: 'status callbacks: SENT, DELIVERED, READ arrays at callbackUrl with options = callbackData, in the journal',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('callbacks');
    const receiver = await ctx.receiver();
    const [id] = await sendOk(ctx, key, [
      { from: SENDER, to: PHONE, templateId: 'verification_code', templateParams: { 1: '2024' }, callbackUrl: receiver.url, callbackData: 'wa-conformance' },
    ]);
    await outcomes(ctx, receiver, [id!]);
    const items = statusItems(ctx, receiver).filter((item) => String(item.messageId) === id);
    ctx.equal(
      items.map((item) => [item.status, item.errorCode, item.options]),
      [
        ['SENT', 0, 'wa-conformance'],
        ['DELIVERED', 0, 'wa-conformance'],
        ['READ', 0, 'wa-conformance'],
      ],
      `status callbacks of message ${id!}`,
    );
    const journal = (await ctx.control.journal(PROVIDER, key)).filter((attempt) => attempt.url === receiver.url);
    ctx.equal(
      journal.map((attempt) => attempt.ok),
      [true, true, true],
      'journal attempts to the callbackUrl (ok)',
    );
  },
};

const window: Scenario = {
  name: 'window: free text fails 2312 until the customer writes, goes through, and fails again 24 clock-hours later',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('window');
    const receiver = await ctx.receiver();
    const text = (what: string) => ({ from: SENDER, to: PHONE, text: `wa-conformance: ${what}`, callbackUrl: receiver.url });
    const [before] = await sendOk(ctx, key, [text('before the customer writes')]);
    ctx.equal(await outcomes(ctx, receiver, [before!]), ['FAILED 2312'], 'free text before the customer wrote');
    const inbound = await ctx.control.inbound(PROVIDER, key, { from: PHONE, text: 'wa-conformance: customer writes' });
    ctx.equal(inbound.received, true, 'the virtual customer’s message "received"');
    const wroteAt = (await ctx.control.clock()).nowMs;
    const [inside] = await sendOk(ctx, key, [text('inside the window')]);
    ctx.equal(await outcomes(ctx, receiver, [inside!]), ['READ 0'], 'free text after the customer wrote');
    await ctx.advance(wroteAt + 24 * HOUR - (await ctx.control.clock()).nowMs);
    const [after] = await sendOk(ctx, key, [text('24 hours later')]);
    ctx.equal(await outcomes(ctx, receiver, [after!]), ['FAILED 2312'], 'free text 24 clock-hours after the customer wrote');
  },
};

const templates: Scenario = {
  name: 'templates: wrong parameter count 2308, no template 2309, no such language 2310, a parameter over 32,768 characters 2311, a body over 1024 2300',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('templates');
    const name = key.replace(/-/g, '_');
    await ctx.control.request('PUT', `/templates/${name}/ru`, { text: 'wa-conformance {{1}} {{2}}' });
    try {
      const receiver = await ctx.receiver();
      const template = (languageCode: string, templateParams: Record<string, string>, templateId = name) => ({
        from: SENDER,
        to: PHONE,
        templateId,
        templateParams,
        languageCode,
        callbackUrl: receiver.url,
      });
      const ids = await sendOk(ctx, key, [
        template('ru', { 1: 'a' }),
        template('ru', { 1: 'a', 2: 'b' }, `${name}_missing`),
        template('en', { 1: 'a', 2: 'b' }),
        template('ru', { 1: 'x'.repeat(32_769), 2: 'b' }),
        template('ru', { 1: 'x'.repeat(1024), 2: 'b' }),
        template('RU', { 1: 'a', 2: 'b' }),
      ]);
      ctx.equal(await outcomes(ctx, receiver, ids), ['FAILED 2308', 'FAILED 2309', 'FAILED 2310', 'FAILED 2311', 'FAILED 2300', 'READ 0'], 'final statuses');
    } finally {
      await ctx.control.request('DELETE', `/templates/${name}`);
    }
  },
};

const whatsappErrors: Scenario = {
  name: 'WhatsApp errors: no WhatsApp 2305, own number 2307, templates over the per-second rate 2301 (free text uncapped)',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('errors');
    const receiver = await ctx.receiver();
    const own = (await account(ctx, key)).linePhone;
    await ctx.control.setLimits(PROVIDER, key, { perSecond: 3 });
    await ctx.control.inbound(PROVIDER, key, { from: PHONE, text: 'wa-conformance: customer writes' });
    const template = (to: string, code: string) => ({
      from: SENDER,
      to,
      templateId: 'verification_code',
      templateParams: { 1: code },
      callbackUrl: receiver.url,
    });
    const text = (n: number) => ({ from: SENDER, to: PHONE, text: `wa-conformance: free text ${n}`, callbackUrl: receiver.url });
    const ids = await sendOk(ctx, key, [
      template(NO_WHATSAPP, '1'),
      template(own, '2'),
      template(PHONE, '3'),
      template(PHONE, '4'),
      text(1),
      text(2),
      text(3),
      text(4),
    ]);
    ctx.equal(
      await outcomes(ctx, receiver, ids),
      ['FAILED 2305', 'FAILED 2307', 'READ 0', 'FAILED 2301', 'READ 0', 'READ 0', 'READ 0', 'READ 0'],
      'final statuses',
    );
  },
};

/** The recipients that fail with a code of their own: last six digits `00` and the code. */
const MAGIC_CODES = [2000, 2001, 2002, 2003, 2004, 2006, 2007, 2008, 2012, 2017, 2302];

const statusCodes: Scenario = {
  name: 'status codes: recipients ending 00 + code fail with 2000–2012, 2017, 2302; a forced failure carries the code chosen',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('codes');
    const receiver = await ctx.receiver();
    const template = (to: string) => ({ from: SENDER, to, templateId: 'verification_code', templateParams: { 1: '1' }, callbackUrl: receiver.url });
    const ids = await sendOk(ctx, key, [...MAGIC_CODES.map((code) => template(`7903000${code}`)), template(NEVER_DELIVERED)]);
    const forced = ids.pop()!;
    ctx.equal(
      await outcomes(ctx, receiver, ids),
      MAGIC_CODES.map((code) => `FAILED ${code}`),
      'final statuses',
    );
    await ctx.control.request('POST', `/messages/${forced}/status`, { status: 'failed', code: '2009' });
    ctx.equal(await outcomes(ctx, receiver, [forced]), ['FAILED 2009'], 'a failure forced with code 2009');
  },
};

const duplicates: Scenario = {
  name: 'duplicates: the same text to the same customer within 10 clock-minutes fails 2009, after them it goes out',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('duplicates');
    const receiver = await ctx.receiver();
    await ctx.control.inbound(PROVIDER, key, { from: PHONE, text: 'wa-conformance: customer writes' });
    const text = { from: SENDER, to: PHONE, text: 'wa-conformance: your order is ready', callbackUrl: receiver.url };
    const [original, repeat] = await sendOk(ctx, key, [text, text]);
    ctx.equal(await outcomes(ctx, receiver, [original!, repeat!]), ['READ 0', 'FAILED 2009'], 'the text and its repeat');
    await ctx.advance(10 * 60_000);
    const [later] = await sendOk(ctx, key, [text]);
    ctx.equal(await outcomes(ctx, receiver, [later!]), ['READ 0'], 'the same text 10 clock-minutes later');
  },
};

const validity: Scenario = {
  name: 'validity: a message not delivered in time is VP_EXPIRED, 2011 once sent, 2010 while still queued',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('validity');
    const receiver = await ctx.receiver();
    const [sent] = await sendOk(ctx, key, [
      { from: SENDER, to: NEVER_DELIVERED, templateId: 'verification_code', templateParams: { 1: '1' }, validity: 30, callbackUrl: receiver.url },
    ]);
    ctx.equal(await outcomes(ctx, receiver, [sent!]), ['VP_EXPIRED 2011'], 'sent, never delivered, validity 30 s');
    // A line sends one message every 20–100 ms on a wa-sandbox: the 600th waits longer than 30 s.
    let last = '';
    for (let batch = 0; batch < 6; batch++) {
      const messages = Array.from({ length: 100 }, (_, n) => ({
        from: SENDER,
        to: `79035${100_000 + batch * 100 + n}`,
        text: 'wa-conformance: queued',
        validity: 30,
      }));
      messages[99] = { ...messages[99]!, callbackUrl: receiver.url } as (typeof messages)[number];
      last = (await sendOk(ctx, key, messages))[99]!;
    }
    ctx.equal(await outcomes(ctx, receiver, [last]), ['VP_EXPIRED 2010'], 'the 600th queued message, validity 30 s');
  },
};

const balance: Scenario = {
  name: 'balance: templates spend the account’s balance and fail 2005 once it is spent; free text costs nothing',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('balance');
    const receiver = await ctx.receiver();
    await ctx.control.setLimits(PROVIDER, key, { balance: 1 });
    await ctx.control.inbound(PROVIDER, key, { from: PHONE, text: 'wa-conformance: customer writes' });
    const template = (code: string) => ({ from: SENDER, to: PHONE, templateId: 'verification_code', templateParams: { 1: code }, callbackUrl: receiver.url });
    const ids = await sendOk(ctx, key, [
      template('1'),
      { from: SENDER, to: PHONE, text: 'wa-conformance: a free reply', callbackUrl: receiver.url },
      template('2'),
    ]);
    ctx.equal(await outcomes(ctx, receiver, ids), ['READ 0', 'READ 0', 'FAILED 2005'], 'final statuses with a balance of 1');
  },
};

const textLimits: Scenario = {
  name: 'text limits: a caption over 1024 characters fails 2304',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('captions');
    const receiver = await ctx.receiver();
    await ctx.control.inbound(PROVIDER, key, { from: PHONE, text: 'wa-conformance: customer writes' });
    // The sandbox serves its sample image under the control API.
    const image = (text: string) => ({
      from: SENDER,
      to: PHONE,
      text,
      contentUrl: `${ctx.control.url}/media/sample.jpg`,
      contentType: 'image/jpeg',
      callbackUrl: receiver.url,
    });
    const ids = await sendOk(ctx, key, [image('c'.repeat(1025)), image('c'.repeat(1024))]);
    ctx.equal(await outcomes(ctx, receiver, ids), ['FAILED 2304', 'READ 0'], 'captions of 1025 and 1024 characters');
  },
};

const incoming: Scenario = {
  name: 'incoming: text, geolocation and contacts from a virtual customer reach the incoming URL in the contract’s shape',
  async run(ctx: ScenarioContext) {
    const key = ctx.freshKey('incoming');
    const receiver = await ctx.receiver();
    await ctx.control.setWebhook(PROVIDER, key, receiver.url);
    await ctx.control.inbound(PROVIDER, key, { from: PHONE, text: 'wa-conformance: hello' });
    await ctx.control.inbound(PROVIDER, key, { from: PHONE, location: { latitude: 55.75, longitude: 37.62, name: 'Red Square', address: 'Moscow' } });
    await ctx.control.inbound(PROVIDER, key, { from: PHONE, contacts: [{ name: 'Anna Ivanova', phones: ['79161234567'] }] });
    if (!(await receiver.waitFor(() => receiver.accepted.length >= 3, 5_000)))
      ctx.fail(`${receiver.accepted.length} of 3 incoming messages arrived at ${receiver.url}`);
    const errors = receiver.accepted.flatMap((request) => ctx.webhookErrors('incomingMessage', request));
    if (errors.length > 0) ctx.fail(...errors);
    const [text, location, contacts] = receiver.accepted.map((request) => request.json as Record<string, unknown>);
    ctx.equal(text?.text, 'wa-conformance: hello', 'incoming text "text"');
    ctx.check(location?.whatsAppGeoLocation !== undefined, 'the location message has no whatsAppGeoLocation');
    ctx.check(Array.isArray(contacts?.whatsAppContacts), 'the contacts message has no whatsAppContacts');
  },
};

const invalidKey: Scenario = {
  name: 'invalid key (invalid-…): 401 forbidden',
  async run(ctx: ScenarioContext) {
    const result = await ctx.api(sendRequest(`invalid-${ctx.freshKey('key')}`, { messages: [{ from: SENDER, to: PHONE, text: 'wa-conformance' }] }), {
      status: 401,
    });
    ctx.equal((result.json as { result: Array<{ reasons: Reason[] }> }).result[0]?.reasons, [{ key: 'forbidden' }], 'reasons');
  },
};

export const suite: Suite = {
  provider: PROVIDER,
  contract: 'devino.openapi.yaml',
  defaultPhone: PHONE,
  probes,
  scenarios: [validation, statusCallbacks, window, templates, whatsappErrors, statusCodes, duplicates, validity, balance, textLimits, incoming, invalidKey],
  fuzzCredentials: async (_baseUrl, key) => ({ headers: { authorization: `Key ${key}` }, pathValues: {} }),
};
