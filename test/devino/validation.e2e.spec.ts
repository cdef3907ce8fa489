import { useSandbox } from '../support/sandbox.js';
import { postMessages } from './devino-client.js';

/** The seed's table of reasons (key, ref with `i` for the index) and descriptions, exactly. */
const SEED_TABLE: Array<[string, string | undefined, string]> = [
  ['billing.error', undefined, 'Необходима оплата.'],
  ['forbidden', undefined, 'Отправка запрещена.'],
  ['unknown', undefined, 'Неизвестная ошибка.'],
  ['invalid', 'messages[i].to', 'Неправильно указан номер телефона.'],
  ['invalid', 'messages[i].validity', 'Неправильно указан срок жизни сообщения.'],
  ['invalid', 'messages[i].callbackUrl', 'Неправильно указан URL.'],
  ['invalid', 'messages[i].contentUrl', 'Неправильно указан URL контента.'],
  ['invalid', 'messages[i].contentType', 'Неправильно указан тип контента.'],
  ['invalid', 'messages[i].from', 'Неправильно указан отправитель.'],
  ['invalid', 'messages[i].languageCode', 'Неправильно указан код языка.'],
  ['length.too.long', 'messages[i].to', 'Превышена максимальная длина номера телефона.'],
  ['length.too.long', 'messages[i].text', 'Превышена максимальная длина текста сообщения.'],
  ['length.too.long', 'messages[i].languageCode', 'Слишком длинный код языка.'],
  ['length.too.short', 'messages[i].contentName', 'Слишком короткое название контента.'],
  ['length.too.short', 'messages[i].languageCode', 'Слишком короткий код языка.'],
  ['must.be.not.null', 'messages[i].to', 'Получатель не указан.'],
  ['must.be.not.null', 'messages', 'Массив messages не может быть пустым.'],
  ['must.be.not.null', 'messages[i].from', 'Отправитель не указан.'],
  ['must.be.not.null', 'messages[i]', 'Поле текста и контента не указано.'],
  ['not.available', 'messages[i].from', 'Некорректный адрес отправителя.'],
  ['too.many.messages', 'messages', 'Превышен максимальный размер массива messages.'],
];

const TO = '79034567890';
const KEY = 'validation-key';

