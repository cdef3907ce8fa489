import { readFileSync } from 'node:fs';
import { useSandbox } from '../support/sandbox.js';
import { send } from '../support/php-client.js';

/**
 * Every error text of WAMM's documentation, per method as the seed lists them, produced by a real request
 * and compared byte for byte with the body the seed shows (`{"err":"…"}`, check_phone adds `"result":"error"`).
 */
const seed = JSON.parse(readFileSync('fixtures/examples/wamm/seed-examples.json', 'utf8')) as { errors: Record<string, string[]> };

const PHONE = '79001234567';
const NO_WHATSAPP = '79000000000';
const SLOW_CHECK = '79001000009';
const LONG_TEXT = 'я'.repeat(1501);
const q = (fields: Record<string, string>) => `?${new URLSearchParams(fields).toString()}`;

/** The request (path after the sandbox.base, a fresh token each) that draws each error from each method. */
const REQUESTS: Record<string, Record<string, (token: string) => string>> = {
  msg_to: {
    'token fail': () => `/api2/msg_to/invalid-token/${q({ phone: PHONE, text: 'hi' })}`,
    'acc not authorized': () => `/api2/msg_to/unauthorized-token/${q({ phone: PHONE, text: 'hi' })}`,
    'phone fail': (t) => `/api2/msg_to/${t}/${q({ phone: '+7 900 abc', text: 'hi' })}`,
    'no WhatsApp on the number': (t) => `/api2/msg_to/${t}/${q({ phone: NO_WHATSAPP, text: 'hi' })}`,
    'phone not checked for WhatsApp, please retry': (t) => `/api2/msg_to/${t}/${q({ phone: SLOW_CHECK, text: 'hi' })}`,
    'text fail': (t) => `/api2/msg_to/${t}/${q({ phone: PHONE, text: '  ' })}`,
    'text fail, more 1500': (t) => `/api2/msg_to/${t}/${q({ phone: PHONE, text: LONG_TEXT })}`,
  },
  msg_state: {
    'token fail': () => '/api2/msg_state/invalid-token/?msg_id=1000000',
    'acc not authorized': () => '/api2/msg_state/unauthorized-token/?msg_id=1000000',
    'msg_id fail': (t) => `/api2/msg_state/${t}/?msg_id=abc`,
    'msg not be': (t) => `/api2/msg_state/${t}/?msg_id=1000000`,
  },
  check_phone: {
    'token fail': () => `/api2/check_phone/invalid-token/?phone=${PHONE}`,
    'acc not authorized': () => `/api2/check_phone/unauthorized-token/?phone=${PHONE}`,
    'fail execution': (t) => `/api2/check_phone/${t}/?phone=${SLOW_CHECK}`,
  },
  file_to: {
    'token fail': () => `/api2/file_to/invalid-token/${q({ phone: PHONE, url: 'https://wamm.chat/i/images/wamm-chat-logo.png' })}`,
    'acc not authorized': () => `/api2/file_to/unauthorized-token/${q({ phone: PHONE, url: 'https://wamm.chat/i/images/wamm-chat-logo.png' })}`,
    'phone fail': (t) => `/api2/file_to/${t}/${q({ phone: '12', url: 'https://wamm.chat/i/images/wamm-chat-logo.png' })}`,
    'no WhatsApp on the number': (t) => `/api2/file_to/${t}/${q({ phone: NO_WHATSAPP, url: 'https://wamm.chat/i/images/wamm-chat-logo.png' })}`,
    'phone not checked for WhatsApp, please retry': (t) =>
      `/api2/file_to/${t}/${q({ phone: SLOW_CHECK, url: 'https://wamm.chat/i/images/wamm-chat-logo.png' })}`,
    'url fail': (t) => `/api2/file_to/${t}/${q({ phone: PHONE, url: 'wamm.chat/i/images/wamm-chat-logo.png' })}`,
  },
  msg_get_last: {
    'token fail': () => '/api2/msg_get_last/invalid-token/?col=10',
    'acc not authorized': () => '/api2/msg_get_last/unauthorized-token/?col=10',
    'col fail or more 100': (t) => `/api2/msg_get_last/${t}/?col=101`,
    'msgs not be': (t) => `/api2/msg_get_last/${t}/?col=10`,
  },
  msg_get: {
    'token fail': () => `/api2/msg_get/invalid-token/?phone=${PHONE}&col=10`,
    'acc not authorized': () => `/api2/msg_get/unauthorized-token/?phone=${PHONE}&col=10`,
    'col fail or more 100': (t) => `/api2/msg_get/${t}/?phone=${PHONE}&col=0`,
    'msgs not be': (t) => `/api2/msg_get/${t}/?phone=${PHONE}&col=10`,
    'phone fail': (t) => `/api2/msg_get/${t}/?phone=&col=10`,
  },
  contact_to: {
    'token fail': () => `/api2/contact_to/invalid-token/${q({ phone: PHONE, name: 'Oleg' })}`,
    'acc not authorized': () => `/api2/contact_to/unauthorized-token/${q({ phone: PHONE, name: 'Oleg' })}`,
    'phone fail': (t) => `/api2/contact_to/${t}/${q({ phone: 'seven', name: 'Oleg' })}`,
    'no WhatsApp on the number': (t) => `/api2/contact_to/${t}/${q({ phone: NO_WHATSAPP, name: 'Oleg' })}`,
    'phone not checked for WhatsApp, please retry': (t) => `/api2/contact_to/${t}/${q({ phone: SLOW_CHECK, name: 'Oleg' })}`,
    'name fail': (t) => `/api2/contact_to/${t}/${q({ phone: PHONE, name: '', info: '', email: '', web: '' })}`,
    'name fail, more 250': (t) => `/api2/contact_to/${t}/${q({ phone: PHONE, name: 'Щ'.repeat(251) })}`,
    'web fail, more 150': (t) => `/api2/contact_to/${t}/${q({ phone: PHONE, name: 'Oleg', web: `https://example.com/${'w'.repeat(131)}` })}`,
    'email fail, more 150': (t) => `/api2/contact_to/${t}/${q({ phone: PHONE, name: 'Oleg', email: `${'e'.repeat(139)}@example.com` })}`,
  },
  contact_delete: {
    'token fail': () => `/api2/contact_delete/invalid-token/?phone=${PHONE}`,
    'acc not authorized': () => `/api2/contact_delete/unauthorized-token/?phone=${PHONE}`,
    'phone fail': (t) => `/api2/contact_delete/${t}/?phone=7(900)`,
    'phone not found': (t) => `/api2/contact_delete/${t}/?phone=${PHONE}`,
  },
};

