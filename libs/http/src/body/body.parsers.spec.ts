import 'reflect-metadata';
import { existsSync, readFileSync } from 'node:fs';
import { request as httpRequest, Agent, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { All, Controller, Module, Req } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyRequest } from 'fastify';
import { bodyOf, bodyProblem, registerBodyParsers, type BodyParsingOptions } from './index.js';

const PERSIAN = 'سلام دنیا';

/** Upload paths the echo saw, to check that files are gone once the response is sent. */
const echoedUploads: string[] = [];

/** Files become JSON-friendly: their bytes (read from disk while the request lasts) as base64. */
function jsonFriendly(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonFriendly);
  if (typeof value === 'object' && value !== null && 'path' in value && typeof value.path === 'string') {
    const { path, size, ...file } = value as Record<string, unknown> & { path: string; size: number };
    echoedUploads.push(path);
    const data = readFileSync(path);
    if (data.length !== size) throw new Error(`upload ${path} holds ${data.length} bytes, not ${size}`);
    return { ...file, data: data.toString('base64') };
  }
  if (typeof value === 'object' && value !== null) {
    const entries = Object.entries(value).map(([key, item]) => [key, Buffer.isBuffer(item) ? item.toString('base64') : jsonFriendly(item)]);
    return Object.fromEntries(entries);
  }
  return value;
}

@Controller()
class EchoController {
  @All('echo')
  echo(@Req() req: FastifyRequest) {
    return { method: req.method, body: jsonFriendly(bodyOf(req)), problem: bodyProblem(req) ?? null, query: req.query };
  }
}

@Module({ controllers: [EchoController] })
class EchoModule {}

async function createApp(options?: Partial<BodyParsingOptions>, adapter = new FastifyAdapter()): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(EchoModule, adapter, {
    bodyParser: false,
    logger: false,
  });
  await registerBodyParsers(app.getHttpAdapter().getInstance(), { bodyLimit: () => 2 * 1024 * 1024, ...options });
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

interface Echo {
  method: string;
  body: Record<string, unknown>;
  problem: string | null;
  query: Record<string, unknown>;
}

type Part = { name: string; value: string } | { name: string; filename: string; type?: string; data: Buffer };

const BOUNDARY = '------------------------d74496d66958873e';

/** A multipart body as PHP curl writes it. */
function multipart(parts: Part[], boundary = BOUNDARY): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    if ('value' in part) {
      chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"\r\n\r\n${part.value}\r\n`));
    } else {
      chunks.push(
        Buffer.from(
          `--${boundary}\r\nContent-Disposition: form-data; name="${part.name}"; filename="${part.filename}"\r\n` +
            `Content-Type: ${part.type ?? 'application/octet-stream'}\r\n\r\n`,
        ),
        part.data,
        Buffer.from('\r\n'),
      );
    }
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

interface Answer {
  status: number;
  echo: Echo;
}

/**
 * One request over real HTTP, with exactly the headers given plus the content length (no client
 * adds a content type). Node sends a GET or DELETE body unframed unless the length is set.
 */
function call(port: number, method: string, path: string, headers: Record<string, string>, payload: string | Buffer | undefined): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const length = payload === undefined ? {} : { 'content-length': String(Buffer.byteLength(payload)) };
    const outgoing = httpRequest({ host: '127.0.0.1', port, method, path, headers: { ...length, ...headers } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, echo: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Echo }));
      response.on('error', reject);
    });
    outgoing.on('error', reject);
    outgoing.end(payload);
  });
}

async function listen(app: NestFastifyApplication): Promise<number> {
  await app.listen(0, '127.0.0.1');
  return (app.getHttpServer().address() as AddressInfo).port;
}

