import { WhatsAppEngine } from '#engine';
import { useSandbox } from '../support/sandbox.js';
import { WamessageClient } from './wamessage-client.js';

const USER = '905321112233';
const DEVICE = '905551112233';
const MB = 1024 * 1024;

/** A PNG header padded with zeros: sniffed as a PNG of that size. */
function pngOf(bytes: number): Buffer {
  const png = Buffer.alloc(bytes);
  Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex').copy(png);
  return png;
}

describe('Wamessage refuses bad input in its own envelope, never with a 500', () => {
  let client: WamessageClient;
  let reg: number;

  const sandbox = useSandbox({ reset: false });
  beforeAll(async () => {
    client = new WamessageClient(`${sandbox.origin}/wamessage`);
    await client.signUp(USER);
    reg = await client.linkDevice(sandbox.control, DEVICE);
  });

  type Case = [label: string, send: () => Promise<{ status: number; json: unknown }>, status: number, description: string];
  // Bodies are built when a case runs: the device is linked in beforeAll, after the cases are listed.
  const json = (path: string, body: () => unknown) => () => client.json('POST', path, body());
  const raw = (path: string, contentType: string, body: string) => () =>
    fetch(`${client.base}${path}`, { method: 'POST', headers: { 'content-type': contentType, authorization: `Bearer ${client.token}` }, body }).then(
      async (r) => ({ status: r.status, json: await r.json() }),
    );
  const multipart = (fields: () => Record<string, string | [Buffer, string]>) => () => {
    const form = new FormData();
    for (const [name, value] of Object.entries(fields())) {
      if (typeof value === 'string') form.append(name, value);
      else form.append(name, new Blob([value[0]]), value[1]);
    }
    return client.form('/whatsapp/sendmessage/multi', form);
  };
  const send = (fields: Record<string, unknown>) =>
    json('/whatsapp/sendmessage/multi', () => ({ reg_id: reg, contacts: '905321234567', message: 'x', ...fields }));

  const cases: Case[] = [
    ['register: no body', json('/user/register', () => ({})), 400, 'phone alanı zorunludur'],
    ['register: malformed JSON', raw('/user/register', 'application/json', '{"phone": "9053'), 400, 'İstek gövdesi okunamadı'],
    ['register: phone of letters', json('/user/register', () => ({ phone: 'abc', password: 'gizli-sifre' })), 400, 'Geçersiz telefon numarası'],
    ['register: password too short', json('/user/register', () => ({ phone: '905321112299', password: '12345' })), 400, 'Şifre en az 6 karakter olmalıdır'],
    ['register: password a number', json('/user/register', () => ({ phone: '905321112299', password: 123456 })), 400, 'Şifre geçersiz'],
    [
      'register: email not an address',
      json('/user/register', () => ({ phone: '905321112299', password: 'gizli-sifre', email: 'ayse' })),
      400,
      'E-posta adresi geçersiz',
    ],
    ['login: password missing', json('/user/login', () => ({ phone: USER })), 400, 'password alanı zorunludur'],
    ['login/code: phone missing', json('/whatsapp/login/code', () => ({})), 400, 'phone alanı zorunludur'],
    ['login/code: phone too short', json('/whatsapp/login/code', () => ({ phone: '12345' })), 400, 'Geçersiz telefon numarası'],
    ['logincontrol: registrationId missing', () => client.get('/whatsapp/ws/logincontrol?phone=905551112233'), 400, 'registrationId alanı zorunludur'],
    ['logincontrol: registrationId of letters', () => client.get('/whatsapp/ws/logincontrol?registrationId=abc'), 400, 'registrationId geçersiz'],
    [
      "logincontrol: another phone than the device's",
      () => client.get(`/whatsapp/ws/logincontrol?registrationId=${reg}&phone=905550000077`),
      400,
      'Telefon numarası cihazla eşleşmiyor',
    ],
    ['devices: page=0', () => client.get('/whatsapp/devices?page=0'), 400, 'page geçersiz'],
    ['devices: page=x', () => client.get('/whatsapp/devices?page=x'), 400, 'page geçersiz'],
    ['send: reg_id missing', json('/whatsapp/sendmessage/multi', () => ({ contacts: '905321234567', message: 'x' })), 400, 'reg_id alanı zorunludur'],
    ['send: reg_id unknown', send({ reg_id: 424242 }), 404, 'Cihaz bulunamadı'],
    ['send: contacts missing', send({ contacts: undefined }), 400, 'contacts alanı zorunludur'],
    ['send: contacts only commas', send({ contacts: ' , ,' }), 400, 'contacts alanı zorunludur'],
    ['send: a contact too short', send({ contacts: '905321234567,12' }), 400, 'Geçersiz telefon numarası: 12'],
    ['send: no message and no file', send({ message: '' }), 400, 'Mesaj içeriği veya dosya zorunludur'],
    ['send: message an object', send({ message: { text: 'x' } }), 400, 'message alanı geçersiz'],
    ['send: send_time ISO with T', send({ send_time: '2026-01-02T12:00:00' }), 400, 'send_time biçimi YYYY-MM-DD HH:MM:SS olmalıdır'],
    ['send: send_time without seconds', send({ send_time: '2026-01-02 12:00' }), 400, 'send_time biçimi YYYY-MM-DD HH:MM:SS olmalıdır'],
    ['send: send_time 30 February', send({ send_time: '2026-02-30 12:00:00' }), 400, 'send_time geçerli bir tarih değil'],
    ['send: send_time last year', send({ send_time: '2025-06-01 12:00:00' }), 400, 'Gönderim zamanı geçmiş bir tarih olamaz'],
    ['send: send_speed a word', send({ send_speed: 'fast' }), 400, 'send_speed geçersiz'],
    ['send: file a bare name in JSON', send({ file: 'teklif.pdf' }), 400, 'file alanı geçersiz'],
    [
      'send: an empty file',
      multipart(() => ({ reg_id: String(reg), contacts: '905321234567', file: [Buffer.alloc(0), 'empty.pdf'] })),
      400,
      'Dosya boş olamaz',
    ],
    [
      'send: a 6 MB image (images up to 5 MB)',
      multipart(() => ({ reg_id: String(reg), contacts: '905321234567', file: [pngOf(6 * MB), 'big.png'] })),
      400,
      'Dosya boyutu sınırı aşıyor',
    ],
    [
      'send: malformed multipart',
      raw('/whatsapp/sendmessage/multi', 'multipart/form-data; boundary=xyz', '--xyz\r\nContent-Disposition: form-data; name="reg_id"\r\n\r\n1'),
      400,
      'İstek gövdesi okunamadı',
    ],
    ['logout: reg_id missing', json('/whatsapp/logout', () => ({ phone: DEVICE })), 400, 'reg_id alanı zorunludur'],
    [
      "logout: another phone than the device's",
      json('/whatsapp/logout', () => ({ reg_id: reg, phone: '905550000077' })),
      400,
      'Telefon numarası cihazla eşleşmiyor',
    ],
    ['unknown route', () => client.get('/whatsapp/nothing-here'), 404, 'İstenen kaynak bulunamadı'],
    ['GET on a POST route', () => client.get('/whatsapp/sendmessage/multi'), 404, 'İstenen kaynak bulunamadı'],
  ];

  it.each(cases)('%s', async (_label, call, status, description) => {
    const response = await call();
    expect({ status: response.status, json: response.json }).toEqual({ status, json: { status: false, code: status, description, data: null } });
  });

  it('the refusals sent nothing', async () => {
    const sent = await sandbox.app
      .get(WhatsAppEngine)
      .messages.query({ accountId: `wamessage:${USER}`, direction: 'outbound', order: 'newest', offset: 0, limit: 1 });
    expect(sent.total).toBe(0);
  });

  it('accepts an image of exactly 5 MB, and a file the sandbox cannot name (CSV) as a document', async () => {
    const image = await multipart(() => ({ reg_id: String(reg), contacts: '905321234567', file: [pngOf(5 * MB), 'exactly-5mb.png'] }))();
    expect(image).toMatchObject({ status: 200, json: { description: 'Mesaj gönderildi', data: { file: { mime: 'image/png', size: 5 * MB } } } });
    const csv = await multipart(() => ({
      reg_id: String(reg),
      contacts: '905321234567',
      message: 'liste',
      file: [Buffer.from('ad;telefon\nAyşe;905321234567\n'), 'liste.csv'],
    }))();
    expect(csv).toMatchObject({ status: 200, json: { data: { file: { name: 'liste.csv' } } } });
  });

  it('junk in every field of every route gets a 4xx envelope, never a 500', async () => {
    const junk: unknown[] = [null, true, 0, -1, 1e308, '', ' ', '💥', 'a'.repeat(10_000), [], [[]], {}, { $gt: '' }, ['905321234567', null]];
    const routes: Array<[string, string[]]> = [
      ['/user/register', ['phone', 'password', 'name', 'email']],
      ['/user/login', ['phone', 'password']],
      ['/whatsapp/login/code', ['phone']],
      ['/whatsapp/sendmessage/multi', ['reg_id', 'contacts', 'message', 'file', 'send_time', 'send_speed']],
      ['/whatsapp/logout', ['reg_id', 'phone']],
    ];
    for (const [path, fields] of routes) {
      for (const field of fields) {
        for (const value of junk) {
          const base: Record<string, unknown> = { phone: '905009998877', password: 'gizli-sifre', reg_id: 424242, contacts: '905321234567', message: 'x' };
          const response = await client.json('POST', path, { ...base, [field]: value });
          expect(response.status).toBeLessThan(500);
          if (response.status >= 400) expect(response.json).toMatchObject({ status: false, code: response.status, data: null });
        }
      }
    }
    // About two hundred requests, some of them password hashes: room for a loaded CI machine.
  }, 30_000);
});
