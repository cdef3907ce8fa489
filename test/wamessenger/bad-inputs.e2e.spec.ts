import { request as httpRequest } from 'node:http';
import { httpBuildQuery, phpMultipart } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';

type Body = { json: unknown } | { form: string } | { multipart: Record<string, unknown> } | { raw: string; contentType: string };

interface BadInput {
  name: string;
  method?: 'GET' | 'POST';
  path: string;
  body?: Body;
  /** Defaults: 400 text/plain `Bad Request`. */
  expect?: { status: number; body: string | object };
}

const BAD_REQUEST = { status: 400, body: 'Bad Request' };

/**
 * Every kind of bad input a client can send gets WaMessenger's own error, in its own format (plain-text
 * `Bad Request`, or the settings routes' JSON with a "false" flag), with the reason in x-sandbox-error.
 * Never a 500, never Nest's or Fastify's JSON error.
 */
function cases(media: string): BadInput[] {
  const send = (name: string, body: Body, expectation = BAD_REQUEST): BadInput => ({ name, method: 'POST', path: '/sendMessage/K', body, expect: expectation });
  return [
    send('missing phonenumber (JSON)', { json: { text: 'hi' } }),
    send('missing phonenumber (form)', { form: 'text=hi' }),
    send('missing phonenumber (multipart)', { multipart: { text: 'hi' } }),
    send('missing text', { json: { phonenumber: '989121234567' } }),
    send('empty text', { form: 'phonenumber=989121234567&text=' }),
    send('text as a number', { json: { phonenumber: '989121234567', text: 42 } }),
    send('text as an object', { json: { phonenumber: '989121234567', text: { a: 1 } } }),
    send('phonenumber as a boolean', { json: { phonenumber: true, text: 'hi' } }),
    send('phonenumber with letters', { json: { phonenumber: '98912abc4567', text: 'hi' } }),
    send('phonenumber too short', { json: { phonenumber: '12345', text: 'hi' } }),
    send('one bad number in a bulk send', { form: httpBuildQuery({ phonenumber: ['989121234567', 'nope'], text: 'hi', url: `${media}/sample.jpg` }) }),
    send('empty phonenumber list', { json: { phonenumber: [], text: 'hi', url: `${media}/sample.jpg` } }),
    send('url that is not a link', { json: { phonenumber: '989121234567', text: 'hi', url: 'ftp://files/x.pdf' } }),
    send('url as a number', { json: { phonenumber: '989121234567', text: 'hi', url: 7 } }),
    send('audio over 16 MB', { json: { phonenumber: '989121234567', text: 'hi', url: `${media}/big/${17 * 1024 * 1024}/sample.mp3` } }),
    send('document over 100 MB', { json: { phonenumber: '989121234567', text: 'hi', url: `${media}/big/${101 * 1024 * 1024}/sample.pdf` } }),
    send('OGG with Vorbis instead of Opus', { json: { phonenumber: '989121234567', text: 'hi', url: `${media}/sample-vorbis.ogg` } }),
    send('MP4 without an audio track', { json: { phonenumber: '989121234567', text: 'hi', url: `${media}/sample-no-audio.mp4` } }),
    send('a format WaMessenger does not take (plain text file)', { json: { phonenumber: '989121234567', text: 'hi', url: `${media}/sample.txt` } }),
    send('malformed JSON', { raw: '{"phonenumber": "98912', contentType: 'application/json' }),
    send('JSON that is not an object', { raw: '["989121234567","hi"]', contentType: 'application/json' }),
    send('truncated multipart', {
      raw: '--XYZ\r\nContent-Disposition: form-data; name="phonenumber"\r\n\r\n98912',
      contentType: 'multipart/form-data; boundary=XYZ',
    }),
    send('XML body', { raw: '<message><to>989121234567</to></message>', contentType: 'application/xml' }),
    { name: 'unknown key on sendMessage', method: 'POST', path: '/sendMessage/invalid-key', body: { json: { phonenumber: '989121234567', text: 'hi' } } },
    { name: 'getStatus without id', path: '/getStatus/K' },
    { name: 'getStatus with a non-numeric id', path: '/getStatus/K?id=abc' },
    { name: 'getStatus of an unknown id', path: '/getStatus/K?id=99999999' },
    { name: 'getStatus of another account’s message', path: '/getStatus/OTHER?id=80000000' },
    { name: 'showAllMessages page 0', path: '/showAllMessages/K?page=0' },
    { name: 'showAllMessages page not a number', path: '/showAllMessages/K?page=two' },
    { name: 'showAllMessages filter with letters', path: '/showAllMessages/K?phonenumber=abc' },
    { name: 'showAllGetMessages negative page', path: '/showAllGetMessages/K?page=-1' },
    { name: 'webhook/set without url', path: '/webhook/set/K', expect: { status: 400, body: { set: 'false', url: '', message: 'Invalid webhook url' } } },
    {
      name: 'webhook/set with a non-http url',
      path: '/webhook/set/K?url=ftp://x',
      expect: { status: 400, body: { set: 'false', url: 'ftp://x', message: 'Invalid webhook url' } },
    },
    {
      name: 'webhook/resend with no url set',
      path: '/webhook/resend/FRESH',
      expect: { status: 400, body: { pending: 0, hash: 'FRESH', message: 'Webhook url is not set', url: '' } },
    },
    { name: 'sendSeen with a bogus value', path: '/sendSeen/K?seen=yes', expect: { status: 400, body: { set: 'False', message: 'seen must be on or off' } } },
    { name: 'receive without a value', path: '/receive/K', expect: { status: 400, body: { set: 'False', message: 'receive must be on or off' } } },
    ...[
      'getStatus/invalid?id=80000000',
      'showAllMessages/invalid',
      'pending/invalid',
      'showAllGetMessages/invalid',
      'webhook/set/invalid?url=https://a.b',
      'webhook/remove/invalid',
      'webhook/pending/invalid',
      'webhook/resend/invalid',
      'sendSeen/invalid?seen=on',
      'receive/invalidKEY?receive=on',
    ].map((path) => ({ name: `unknown key: ${path}`, path: `/${path}` })),
    { name: 'unknown route', path: '/sendMessages/K', expect: { status: 404, body: 'Not Found' } },
    { name: 'GET on the POST-only sendMessage', path: '/sendMessage/K', expect: { status: 404, body: 'Not Found' } },
  ];
}