describe('Devino validation', () => {
  const sandbox = useSandbox({ provider: 'devino' });

  const reject = (key: string, ref: string | undefined, description: string) => ({
    code: 'REJECTED',
    reasons: [ref === undefined ? { key } : { key, ref }],
    description,
  });
  const describe_ = (key: string, ref?: string) => SEED_TABLE.find(([k, r]) => k === key && r === ref?.replace(/\[\d+\]/, '[i]'))![2];

  it('answers one batch exercising every message-level reason in the seed, each in its place, with the good messages OK', async () => {
    const line = (await sandbox.control.request<{ linePhone: string }>('GET', `/accounts/devino/${KEY}`)).linePhone;
    const ok = { from: 'MyCompany', to: TO, text: 'hello' };
    const cases: Array<[Record<string, unknown>, string | null, string?]> = [
      [ok, null],
      [{ to: TO, text: 'no sender' }, 'must.be.not.null', 'from'],
      [{ ...ok, from: '+7 (903) <bad>' }, 'invalid', 'from'],
      [{ ...ok, from: '79990001122' }, 'not.available', 'from'],
      [{ from: 'MyCompany', text: 'no recipient' }, 'must.be.not.null', 'to'],
      [{ ...ok, to: '+79034567890' }, 'invalid', 'to'],
      [{ ...ok, to: '7903456789012345' }, 'length.too.long', 'to'],
      [{ ...ok, text: 'x'.repeat(4097) }, 'length.too.long', 'text'],
      [{ ...ok, validity: 10 }, 'invalid', 'validity'],
      [{ ...ok, contentUrl: 'ftp://files.example.com/a.jpg' }, 'invalid', 'contentUrl'],
      [{ ...ok, contentUrl: 'https://files.example.com/a.pdf', contentName: ' ' }, 'length.too.short', 'contentName'],
      [{ ...ok, contentUrl: 'https://files.example.com/a.jpg', contentType: 'picture/jpeg' }, 'invalid', 'contentType'],
      [{ ...ok, callbackUrl: 'not a url' }, 'invalid', 'callbackUrl'],
      [{ ...ok, templateId: 'verification_code', templateParams: { 1: '1' }, languageCode: 'e1' }, 'invalid', 'languageCode'],
      [{ ...ok, templateId: 'verification_code', templateParams: { 1: '1' }, languageCode: 'english' }, 'length.too.long', 'languageCode'],
      [{ ...ok, templateId: 'verification_code', templateParams: { 1: '1' }, languageCode: 'e' }, 'length.too.short', 'languageCode'],
      [{ from: 'MyCompany', to: TO }, 'must.be.not.null', ''],
      [{ ...ok, to: '79030000402' }, 'billing.error'],
      [{ ...ok, to: '79030000403' }, 'forbidden'],
      [{ ...ok, to: '79030000500' }, 'unknown'],
      [{ ...ok, from: line }, null],
    ];
    const response = await postMessages(sandbox.base, { messages: cases.map(([message]) => message) }, KEY);
    expect(response.status).toBe(200);
    const expected = cases.map(([, key, field], index) => {
      if (key === null) return { code: 'OK', messageId: expect.stringMatching(/^\d+$/) };
      const ref = field === undefined ? undefined : field === '' ? `messages[${index}]` : `messages[${index}].${field}`;
      return reject(key, ref, describe_(key, ref));
    });
    expect(response.json).toEqual({ result: expected });

    // Every reason in the seed's table, request-level ones included, is answered exactly.
    const empty = await postMessages(sandbox.base, { messages: [] }, KEY);
    const tooMany = await postMessages(sandbox.base, { messages: Array.from({ length: 101 }, () => ok) }, KEY);
    expect([empty.status, tooMany.status]).toEqual([400, 400]);
    expect(empty.json).toEqual({ result: [reject('must.be.not.null', 'messages', 'Массив messages не может быть пустым.')] });
    expect(tooMany.json).toEqual({ result: [reject('too.many.messages', 'messages', 'Превышен максимальный размер массива messages.')] });
    const answered = [...response.json.result, ...empty.json.result, ...tooMany.json.result]
      .flatMap((entry: { reasons?: Array<{ key: string; ref?: string }> }) => entry.reasons ?? [])
      .map((reason: { key: string; ref?: string }) => `${reason.key} ${reason.ref?.replace(/\[\d+\]/, '[i]') ?? ''}`);
    expect(new Set(answered)).toEqual(new Set(SEED_TABLE.map(([key, ref]) => `${key} ${ref ?? ''}`)));
  });

  it('lists every reason of one message in field order, descriptions joined', async () => {
    const response = await postMessages(sandbox.base, { messages: [{ text: 'x'.repeat(5000), validity: 'soon' }] }, KEY);
    expect(response.json.result[0]).toEqual({
      code: 'REJECTED',
      reasons: [
        { key: 'must.be.not.null', ref: 'messages[0].from' },
        { key: 'must.be.not.null', ref: 'messages[0].to' },
        { key: 'length.too.long', ref: 'messages[0].text' },
        { key: 'invalid', ref: 'messages[0].validity' },
      ],
      description: 'Отправитель не указан. Получатель не указан. Превышена максимальная длина текста сообщения. Неправильно указан срок жизни сообщения.',
    });
  });

  it('accepts 100 messages in one request and refuses 101 whole, sending none of them', async () => {
    await sandbox.control.setLimits('devino', KEY, { perSecond: null });
    const message = { from: 'MyCompany', to: TO, templateId: 'verification_code', templateParams: { 1: '1' } };
    const hundred = await postMessages(sandbox.base, { messages: Array.from({ length: 100 }, () => message) }, KEY);
    expect(hundred.json.result.filter((entry: { code: string }) => entry.code === 'OK')).toHaveLength(100);
    expect((await postMessages(sandbox.base, { messages: Array.from({ length: 101 }, () => message) }, KEY)).status).toBe(400);
    // A rejected request creates no message: the next accepted id follows the hundredth.
    const next = await postMessages(sandbox.base, { messages: [message] }, KEY);
    expect(BigInt(next.json.result[0].messageId) - BigInt(hundred.json.result[99].messageId)).toBe(1n);
  });

  it.each([
    ['no messages field', {}],
    ['messages not an array', { messages: { from: 'MyCompany' } }],
    ['messages null', { messages: null }],
  ])('answers %s as an empty messages array', async (_case, body) => {
    const response = await postMessages(sandbox.base, body, KEY);
    expect(response.status).toBe(400);
    expect(response.json).toEqual({ result: [reject('must.be.not.null', 'messages', 'Массив messages не может быть пустым.')] });
  });

  it('answers a body that is not JSON the same way, with the problem in x-sandbox-error', async () => {
    const response = await fetch(`${sandbox.base}/whatsapp/messages`, {
      method: 'POST',
      headers: { authorization: `Key ${KEY}`, 'content-type': 'application/json' },
      body: '{"messages": [',
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('x-sandbox-error')).toMatch(/body could not be read/);
    expect(await response.json()).toEqual({ result: [reject('must.be.not.null', 'messages', 'Массив messages не может быть пустым.')] });
  });

  it.each([
    ['no Authorization header', null],
    ['a key the sandbox refuses', 'invalid-key'],
  ])('refuses %s with 401 forbidden', async (_case, key) => {
    const response = await postMessages(sandbox.base, { messages: [{ from: 'MyCompany', to: TO, text: 'hi' }] }, key);
    expect(response.status).toBe(401);
    expect(response.json).toEqual({ result: [reject('forbidden', undefined, 'Отправка запрещена.')] });
  });

  it('refuses another authorization scheme', async () => {
    const response = await fetch(`${sandbox.base}/whatsapp/messages`, {
      method: 'POST',
      headers: { authorization: `Bearer ${KEY}`, 'content-type': 'application/json' },
      body: '{}',
    });
    expect(response.status).toBe(401);
  });

  it('answers unknown routes and methods with 404 in the same envelope, never a stack trace', async () => {
    for (const [method, path] of [
      ['GET', '/whatsapp/messages'],
      ['POST', '/sms/messages'],
    ] as const) {
      const response = await fetch(`${sandbox.base}${path}`, { method, headers: { authorization: `Key ${KEY}` } });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ result: [reject('unknown', undefined, 'Неизвестная ошибка.')] });
    }
  });

  it('coerces numbers in string fields as a Java client would send them, and refuses objects there', async () => {
    const response = await postMessages(
      sandbox.base,
      {
        messages: [
          { from: 'MyCompany', to: 79034567890, text: 12345 },
          { from: 'MyCompany', to: TO, text: { body: 'hi' } },
          { from: 'MyCompany', to: TO, templateId: 'verification_code', templateParams: ['1'] },
        ],
      },
      KEY,
    );
    expect(response.json.result).toEqual([
      { code: 'OK', messageId: expect.any(String) },
      { code: 'REJECTED', reasons: [{ key: 'invalid', ref: 'messages[1].text' }], description: 'Неправильно указан параметр messages[1].text.' },
      {
        code: 'REJECTED',
        reasons: [{ key: 'invalid', ref: 'messages[2].templateParams' }],
        description: 'Неправильно указан параметр messages[2].templateParams.',
      },
    ]);
    expect((await sandbox.control.message(response.json.result[0].messageId)).text).toBe('12345');
  });
});