const CASES = Object.entries(seed.errors).flatMap(([method, texts]) => texts.map((text) => [method, text] as const));

describe('WAMM error texts, byte for byte', () => {
  let fresh = 0;

  const sandbox = useSandbox({ provider: 'wamm', reset: false });

  it('has a request for every error the seed lists, and nothing it does not', () => {
    expect(Object.fromEntries(Object.entries(REQUESTS).map(([method, requests]) => [method, Object.keys(requests).sort()]))).toEqual(
      Object.fromEntries(Object.entries(seed.errors).map(([method, texts]) => [method, [...texts].sort()])),
    );
  });

  it.each(CASES)('%s answers {"err":"%s"}', async (method, text) => {
    const request = REQUESTS[method]?.[text];
    expect(request).toBeDefined();
    const response = await send(sandbox.base + request!(`errors-${++fresh}`));
    const expected = method === 'check_phone' ? `{"err":${JSON.stringify(text)},"result":"error"}` : `{"err":${JSON.stringify(text)}}`;
    expect({ status: response.status, type: response.contentType.split(';')[0], body: response.text }).toEqual({
      status: 200,
      type: 'application/json',
      body: expected,
    });
  });

  it('answers "token fail" to a documented method called without a token, and a 404 to an unknown method', async () => {
    expect((await send(`${sandbox.base}/api2/msg_to/${q({ phone: PHONE, text: 'hi' })}`)).text).toBe('{"err":"token fail"}');
    expect((await send(`${sandbox.base}/api2/msg_to//${q({ phone: PHONE, text: 'hi' })}`)).text).toBe('{"err":"token fail"}');
    expect((await send(`${sandbox.base}/api2/check_phone/?phone=${PHONE}`)).text).toBe('{"err":"token fail","result":"error"}');
    const unknown = await send(`${sandbox.base}/api2/msg_delete/TOKEN/?msg_id=1`);
    expect({ status: unknown.status, body: unknown.text }).toEqual({ status: 404, body: '{"err":"not found"}' });
  });

  it('accepts text of exactly 1500 characters, counting an emoji as one', async () => {
    const text = `${'я'.repeat(1499)}:sm18:`;
    const response = await send(`${sandbox.base}/api2/msg_to/limits/${q({ phone: PHONE, text })}`);
    expect(response.text).toMatch(/^\{"err":0,"msg_id":\d+\}$/);
  });

  it('accepts a name of 250 characters and web and email of 150', async () => {
    const response = await send(
      `${sandbox.base}/api2/contact_to/limits/${q({ phone: PHONE, name: 'Щ'.repeat(250), web: `https://example.com/${'w'.repeat(130)}`, email: `${'e'.repeat(138)}@example.com` })}`,
    );
    expect(response.text).toBe('{"err":0,"result":"insert"}');
  });

  it('refuses col that is missing, zero, over 100 or not a number, and msg_id that is not a number', async () => {
    for (const col of ['', '0', '101', 'ten', '-1']) {
      expect((await send(`${sandbox.base}/api2/msg_get_last/cols/?col=${col}`)).text).toBe('{"err":"col fail or more 100"}');
    }
    expect((await send(`${sandbox.base}/api2/msg_get_last/cols/`)).text).toBe('{"err":"col fail or more 100"}');
    for (const id of ['', '1x', '-5']) expect((await send(`${sandbox.base}/api2/msg_state/ids/?msg_id=${id}`)).text).toBe('{"err":"msg_id fail"}');
  });

  it('refuses a message id of another account with "msg not be"', async () => {
    const sent = (await send(`${sandbox.base}/api2/msg_to/owner/${q({ phone: PHONE, text: 'mine' })}`)).json as { msg_id: number };
    expect((await send(`${sandbox.base}/api2/msg_state/stranger/?msg_id=${sent.msg_id}`)).text).toBe('{"err":"msg not be"}');
    expect((await send(`${sandbox.base}/api2/msg_state/owner/?msg_id=${sent.msg_id}`)).json).toMatchObject({ err: 0 });
  });

  it('refuses file_from_base64 without a decodable file with "url fail", and without a phone with "phone fail"', async () => {
    const post = (path: string, body: string) =>
      send(`${sandbox.base}${path}`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
    expect((await post(`/api2/file_from_base64/b64/?phone=${PHONE}`, 'file_name=a.txt')).text).toBe('{"err":"url fail"}');
    expect((await post(`/api2/file_from_base64/b64/?phone=${PHONE}`, 'file_name=a.txt&file_base64=%25%25%25')).text).toBe('{"err":"url fail"}');
    expect((await post('/api2/file_from_base64/b64/', 'file_name=a.txt&file_base64=aGVsbG8=')).text).toBe('{"err":"phone fail"}');
    expect((await post('/api2/file_from_base64/invalid-b64/?phone=1', 'x=1')).text).toBe('{"err":"token fail"}');
  });
});