describe('WaMessenger bad inputs', () => {
  const sandbox = useSandbox({ reset: false, media: true });
  beforeAll(async () => {
    // One real message, so "another account's message" has something to point at.
    await fetch(`${sandbox.origin}/wamessenger/sendMessage/SOMEONE`, { method: 'POST', body: phpMultipart({ phonenumber: '989121234567', text: 'x' }) });
  });

  it('covers the kinds the issue names', () => {
    const names = cases('')
      .map((c) => c.name)
      .join('\n');
    for (const kind of [/missing/, /as a number|as a boolean/, /unknown id/, /over 16 MB/, /Vorbis/, /malformed/i, /unknown key/]) expect(names).toMatch(kind);
  });

  it.each(cases('MEDIA').map((c) => [c.name, c] as const))(
    '%s',
    async (_name, template) => {
      const bad = JSON.parse(JSON.stringify(template).replaceAll('MEDIA', sandbox.media.url)) as BadInput;
      const expected = bad.expect ?? BAD_REQUEST;
      const response = await fetch(`${sandbox.origin}/wamessenger${bad.path}`, { method: bad.method ?? 'GET', ...encode(bad.body) });
      const text = await response.text();
      expect(response.status).toBe(expected.status);
      if (typeof expected.body === 'string') {
        expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
        expect(text).toBe(expected.body);
      } else {
        expect(response.headers.get('content-type')).toMatch(/^application\/json/);
        expect(JSON.parse(text)).toEqual(expected.body);
      }
      expect(response.headers.get('x-sandbox-error')).toBeTruthy();
      // The over-size cases fetch up to 101 MB from the media server: room for a machine busy with other work.
    },
    30_000,
  );

  it.each([
    ['application/json', '{"seen":"off","junk":'],
    ['application/x-www-form-urlencoded', 'seen=off'],
  ])('answers a GET that carries a %s body from its query string', async (contentType, body) => {
    const response = await getWithBody(`${sandbox.origin}/wamessenger/sendSeen/K?seen=on`, contentType, body);
    expect(response).toEqual({ status: 200, body: '{"set":"True","message":"sendSeen changed to on"}' });
  });
});

/** fetch() refuses a body on GET; some PHP clients send one anyway. */
function getWithBody(url: string, contentType: string, body: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { method: 'GET', headers: { 'content-type': contentType, 'content-length': Buffer.byteLength(body) } }, (response) => {
      let text = '';
      response
        .setEncoding('utf8')
        .on('data', (chunk: string) => (text += chunk))
        .on('end', () => resolve({ status: response.statusCode ?? 0, body: text }));
    });
    request.on('error', reject).end(body);
  });
}

function encode(body: Body | undefined): RequestInit {
  if (!body) return {};
  if ('json' in body) return { headers: { 'content-type': 'application/json' }, body: JSON.stringify(body.json) };
  if ('form' in body) return { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: body.form };
  if ('multipart' in body) return { body: phpMultipart(body.multipart) };
  return { headers: { 'content-type': body.contentType }, body: body.raw };
}
