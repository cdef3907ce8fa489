import { useSandbox } from '../support/sandbox.js';
import { MaytapiClient } from './maytapi-client.js';

interface BadInput {
  name: string;
  method?: 'GET' | 'POST';
  /** Relative to the product; PHONE, QR_PHONE and MEDIA are replaced. */
  path: string;
  body?: unknown;
  raw?: { text: string; contentType: string };
  headers?: Record<string, string>;
  status: number;
  message: string | RegExp;
}

const send = (name: string, body: unknown, status: number, message: string | RegExp, path = '/PHONE/sendMessage'): BadInput => ({
  name,
  method: 'POST',
  path,
  body,
  status,
  message,
});
const TEXT = { to_number: '905301234567', type: 'text', message: 'hi' };
/** PNG-signed bytes of a given size: what the sandbox identifies as a PNG image. */
const pngBase64 = (bytes: number) => Buffer.concat([Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex'), Buffer.alloc(bytes - 16, 7)]).toString('base64');
// Over the 1 MB image limit, and over the 2 MB request body limit once base64-encoded.
const HUGE_PNG_BASE64 = pngBase64(1600 * 1024);
const PDF_BASE64 = Buffer.from('%PDF-1.4\n%âãÏÓ\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n').toString('base64');

/**
 * Every kind of bad input gets Maytapi's own error shape, `{"success":false,"message":…}` with the reason in
 * x-sandbox-error: never a 500, never Nest's or Fastify's error JSON.
 */
const CASES: BadInput[] = [
  {
    name: 'wrong key (the product is bound to its first key)',
    path: '/product',
    headers: { 'x-maytapi-key': 'another-token' },
    status: 401,
    message: 'Token is not valid',
  },
  { name: 'missing key header', path: '/listPhones', headers: { 'x-maytapi-key': '' }, status: 401, message: 'x-maytapi-key header is required' },
  { name: 'key starting with invalid', path: '/PHONE/status', headers: { 'x-maytapi-key': 'invalid-token' }, status: 401, message: 'Token is not valid' },
  {
    name: 'wrong key on sendMessage',
    method: 'POST',
    path: '/PHONE/sendMessage',
    body: TEXT,
    headers: { 'x-maytapi-key': 'another-token' },
    status: 401,
    message: 'Token is not valid',
  },
  { name: 'unknown phone', path: '/999/status', status: 400, message: '[999] is not a valid phone instance id' },
  {
    name: 'unknown phone on sendMessage',
    method: 'POST',
    path: '/999/sendMessage',
    body: TEXT,
    status: 400,
    message: '[999] is not a valid phone instance id',
  },
  { name: 'phone id that is not a number', path: '/abc/qrCode', status: 400, message: '[abc] is not a valid phone instance id' },
  {
    name: 'unknown product operation (taken for a phone id, as Maytapi does)',
    path: '/getWebhook',
    status: 400,
    message: '[getWebhook] is not a valid phone instance id',
  },
  send('missing to_number', { type: 'text', message: 'hi' }, 400, 'to_number is required'),
  send('empty to_number', { ...TEXT, to_number: '' }, 400, 'to_number is required'),
  send('to_number with letters', { ...TEXT, to_number: '90530abc4567' }, 400, /^to_number must be a phone number with its country code/),
  send('to_number as an object', { ...TEXT, to_number: { n: 1 } }, 400, 'to_number must be a phone number or a chat id'),
  send('missing message', { to_number: '905301234567', type: 'text' }, 400, 'message is required and must be a non-empty string'),
  send('message as a number', { ...TEXT, message: 42 }, 400, 'message is required and must be a non-empty string'),
  send('unknown type', { ...TEXT, type: 'hologram' }, 400, 'Unsupported message type: hologram'),
  send(
    'unsupported media: OGG in Vorbis (the spec: ogg in opus only)',
    { ...TEXT, type: 'media', message: 'MEDIA/sample-vorbis.ogg' },
    400,
    /^Unsupported media: audio\/ogg with codec vorbis is not supported/,
  ),
  send(
    'media that is neither a link nor base64',
    { ...TEXT, type: 'media', message: 'not a link!' },
    400,
    'message must be the media link (http or https) or a base64 image',
  ),
  send(
    'base64 media that is not an image',
    { ...TEXT, type: 'media', message: `data:application/pdf;base64,${PDF_BASE64}` },
    400,
    /^Base64 media must be a jpeg, png, gif or webp image under 1 MB \(format pdf/,
  ),
  send(
    'oversized base64 image',
    { ...TEXT, type: 'media', message: `data:image/png;base64,${pngBase64(1100 * 1024)}` },
    400,
    'Base64 media must be a jpeg, png, gif or webp image under 1 MB (file is 1.1 MB, the limit for png is 1 MB)',
  ),
  send(
    'base64 image making the request body too large',
    { ...TEXT, type: 'media', message: `data:image/png;base64,${HUGE_PNG_BASE64}` },
    400,
    'Base64 media must be an image under 1 MB; send larger files as a link',
  ),
  send('data: media not in base64', { ...TEXT, type: 'media', message: 'data:image/png,rawbytes' }, 400, 'A data: media must be base64 encoded'),
  send('broken base64', { ...TEXT, type: 'media', message: 'data:image/png;base64,@@@@' }, 400, 'The base64 media is not valid base64'),
  send(
    'location without latitude',
    { to_number: '905301234567', type: 'location', longitude: '29.06' },
    400,
    'latitude is required and must be a number between -90 and 90',
  ),
  send(
    'location out of range',
    { to_number: '905301234567', type: 'location', latitude: 91, longitude: 29 },
    400,
    'latitude is required and must be a number between -90 and 90',
  ),
  send(
    'vcard without a vCard',
    { to_number: '905301234567', type: 'vcard', message: { displayName: 'x' } },
    400,
    'message must be a vCard: {displayName, vcard}',
  ),
  send('reaction without reply_to', { to_number: '905301234567', type: 'reaction', message: '😀' }, 400, 'reply_to is required: the message to react to'),
  send(
    'forward of an unknown message',
    { to_number: '905301234567', type: 'forward', message: 'false_905301234567@c.us_3EB0FFFFFFFFFFFFFFFF' },
    400,
    'message: message false_905301234567@c.us_3EB0FFFFFFFFFFFFFFFF not found',
  ),
  send(
    'poll with one option',
    { to_number: '905301234567', type: 'poll', message: 'q?', options: ['only'] },
    400,
    'options must be a list of at least two texts',
  ),
  send('a send while on the QR screen', TEXT, 400, 'Phone QR_PHONE is not logged in (status: qr-code): scan the QR code first', '/QR_PHONE/sendMessage'),
  {
    name: 'malformed JSON',
    method: 'POST',
    path: '/PHONE/sendMessage',
    raw: { text: '{"to_number": "9053', contentType: 'application/json' },
    status: 400,
    message: /^Invalid request body: malformed JSON/,
  },
  {
    name: 'JSON that is not an object',
    method: 'POST',
    path: '/PHONE/sendMessage',
    raw: { text: '["905301234567"]', contentType: 'application/json' },
    status: 400,
    message: 'Invalid request body: JSON body is not an object',
  },
  { name: 'setWebhook without webhook', method: 'POST', path: '/setWebhook', body: {}, status: 400, message: 'webhook is required and must be a url' },
  {
    name: 'setWebhook with an ftp url',
    method: 'POST',
    path: '/setWebhook',
    body: { webhook: 'ftp://x/y' },
    status: 400,
    message: 'webhook must be an http or https url',
  },
  {
    name: 'setAckPreference without a value',
    method: 'POST',
    path: '/setAckPreference',
    body: {},
    status: 400,
    message: 'ack_delivery (or preference) is required and must be true or false',
  },
  {
    name: 'setAckPreference with maybe',
    method: 'POST',
    path: '/setAckPreference',
    body: { preference: 'maybe' },
    status: 400,
    message: 'ack_delivery (or preference) is required and must be true or false',
  },
  { name: 'addPhone with a bad number', method: 'POST', path: '/addPhone', body: { number: 'twelve' }, status: 400, message: /^number must be a phone number/ },
  {
    name: 'config with an ftp webhook',
    method: 'POST',
    path: '/PHONE/config',
    body: { webhook: 'ftp://x' },
    status: 400,
    message: 'webhook must be an http or https url',
  },
  {
    name: 'config with ack_delivery maybe',
    method: 'POST',
    path: '/PHONE/config',
    body: { ack_delivery: 'maybe' },
    status: 400,
    message: 'ack_delivery must be true or false',
  },
  {
    name: 'restore without backup data',
    method: 'POST',
    path: '/QR_PHONE/restore',
    body: { debugCursor: '1' },
    status: 400,
    message: 'The backup data is not valid: WABrowserId is missing',
  },
  {
    name: 'restore with forged data',
    method: 'POST',
    path: '/QR_PHONE/restore',
    body: { WABrowserId: 'abc.def' },
    status: 400,
    message: 'The backup data is not valid',
  },
  { name: 'qrCode of a logged-in phone', path: '/PHONE/qrCode', status: 400, message: 'Phone PHONE is not on the QR code screen (status: active)' },
  {
    name: 'backup of a phone on the QR screen',
    method: 'POST',
    path: '/QR_PHONE/backup',
    status: 400,
    message: 'Phone QR_PHONE is not logged in (status: qr-code): backup needs an active session',
  },
  { name: 'unknown phone operation', path: '/PHONE/noSuchOperation', status: 404, message: 'Not Found' },
  { name: 'GET on the POST-only sendMessage', path: '/PHONE/sendMessage', status: 404, message: 'Not Found' },
];

describe('Maytapi bad inputs', () => {
  let client: MaytapiClient;
  const ids = { PHONE: '', QR_PHONE: '' };

  const sandbox = useSandbox({ reset: false, media: true });
  beforeAll(async () => {
    client = new MaytapiClient(`${sandbox.origin}/maytapi/api`, 'bad-inputs-product', 'the-token');
    ids.PHONE = String((await client.post('/addPhone')).json.id);
    ids.QR_PHONE = String((await client.post('/addPhone')).json.id);
    // A new phone starts up (loading) for at most 3 s before it shows its QR code.
    await sandbox.control.advance(3_000);
    const session = (await sandbox.control.sessions('maytapi', client.productId)).find((s) => s.label === ids.PHONE)!;
    await sandbox.control.scan(session.id);
    await sandbox.control.advance(5_000);
  });

  it('covers the kinds the issue names', () => {
    const names = CASES.map((c) => c.name).join('\n');
    for (const kind of [/unknown phone/, /wrong key/, /missing to_number/, /unsupported media/, /oversized base64/, /while on the QR screen/])
      expect(names).toMatch(kind);
  });

  it.each(CASES.map((c) => [c.name, c] as const))('%s', async (_name, bad) => {
    const fill = (text: string) => text.replaceAll('QR_PHONE', ids.QR_PHONE).replaceAll('PHONE', ids.PHONE).replaceAll('MEDIA', sandbox.media.url);
    const body = bad.raw ? bad.raw.text : bad.body === undefined ? undefined : fill(JSON.stringify(bad.body));
    const contentType = bad.raw?.contentType ?? (body === undefined ? undefined : 'application/json');
    const response = await fetch(`${client.url}${fill(bad.path)}`, {
      method: bad.method ?? 'GET',
      headers: { 'x-maytapi-key': client.token, ...(contentType ? { 'content-type': contentType } : {}), ...bad.headers },
      ...(body === undefined ? {} : { body }),
    });
    const text = await response.text();
    expect(response.status).toBe(bad.status);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const json = JSON.parse(text) as { success: unknown; message: string };
    expect(Object.keys(json)).toEqual(['success', 'message']);
    expect(json.success).toBe(false);
    if (typeof bad.message === 'string') expect(json.message).toBe(fill(bad.message));
    else expect(json.message).toMatch(bad.message);
    expect(response.headers.get('x-sandbox-error')).toBeTruthy();
  });
});