describe('body parsing on Nest + Fastify', () => {
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    app = await createApp();
    port = await listen(app);
  });
  afterAll(async () => {
    await app.close();
  });

  async function send(
    payload: string | Buffer | undefined,
    headers: Record<string, string> = {},
    method: 'POST' | 'GET' | 'PUT' | 'DELETE' | 'PATCH' = 'POST',
    url = '/echo',
  ): Promise<Echo> {
    const { status, echo } = await call(port, method, url, headers, payload);
    expect(status).toBe(200);
    return echo;
  }

  describe('JSON', () => {
    test('an object', async () => {
      const echo = await send(JSON.stringify({ phonenumber: ['989121234567'], text: PERSIAN, n: 1 }), {
        'content-type': 'application/json',
      });
      expect(echo).toMatchObject({ body: { phonenumber: ['989121234567'], text: PERSIAN, n: 1 }, problem: null });
    });

    test.each([
      'Application/JSON; Charset=UTF-8',
      'application/json;charset=utf-8',
      'APPLICATION/JSON',
      'application/vnd.api+json',
      'text/json; charset="UTF-8"',
    ])('content type %s', async (contentType) => {
      const echo = await send(JSON.stringify({ text: PERSIAN }), { 'content-type': contentType });
      expect(echo).toMatchObject({ body: { text: PERSIAN }, problem: null });
    });

    test('a UTF-8 BOM and another charset', async () => {
      const bom = await send(Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from('{"text":"سلام"}')]), {
        'content-type': 'application/json',
      });
      expect(bom).toMatchObject({ body: { text: 'سلام' }, problem: null });
      const latin1 = await send(Buffer.from('{"text":"caf\u00e9"}', 'latin1'), {
        'content-type': 'application/json; charset=ISO-8859-1',
      });
      expect(latin1).toMatchObject({ body: { text: 'café' }, problem: null });
    });

    test('malformed', async () => {
      const echo = await send('{"text": "hi",}', { 'content-type': 'application/json' });
      expect(echo.body).toEqual({});
      expect(echo.problem).toMatch(/^malformed JSON: .+/);
    });

    test.each(['[1]', '"x"', 'null', '42'])('not an object: %s', async (payload) => {
      const echo = await send(payload, { 'content-type': 'application/json' });
      expect(echo).toMatchObject({ body: {}, problem: 'JSON body is not an object' });
    });

    test('empty body', async () => {
      expect(await send('', { 'content-type': 'application/json' })).toMatchObject({ body: {}, problem: null });
      expect(await send('  \n', { 'content-type': 'application/json' })).toMatchObject({ body: {}, problem: null });
    });

    test('__proto__ keys are dropped', async () => {
      const echo = await send('{"__proto__":{"polluted":true},"a":{"__proto__":{"x":1},"b":"c"}}', {
        'content-type': 'application/json',
      });
      expect(echo).toMatchObject({ body: { a: { b: 'c' } }, problem: null });
      expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    });
  });

  describe('form-urlencoded', () => {
    const form = { 'content-type': 'application/x-www-form-urlencoded' };

    test('PHP indexed brackets', async () => {
      const echo = await send('phonenumber%5B0%5D=989121234567&phonenumber%5B1%5D=989121234568&text=hi', form);
      expect(echo).toMatchObject({ body: { phonenumber: ['989121234567', '989121234568'], text: 'hi' }, problem: null });
    });

    test('PHP empty brackets, raw', async () => {
      const echo = await send('phonenumber[]=989121234567&phonenumber[]=989121234568&text=hi', form);
      expect(echo.body).toEqual({ phonenumber: ['989121234567', '989121234568'], text: 'hi' });
    });

    test('nested brackets', async () => {
      const echo = await send('a[b]=c&a[d][e]=f&list[0][to]=1&list[1][to]=2', form);
      expect(echo.body).toEqual({ a: { b: 'c', d: { e: 'f' } }, list: [{ to: '1' }, { to: '2' }] });
    });

    test('+ is a space, %0A a newline, a repeated plain name keeps its last value (PHP)', async () => {
      const echo = await send('text=hello+world%0Asecond+line&phonenumber=1&phonenumber=2&empty=&flag', form);
      expect(echo.body).toEqual({ text: 'hello world\nsecond line', phonenumber: '2', empty: '', flag: '' });
    });

    test('1000 recipients', async () => {
      const numbers = Array.from({ length: 1000 }, (_, i) => String(989120000000 + i));
      const body = `${numbers.map((n, i) => `phonenumber%5B${i}%5D=${n}`).join('&')}&text=hi&url=http%3A%2F%2Fx`;
      const echo = await send(body, form);
      expect(echo.body).toEqual({ phonenumber: numbers, text: 'hi', url: 'http://x' });
      const pushed = await send(numbers.map((n) => `phonenumber[]=${n}`).join('&'), form);
      expect(pushed.body).toEqual({ phonenumber: numbers });
    });

    test('Persian, percent-encoded and raw UTF-8', async () => {
      const encoded = await send(`text=${encodeURIComponent(PERSIAN)}`, { 'content-type': 'application/x-www-form-urlencoded; charset=UTF-8' });
      expect(encoded).toMatchObject({ body: { text: PERSIAN }, problem: null });
      const raw = await send(Buffer.from(`text=${PERSIAN}`), form);
      expect(raw.body).toEqual({ text: PERSIAN });
    });

    test('a non-UTF-8 charset (windows-1256 Persian)', async () => {
      // سلام in windows-1256
      const echo = await send('text=%D3%E1%C7%E3+1', { 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=windows-1256' });
      expect(echo.body).toEqual({ text: 'سلام 1' });
    });
  });

  describe('multipart', () => {
    const headers = { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` };

    test('bracket fields and a file, as PHP curl sends them', async () => {
      const image = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x00, 0xff, 0x0d, 0x0a]);
      const echo = await send(
        multipart([
          { name: 'phonenumber[0]', value: '989121234567' },
          { name: 'phonenumber[1]', value: '989121234568' },
          { name: 'tags[]', value: 'a' },
          { name: 'tags[]', value: 'b' },
          { name: 'meta[lang]', value: 'fa' },
          { name: 'text', value: PERSIAN },
          { name: 'file', filename: `${PERSIAN}.png`, type: 'image/png', data: image },
        ]),
        headers,
      );
      expect(echo).toEqual(
        expect.objectContaining({
          problem: null,
          body: {
            phonenumber: ['989121234567', '989121234568'],
            tags: ['a', 'b'],
            meta: { lang: 'fa' },
            text: PERSIAN,
            file: { fieldName: 'file', filename: `${PERSIAN}.png`, mimetype: 'image/png', data: image.toString('base64') },
          },
        }),
      );
    });

    test('files are written to uploadPath, never held in the body, and removed once the response is sent', async () => {
      echoedUploads.length = 0;
      const echo = await send(multipart([{ name: 'file', filename: 'a.bin', data: Buffer.alloc(300_000, 7) }]), headers);
      expect((echo.body.file as { data: string }).data).toBe(Buffer.alloc(300_000, 7).toString('base64'));
      expect(echoedUploads).toHaveLength(1);
      expect(echoedUploads[0]).toMatch(/wa-sandbox-upload-[0-9a-f]+$/);
      // Removed by the onResponse hook, which runs once the answer is out: wait for it, within Jest's timeout.
      while (existsSync(echoedUploads[0]!)) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(existsSync(echoedUploads[0]!)).toBe(false);
    });

    test('several files under bracket names', async () => {
      const echo = await send(
        multipart([
          { name: 'files[]', filename: 'a.txt', type: 'text/plain', data: Buffer.from('A') },
          { name: 'files[]', filename: 'b.txt', type: 'text/plain', data: Buffer.from('B') },
          { name: 'doc[cover]', filename: 'c.bin', data: Buffer.alloc(0) },
        ]),
        headers,
      );
      expect(echo.problem).toBeNull();
      expect(echo.body).toEqual({
        files: [
          { fieldName: 'files[]', filename: 'a.txt', mimetype: 'text/plain', data: Buffer.from('A').toString('base64') },
          { fieldName: 'files[]', filename: 'b.txt', mimetype: 'text/plain', data: Buffer.from('B').toString('base64') },
        ],
        doc: { cover: { fieldName: 'doc[cover]', filename: 'c.bin', mimetype: 'application/octet-stream', data: '' } },
      });
    });

    test('as Node/undici FormData encodes it, with odd casing', async () => {
      const formData = new FormData();
      formData.append('phonenumber[]', '989121234567');
      formData.append('text', PERSIAN);
      formData.append('media', new Blob([Buffer.from('hello')], { type: 'text/plain' }), 'note.txt');
      const encoded = new Response(formData);
      const contentType = encoded.headers.get('content-type')!.replace('multipart/form-data', 'Multipart/Form-Data');
      const echo = await send(Buffer.from(await encoded.arrayBuffer()), { 'content-type': contentType });
      expect(echo).toMatchObject({
        problem: null,
        body: {
          phonenumber: ['989121234567'],
          text: PERSIAN,
          media: { fieldName: 'media', filename: 'note.txt', mimetype: 'text/plain', data: Buffer.from('hello').toString('base64') },
        },
      });
    });

    test('truncated', async () => {
      const whole = multipart([
        { name: 'text', value: 'hi' },
        { name: 'file', filename: 'a.bin', data: Buffer.alloc(1000, 1) },
      ]);
      const echo = await send(whole.subarray(0, whole.length - 600), headers);
      expect(echo.body).toEqual({});
      expect(echo.problem).toMatch(/^malformed multipart: /);
    });

    test('without a boundary', async () => {
      const echo = await send(multipart([{ name: 'text', value: 'hi' }]), { 'content-type': 'multipart/form-data' });
      expect(echo.body).toEqual({});
      expect(echo.problem).toMatch(/^malformed multipart: /);
    });

    test('with a boundary that does not match the body', async () => {
      const echo = await send(multipart([{ name: 'text', value: 'hi' }]), {
        'content-type': 'multipart/form-data; boundary=somethingelse',
      });
      expect(echo.body).toEqual({});
      expect(echo.problem).toMatch(/^malformed multipart: /);
    });

    test('empty', async () => {
      expect(await send('', headers)).toMatchObject({ body: {}, problem: null });
    });

    test('a part without a name is skipped', async () => {
      const body =
        `--${BOUNDARY}\r\nContent-Disposition: form-data\r\n\r\nlost\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; filename="x.bin"\r\n\r\nlost\r\n` +
        `--${BOUNDARY}\r\nContent-Disposition: form-data; name="text"\r\n\r\nkept\r\n--${BOUNDARY}--\r\n`;
      expect(await send(body, headers)).toMatchObject({ body: { text: 'kept' }, problem: null });
    });
  });

  describe('other and missing content types', () => {
    test('no content type, a form string', async () => {
      const echo = await send(Buffer.from(`phonenumber[]=989121234567&text=${encodeURIComponent(PERSIAN)}`));
      expect(echo).toMatchObject({ body: { phonenumber: ['989121234567'], text: PERSIAN }, problem: null });
    });

    test('no content type, something else', async () => {
      const echo = await send(Buffer.from('{"text":"hi"}'));
      expect(echo).toMatchObject({ body: {}, problem: 'missing content type' });
    });

    test('text/plain with a form string', async () => {
      const echo = await send('text=hi&phonenumber=989121234567', { 'content-type': 'text/plain; charset=utf-8' });
      expect(echo).toMatchObject({ body: { text: 'hi', phonenumber: '989121234567' }, problem: null });
    });

    test('text/plain with prose, text/xml', async () => {
      expect(await send(`${PERSIAN}, how are you?`, { 'content-type': 'text/plain' })).toMatchObject({
        body: {},
        problem: 'unsupported content type text/plain',
      });
      expect(await send('<a>b=c</a>', { 'content-type': 'Text/XML; charset=utf-8' })).toMatchObject({
        body: {},
        problem: 'unsupported content type text/xml',
      });
    });

    test('an empty body of an unknown type', async () => {
      expect(await send('', { 'content-type': 'text/plain' })).toMatchObject({ body: {}, problem: null });
    });

    test('content types Fastify would answer 415', async () => {
      expect(await send('text=hi', { 'content-type': 'form' })).toMatchObject({ body: { text: 'hi' }, problem: null });
      expect(await send('{"text":"hi"}', { 'content-type': 'json' })).toMatchObject({
        body: {},
        problem: 'unsupported content type json',
      });
      expect(await send('{"text":"hi"}', { 'content-type': '' })).toMatchObject({ body: {}, problem: 'missing content type' });
      expect(await send('', { 'content-type': 'application/' })).toMatchObject({ body: {}, problem: null });
    });
  });

  describe('methods', () => {
    test('GET with a JSON body and a query string: answered, query intact, body ignored', async () => {
      const echo = await send('{"text":"hi"}', { 'content-type': 'application/json' }, 'GET', `/echo?id=80000001&q=${encodeURIComponent(PERSIAN)}`);
      expect(echo).toEqual({ method: 'GET', body: {}, problem: null, query: { id: '80000001', q: PERSIAN } });
    });

    test('GET with a malformed body', async () => {
      const echo = await send('{{{', { 'content-type': 'application/json' }, 'GET', '/echo?id=1');
      expect(echo).toMatchObject({ body: {}, problem: null, query: { id: '1' } });
    });

    test('DELETE, PUT and PATCH bodies are parsed', async () => {
      for (const method of ['DELETE', 'PUT', 'PATCH'] as const) {
        const echo = await send('{"text":"hi"}', { 'content-type': 'application/json' }, method, '/echo?x=1');
        expect(echo).toMatchObject({ method, body: { text: 'hi' }, problem: null, query: { x: '1' } });
      }
    });

    test('POST without a body', async () => {
      expect(await send(undefined)).toMatchObject({ body: {}, problem: null });
    });
  });
});

describe('limits', () => {
  let app: NestFastifyApplication;
  let port: number;

  beforeAll(async () => {
    app = await createApp({ bodyLimit: () => 1024, fileSizeLimit: 4096 });
    port = await listen(app);
  });
  afterAll(async () => {
    await app.close();
  });

  async function post(payload: string | Buffer, contentType: string): Promise<Echo> {
    const { status, echo } = await call(port, 'POST', '/echo', { 'content-type': contentType }, payload);
    expect(status).toBe(200);
    return echo;
  }

  test('a JSON or form body over the limit', async () => {
    const text = 'x'.repeat(1100);
    expect(await post(JSON.stringify({ text }), 'application/json')).toMatchObject({ body: {}, problem: 'body too large' });
    expect(await post(`text=${text}`, 'application/x-www-form-urlencoded')).toMatchObject({ body: {}, problem: 'body too large' });
    expect(await post(`text=${text}`, 'text/plain')).toMatchObject({ body: {}, problem: 'body too large' });
  });

  test('a body exactly at the limit', async () => {
    const body = `text=${'x'.repeat(1024 - 5)}`;
    expect((await post(body, 'application/x-www-form-urlencoded')).problem).toBeNull();
  });

  test('a multipart file over the file limit', async () => {
    const echo = await post(
      multipart([
        { name: 'text', value: 'hi' },
        { name: 'file', filename: 'big.bin', data: Buffer.alloc(5000, 7) },
        { name: 'after', value: 'x' },
      ]),
      `multipart/form-data; boundary=${BOUNDARY}`,
    );
    expect(echo).toMatchObject({ body: {}, problem: 'file too large' });
  });

  test('multipart files over the file limit together', async () => {
    const echo = await post(
      multipart([
        { name: 'a', filename: 'a.bin', data: Buffer.alloc(3000, 7) },
        { name: 'b', filename: 'b.bin', data: Buffer.alloc(3000, 7) },
      ]),
      `multipart/form-data; boundary=${BOUNDARY}`,
    );
    expect(echo).toMatchObject({ body: {}, problem: 'file too large' });
  });

  test('multipart fields over the body limit', async () => {
    const fields = Array.from({ length: 20 }, (_, i) => ({ name: `phonenumber[${i}]`, value: '9'.repeat(60) }));
    const echo = await post(multipart(fields), `multipart/form-data; boundary=${BOUNDARY}`);
    expect(echo).toMatchObject({ body: {}, problem: 'body too large' });
    const one = await post(multipart([{ name: 'text', value: 'y'.repeat(2000) }]), `multipart/form-data; boundary=${BOUNDARY}`);
    expect(one).toMatchObject({ body: {}, problem: 'body too large' });
  });

  test('an endless upload is answered once past the limit, and the connection stays usable', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const json = (response: IncomingMessage): Promise<Echo> =>
        new Promise((resolve, reject) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8')) as Echo));
          response.on('error', reject);
        });

      // Chunked, no content-length: the server only learns the size by reading.
      const upload = httpRequest({ host: '127.0.0.1', port, path: '/echo', method: 'POST', agent, headers: { 'content-type': 'application/json' } });
      const answered = new Promise<IncomingMessage>((resolve) => upload.on('response', resolve));
      upload.write('{"text":"');
      upload.write('x'.repeat(2048));
      const response = await answered;
      expect(response.statusCode).toBe(200);
      expect(await json(response)).toMatchObject({ body: {}, problem: 'body too large' });
      upload.end('"}');

      const next = httpRequest({ host: '127.0.0.1', port, path: '/echo', method: 'POST', agent, headers: { 'content-type': 'application/json' } });
      const nextAnswered = new Promise<IncomingMessage>((resolve) => next.on('response', resolve));
      next.end('{"text":"ok"}');
      const nextResponse = await nextAnswered;
      expect(await json(nextResponse)).toMatchObject({ body: { text: 'ok' }, problem: null });
      // One socket allowed: the same one means the server kept the connection open.
      expect(nextResponse.socket).toBe(response.socket);
    } finally {
      agent.destroy();
    }
  });

  test.each([
    ['application/json', '{"text":"'],
    [`multipart/form-data; boundary=${BOUNDARY}`, `--${BOUNDARY}\r\nContent-Disposition: form-data; name="f"; filename="a"\r\n\r\nabc`],
  ])('a client gone mid-body (%s) does not take the server down', async (contentType, start) => {
    const gone = httpRequest({
      host: '127.0.0.1',
      port,
      path: '/echo',
      method: 'POST',
      agent: false,
      headers: { 'content-type': contentType, 'content-length': '900' },
    });
    const closed = new Promise<void>((resolve) => gone.on('close', resolve));
    gone.on('error', () => {});
    gone.write(start, () => gone.destroy());
    await closed;
    expect(await post('{"text":"still here"}', 'application/json')).toMatchObject({ body: { text: 'still here' } });
  });
});

test("with Nest's adapter registering @fastify/multipart too (multipart: true)", async () => {
  const app = await createApp({}, new FastifyAdapter({ multipart: true }));
  try {
    const port = await listen(app);
    const payload = multipart([
      { name: 'phonenumber[]', value: '989121234567' },
      { name: 'file', filename: 'a.txt', type: 'text/plain', data: Buffer.from(PERSIAN) },
    ]);
    const { echo } = await call(port, 'POST', '/echo', { 'content-type': `multipart/form-data; boundary=${BOUNDARY}` }, payload);
    expect(echo).toMatchObject({
      problem: null,
      body: {
        phonenumber: ['989121234567'],
        file: { fieldName: 'file', filename: 'a.txt', mimetype: 'text/plain', data: Buffer.from(PERSIAN).toString('base64') },
      },
    });
  } finally {
    await app.close();
  }
});
