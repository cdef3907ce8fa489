import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startMediaServer, type MediaServer } from '../../../../test/support/media-server.js';
import { EngineClock } from '../clock/clock.js';
import { Scheduler } from '../clock/scheduler.js';
import { MemoryStore } from '../store/memory.store.js';
import { checkMediaPolicy, MediaFiles, MediaInspector, sniffMedia, type MediaFormat, type MediaInfo, type MediaPolicy, type MediaRule } from './index.js';
import { MB } from '../units.js';

const FIXTURES = join(process.cwd(), 'fixtures', 'media');
const sniffFixture = (name: string): MediaInfo => sniffMedia(new Uint8Array(readFileSync(join(FIXTURES, name))));

const rules = (formats: MediaFormat[], maxBytes: number, extra: Partial<MediaRule> = {}): MediaRule[] =>
  formats.map((format) => ({ format, maxBytes, ...extra }));

/** Test data mirroring WaMessenger's published media rules (shared/PROVIDERS.md §1); the provider owns the real one. */
const WAMESSENGER_LIKE: MediaPolicy = {
  rules: [
    ...rules(['mp3', 'aac'], 16 * MB),
    ...rules(['ogg'], 16 * MB, { audioCodecs: ['opus'] }),
    ...rules(['pdf', 'xls', 'xlsx', 'doc', 'docx', 'ppt', 'pptx'], 100 * MB),
    ...rules(['3gp'], 16 * MB),
    ...rules(['mp4'], 16 * MB, { requireAudioTrack: true }),
    ...rules(['amr', 'wav', 'gif', 'webp', 'zip', 'rar', 'exe', 'apk'], 100 * MB),
    ...rules(['jpeg', 'png'], 16 * MB),
  ],
};

const ACCEPTED = [
  'sample.jpg',
  'sample.png',
  'sample.gif',
  'sample.webp',
  'sample.pdf',
  'sample.mp3',
  'sample.aac',
  'sample-opus.ogg',
  'sample.amr',
  'sample.wav',
  'sample.mp4',
  'sample.3gp',
  'sample.docx',
  'sample.xlsx',
  'sample.pptx',
  'sample.doc',
  'sample.xls',
  'sample.ppt',
  'sample.zip',
  'sample.rar',
  'sample.exe',
  'sample.apk',
  'really-a-png.jpg',
  'sample-audio-only.m4a',
];

describe('checkMediaPolicy', () => {
  test.each(ACCEPTED)('%s is accepted', (name) => {
    const info = sniffFixture(name);
    expect(checkMediaPolicy(info, WAMESSENGER_LIKE)).toEqual({ ok: true, info });
  });

  test('an Ogg file with Vorbis inside is refused for its codec', () => {
    const info = sniffFixture('sample-vorbis.ogg');
    expect(checkMediaPolicy(info, WAMESSENGER_LIKE)).toEqual({
      ok: false,
      code: 'unsupported_codec',
      reason: 'audio/ogg with codec vorbis is not supported (opus only)',
      info,
    });
  });

  test('an Ogg file whose codec could not be read is refused as unknown', () => {
    const info: MediaInfo = { format: 'ogg', kind: 'audio', mime: 'audio/ogg', size: 100 };
    expect(checkMediaPolicy(info, WAMESSENGER_LIKE)).toMatchObject({
      ok: false,
      code: 'unsupported_codec',
      reason: 'audio/ogg with codec unknown is not supported (opus only)',
    });
  });

  test('an mp4 without an audio track is refused', () => {
    const info = sniffFixture('sample-no-audio.mp4');
    expect(checkMediaPolicy(info, WAMESSENGER_LIKE)).toEqual({
      ok: false,
      code: 'missing_audio_track',
      reason: 'mp4 without an audio track is not supported',
      info,
    });
  });

  test('an unknown file is refused for its format', () => {
    const info = sniffFixture('sample.txt');
    expect(checkMediaPolicy(info, WAMESSENGER_LIKE)).toEqual({
      ok: false,
      code: 'unsupported_format',
      reason: 'format unknown is not supported',
      info,
    });
  });

  test('a format without a rule is refused', () => {
    const policy: MediaPolicy = { rules: rules(['jpeg'], MB) };
    expect(checkMediaPolicy(sniffFixture('sample.png'), policy)).toMatchObject({
      ok: false,
      code: 'unsupported_format',
      reason: 'format png is not supported',
    });
  });

  test("a file over its format's limit is refused with both sizes", () => {
    const info: MediaInfo = { format: 'mp3', kind: 'audio', mime: 'audio/mpeg', size: 17 * MB };
    expect(checkMediaPolicy(info, WAMESSENGER_LIKE)).toEqual({
      ok: false,
      code: 'too_large',
      reason: 'file is 17.0 MB, the limit for mp3 is 16 MB',
      info,
    });
  });

  test('one byte over the limit still reads as over it', () => {
    const info: MediaInfo = { format: 'mp3', kind: 'audio', mime: 'audio/mpeg', size: 16 * MB + 1 };
    expect(checkMediaPolicy(info, WAMESSENGER_LIKE)).toMatchObject({
      code: 'too_large',
      reason: 'file is 16.0 MB (16777217 bytes), the limit for mp3 is 16 MB',
    });
    expect(checkMediaPolicy({ ...info, size: 16 * MB }, WAMESSENGER_LIKE).ok).toBe(true);
  });

  test('video and audio codec lists, as a provider with H.264 + AAC only would set them', () => {
    const policy: MediaPolicy = { rules: rules(['mp4', '3gp'], 5 * MB, { videoCodecs: ['h264'], audioCodecs: ['aac'] }) };
    expect(checkMediaPolicy(sniffFixture('sample.mp4'), policy).ok).toBe(true);
    expect(checkMediaPolicy(sniffFixture('sample-no-audio.mp4'), policy).ok).toBe(true);
    expect(checkMediaPolicy(sniffFixture('sample.3gp'), policy)).toMatchObject({
      ok: false,
      code: 'unsupported_codec',
      reason: 'video/3gpp with video codec h263 is not supported (h264 only)',
    });
    const mp3InMp4 = { ...sniffFixture('sample.mp4'), audioCodec: 'mp3' };
    const wide: MediaPolicy = { rules: rules(['mp4'], 5 * MB, { audioCodecs: ['aac', 'opus', 'amr'] }) };
    expect(checkMediaPolicy(mp3InMp4, wide)).toMatchObject({
      reason: 'video/mp4 with audio codec mp3 is not supported (aac, opus or amr only)',
    });
  });
});

