import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startMediaServer, type MediaServer } from '../../../../test/support/media-server.js';
import { fetchMedia as fetchToFile, MediaFetchError, type MediaFetchOptions } from './index.js';
import { MB } from '../units.js';

const FIXTURES = join(process.cwd(), 'fixtures', 'media');
const opts: MediaFetchOptions = { maxBytes: 16 * MB, timeoutMs: 5_000 };

const scratch = mkdtempSync(join(tmpdir(), 'media-fetch-spec-'));
let files = 0;
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** Fetches into a scratch file and reads it back. */
async function fetchMedia(url: string, options: MediaFetchOptions): Promise<{ bytes: Buffer; size: number; contentType?: string }> {
  const path = join(scratch, `file-${++files}`);
  const fetched = await fetchToFile(url, path, options);
  return { ...fetched, bytes: await readFile(path) };
}

async function failure(promise: Promise<unknown>): Promise<MediaFetchError> {
  const error = await promise.then(
    () => undefined,
    (rejected: unknown) => rejected,
  );
  expect(error).toBeInstanceOf(MediaFetchError);
  return error as MediaFetchError;
}

describe('fetchMedia over http', () => {
  let server: MediaServer;
  beforeAll(async () => {
    server = await startMediaServer();
  });
  afterAll(async () => {
    await server.close();
  });

  test('returns the bytes and the content type as served', async () => {
    const { bytes, contentType } = await fetchMedia(`${server.url}/sample.mp4`, opts);
    expect(Buffer.from(bytes).equals(readFileSync(join(FIXTURES, 'sample.mp4')))).toBe(true);
    expect(contentType).toBe('application/octet-stream');
  });

  test('a streamed body without Content-Length under the limit arrives whole', async () => {
    const { bytes } = await fetchMedia(`${server.url}/big/300000/sample.pdf`, opts);
    expect(bytes.length).toBe(300_000);
    expect(Buffer.from(bytes.subarray(0, 5)).toString()).toBe('%PDF-');
  });

  test.each([404, 500, 302])('HTTP %i is http_status', async (status) => {
    const error = await failure(fetchMedia(`${server.url}/status/${status}`, opts));
    expect(error.code).toBe('http_status');
    expect(error.message).toContain(`HTTP ${status}`);
  });

  test('a missing fixture is http_status 404', async () => {
    expect((await failure(fetchMedia(`${server.url}/nope.bin`, opts))).code).toBe('http_status');
  });

  test('a server that never answers is a timeout', async () => {
    const error = await failure(fetchMedia(`${server.url}/hang`, { ...opts, timeoutMs: 200 }));
    expect(error.code).toBe('timeout');
    expect(error.message).toContain('200 ms');
  });

  test('a Content-Length over the limit is refused before the body is read', async () => {
    const error = await failure(fetchMedia(`${server.url}/sample.mp4`, { ...opts, maxBytes: 1000 }));
    expect(error.code).toBe('too_large');
    expect(error.message).toContain('Content-Length');
  });

  test('a body exactly at the limit is accepted', async () => {
    const { bytes } = await fetchMedia(`${server.url}/big/100000/sample.zip`, { ...opts, maxBytes: 100_000 });
    expect(bytes.length).toBe(100_000);
  });

  test('a streamed body over the limit is cut off: the server sees the client leave before it sent everything', async () => {
    const total = 256 * MB;
    const before = server.bigTransfers.length;
    const error = await failure(fetchMedia(`${server.url}/big/${total}/sample.zip`, { ...opts, maxBytes: MB }));
    expect(error.code).toBe('too_large');
    expect(error.message).toContain('1 MB');

    const transfer = server.bigTransfers[before]!;
    expect(transfer.total).toBe(total);
    const { sent, completed } = await transfer.finished;
    expect(completed).toBe(false);
    // Only socket buffers' worth may be in flight beyond what the client read.
    expect(sent).toBeLessThan(64 * MB);
  });

  test('a closed port is unreachable', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const { port } = closed.address() as AddressInfo;
    await new Promise<void>((resolve) => closed.close(() => resolve()));

    const error = await failure(fetchMedia(`http://127.0.0.1:${port}/x.jpg`, opts));
    expect(error.code).toBe('unreachable');
    expect(error.message).toContain('ECONNREFUSED');
  });
});

describe('fetchMedia URL checks', () => {
  test.each(['ftp://example.test/a.jpg', 'file:///etc/passwd', 'not a url', '', 'http://user:pw@127.0.0.1/a.jpg'])('%j is invalid_url', async (url) => {
    expect((await failure(fetchMedia(url, opts))).code).toBe('invalid_url');
  });
});

describe('fetchMedia with data: URLs', () => {
  const png = readFileSync(join(FIXTURES, 'sample.png'));

  test('base64', async () => {
    const { bytes, contentType } = await fetchMedia(`data:image/png;base64,${png.toString('base64')}`, opts);
    expect(Buffer.from(bytes).equals(png)).toBe(true);
    expect(contentType).toBe('image/png');
  });

  test('base64 with percent-encoded characters and line breaks', async () => {
    const encoded = png
      .toString('base64')
      .replace(/\+/g, '%2B')
      .replace(/\//g, '%2F')
      .replace(/(.{76})/g, '$1%0A');
    const { bytes } = await fetchMedia(`DATA:image/png;BASE64,${encoded}`, opts);
    expect(Buffer.from(bytes).equals(png)).toBe(true);
  });

  test('percent-encoded, without a media type', async () => {
    const { bytes, contentType } = await fetchMedia('data:,%89PNG%0D%0A%1A%0Ahello%20world', opts);
    expect(Array.from(bytes.subarray(0, 8))).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    expect(Buffer.from(bytes.subarray(8)).toString()).toBe('hello world');
    expect(contentType).toBeUndefined();
  });

  test('empty data', async () => {
    expect((await fetchMedia('data:text/plain,', opts)).bytes.length).toBe(0);
  });

  test('invalid base64 is invalid_url', async () => {
    expect((await failure(fetchMedia('data:image/png;base64,iVBOR*w0K', opts))).code).toBe('invalid_url');
  });

  test('no comma is invalid_url', async () => {
    expect((await failure(fetchMedia('data:image/png;base64', opts))).code).toBe('invalid_url');
  });

  test('over the limit is too_large', async () => {
    const url = `data:image/png;base64,${png.toString('base64')}`;
    expect((await failure(fetchMedia(url, { ...opts, maxBytes: png.length - 1 }))).code).toBe('too_large');
    expect((await fetchMedia(url, { ...opts, maxBytes: png.length })).bytes.length).toBe(png.length);
  });
});