describe('MediaInspector', () => {
  let server: MediaServer;
  const files = new MediaFiles(new Scheduler(new EngineClock({ mode: 'manual', speed: 1 }), new MemoryStore()), { maxBytes: 100 * MB, maxAgeMs: 60_000 });
  const inspector = new MediaInspector({ files });
  beforeAll(async () => {
    server = await startMediaServer();
  });
  afterAll(async () => {
    await server.close();
    files.close();
  });

  test('judges a served file by its bytes, whatever the name and content type say', async () => {
    const verdict = await inspector.inspect(`${server.url}/really-a-png.jpg`, WAMESSENGER_LIKE);
    expect(verdict).toMatchObject({ ok: true, info: { format: 'png', mime: 'image/png' } });
  });

  test('accepts an mp4 with sound', async () => {
    expect(await inspector.inspect(`${server.url}/sample.mp4`, WAMESSENGER_LIKE)).toMatchObject({
      ok: true,
      info: { format: 'mp4', videoCodec: 'h264', audioCodec: 'aac', hasAudioTrack: true },
    });
  });

  test('refuses Vorbis in Ogg', async () => {
    expect(await inspector.inspect(`${server.url}/sample-vorbis.ogg`, WAMESSENGER_LIKE)).toMatchObject({
      ok: false,
      code: 'unsupported_codec',
    });
  });

  test('refuses an mp4 without sound', async () => {
    expect(await inspector.inspect(`${server.url}/sample-no-audio.mp4`, WAMESSENGER_LIKE)).toMatchObject({
      ok: false,
      code: 'missing_audio_track',
    });
  });

  test('refuses an unknown file', async () => {
    expect(await inspector.inspect(`${server.url}/sample.txt`, WAMESSENGER_LIKE)).toMatchObject({
      ok: false,
      code: 'unsupported_format',
      reason: 'format unknown is not supported',
    });
  });

  test("refuses an mp3 over its own limit, though under the policy's largest", async () => {
    const verdict = await inspector.inspect(`${server.url}/big/${17 * MB}/sample.mp3`, WAMESSENGER_LIKE);
    expect(verdict).toMatchObject({
      ok: false,
      code: 'too_large',
      reason: 'file is 17.0 MB, the limit for mp3 is 16 MB',
      info: { format: 'mp3' },
    });
  });

  test("stops downloading past the policy's largest limit", async () => {
    const before = server.bigTransfers.length;
    const small: MediaPolicy = { rules: rules(['zip'], MB) };
    const verdict = await inspector.inspect(`${server.url}/big/${64 * MB}/sample.zip`, small);
    expect(verdict).toMatchObject({ ok: false, code: 'too_large' });
    expect(verdict).not.toHaveProperty('info');
    expect((await server.bigTransfers[before]!.finished).completed).toBe(false);
  });

  test('reports fetch failures', async () => {
    expect(await inspector.inspect(`${server.url}/status/404`, WAMESSENGER_LIKE)).toMatchObject({
      ok: false,
      code: 'fetch_failed',
      reason: expect.stringContaining('HTTP 404'),
    });
    expect(await inspector.inspect('ftp://example.test/a.mp3', WAMESSENGER_LIKE)).toMatchObject({
      ok: false,
      code: 'fetch_failed',
    });
    const impatient = new MediaInspector({ files, timeoutMs: 200 });
    expect(await impatient.inspect(`${server.url}/hang`, WAMESSENGER_LIKE)).toMatchObject({
      ok: false,
      code: 'fetch_failed',
      reason: expect.stringContaining('within 200 ms'),
    });
  });

  test('inspects data: URLs', async () => {
    const jpeg = readFileSync(join(FIXTURES, 'sample.jpg')).toString('base64');
    expect(await inspector.inspect(`data:application/octet-stream;base64,${jpeg}`, WAMESSENGER_LIKE)).toMatchObject({
      ok: true,
      info: { format: 'jpeg' },
    });
  });

  test('an empty policy supports nothing and fetches nothing', async () => {
    expect(await inspector.inspect(`${server.url}/hang`, { rules: [] })).toMatchObject({
      ok: false,
      code: 'unsupported_format',
    });
  });
});
