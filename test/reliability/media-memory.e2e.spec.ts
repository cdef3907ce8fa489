import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WhatsAppEngine } from '#engine';
import { WamessageClient } from '../wamessage/wamessage-client.js';
import { send } from '../support/php-client.js';
import { startSandbox, useSandbox } from '../support/sandbox.js';

const KB = 1024;
const PDF = readFileSync(join(process.cwd(), 'fixtures', 'media', 'sample.pdf'));
/** A PDF of `bytes` bytes: the fixture, padded. */
const pdfOf = (bytes: number): Buffer => Buffer.concat([PDF, Buffer.alloc(bytes - PDF.length, 0x20)]);

/** Real files and sockets: uploads of a few hundred kilobytes take a second or more on a busy machine. */
const IO_TIMEOUT = 30_000;

const mediaFiles = (dir: string): string[] => readdirSync(dir).filter((name) => name.startsWith('media-'));

describe('uploaded media lives on disk, within bounds', () => {
  let dir: string;
  let wamessage: WamessageClient;
  let registrationId: number;

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'media-memory-spec-'));
  });
  // Room for two 300 KB files, not three; kept for one clock-hour.
  const sandbox = useSandbox({ config: () => ({ mediaDir: dir, mediaMaxBytes: 700 * KB, mediaMaxAgeSeconds: 3600 }) });
  // After the sandbox's close, which leaves a directory it was given in place.
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  beforeEach(async () => {
    wamessage = new WamessageClient(`${sandbox.origin}/wamessage`);
    await wamessage.signUp('905320000001');
    registrationId = await wamessage.linkDevice(sandbox.control, '905320000001');
  }, IO_TIMEOUT);

  /** Sends a file with Wamessage's multipart multi-send; answers the path its upload is served at. */
  const upload = async (bytes: Buffer, name = 'offer.pdf'): Promise<string> => {
    const form = new FormData();
    form.set('reg_id', String(registrationId));
    form.set('contacts', '905321234567');
    form.set('file', new Blob([bytes], { type: 'application/pdf' }), name);
    const answer = await wamessage.form('/whatsapp/sendmessage/multi', form);
    expect(answer.status).toBe(200);
    return new URL((answer.json as { data: { file: { url: string } } }).data.file.url).pathname;
  };
  const served = (path: string) => fetch(`${sandbox.origin}${path}`);

  it(
    'keeps the bytes in a file in the media directory, not in the engine store, and serves them from there',
    async () => {
      const bytes = pdfOf(300 * KB);
      const path = await upload(bytes);
      const id = path.split('/').pop()!;
      const stored = await sandbox.app.get(WhatsAppEngine).messages.upload(id);
      expect(stored).toEqual({
        id,
        accountId: expect.any(String),
        fileName: 'offer.pdf',
        mime: 'application/pdf',
        size: bytes.length,
        createdAt: expect.any(Number),
      });
      expect(mediaFiles(dir)).toEqual([`media-${id}`]);
      expect(readFileSync(join(dir, `media-${id}`)).equals(bytes)).toBe(true);
      const answer = await served(path);
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('application/pdf');
      expect(Buffer.from(await answer.arrayBuffer()).equals(bytes)).toBe(true);
      // The multipart scratch file was moved, not copied: nothing else is left behind.
      expect(readdirSync(dir)).toEqual([`media-${id}`]);
    },
    IO_TIMEOUT,
  );

  it(
    'evicts the oldest upload when the kept bytes pass --media-max-bytes; it then answers 410',
    async () => {
      const first = await upload(pdfOf(300 * KB), 'one.pdf');
      const second = await upload(pdfOf(300 * KB), 'two.pdf');
      expect((await served(first)).status).toBe(200);
      const third = await upload(pdfOf(300 * KB), 'three.pdf');
      const gone = await served(first);
      expect(gone.status).toBe(410);
      expect(await gone.json()).toEqual({ error: expect.stringContaining('evicted') });
      expect((await served(second)).status).toBe(200);
      expect((await served(third)).status).toBe(200);
      expect(mediaFiles(dir)).toHaveLength(2);
    },
    IO_TIMEOUT,
  );

  it(
    'evicts an upload after --media-max-age-seconds of clock time',
    async () => {
      const path = await upload(pdfOf(10 * KB));
      await sandbox.control.advance(3_599_999);
      expect((await served(path)).status).toBe(200);
      await sandbox.control.advance(1);
      expect((await served(path)).status).toBe(410);
      expect(mediaFiles(dir)).toEqual([]);
    },
    IO_TIMEOUT,
  );

  it(
    'an id never given answers 404; a reset removes every file and forgets every id',
    async () => {
      expect((await served('/__sandbox/media/uploads/u999')).status).toBe(404);
      const path = await upload(pdfOf(10 * KB));
      expect(mediaFiles(dir)).toHaveLength(1);
      await sandbox.control.reset();
      expect(mediaFiles(dir)).toEqual([]);
      expect((await served(path)).status).toBe(404);
    },
    IO_TIMEOUT,
  );

  it(
    'an upload with a refused request leaves no file behind',
    async () => {
      const form = new FormData();
      form.set('reg_id', String(registrationId));
      form.set('file', new Blob([pdfOf(10 * KB)]), 'offer.pdf');
      const answer = await wamessage.form('/whatsapp/sendmessage/multi', form);
      expect(answer.status).toBe(400);
      const kept = (await upload(pdfOf(10 * KB))).split('/').pop()!;
      // The refused request's scratch file goes once its answer is out (onResponse): wait for it, within Jest's timeout.
      while (readdirSync(dir).length > 1) await new Promise((resolve) => setTimeout(resolve, 5));
      expect(readdirSync(dir)).toEqual([`media-${kept}`]);
    },
    IO_TIMEOUT,
  );
});

describe('media fetches run a few at a time', () => {
  const PNG = readFileSync(join(process.cwd(), 'fixtures', 'media', 'sample.png'));
  let server: ReturnType<typeof createServer>;
  let origin: string;
  const held: ServerResponse[] = [];
  let open = 0;
  let mostOpen = 0;
  let arrived: () => void = () => undefined;

  const sandbox = useSandbox({ config: { mediaFetches: 2 }, reset: false });
  /** A media server that holds every request until the test answers it. */
  beforeAll(async () => {
    server = createServer((_req, res) => {
      open++;
      mostOpen = Math.max(mostOpen, open);
      res.on('close', () => open--);
      held.push(res);
      arrived();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  const heldAtLeast = (count: number): Promise<void> =>
    new Promise((resolve) => {
      const check = (): void => (held.length >= count ? resolve() : void (arrived = check));
      check();
    });

  it(
    'never more than --media-fetches downloads at once; the others wait their turn and are judged too',
    async () => {
      const sends = Array.from({ length: 5 }, (_, i) =>
        send(`${sandbox.origin}/wamessenger/sendMessage/CAP-${i}`, {
          method: 'POST',
          body: new URLSearchParams({ phonenumber: '989121234567', text: `pic ${i}`, url: `${origin}/pic${i}.png` }),
        }),
      );
      // Every send has reached its download: two fetching, three waiting (polled, within Jest's timeout).
      const usage = async () => ((await send(`${sandbox.origin}/__sandbox/health`)).json as { media?: { fetching: number; waitingToFetch: number } }).media;
      for (let polls = 0; polls < 2_000 && (await usage())?.waitingToFetch !== 3; polls++) await new Promise((resolve) => setTimeout(resolve, 5));
      await heldAtLeast(2);
      expect(held).toHaveLength(2);
      expect(await usage()).toMatchObject({ fetching: 2, waitingToFetch: 3 });
      for (let released = 0; released < 5; released++) {
        // Each finished download lets the next one start.
        await heldAtLeast(Math.min(released + 2, 5));
        held[released]!.writeHead(200, { 'content-length': PNG.length }).end(PNG);
      }
      const answers = await Promise.all(sends);
      expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200, 200, 200]);
      expect(await usage()).toMatchObject({ fetching: 0, waitingToFetch: 0 });
      expect(mostOpen).toBe(2);
    },
    IO_TIMEOUT,
  );
});

test(
  'the default media directory is a fresh temp directory, removed when the sandbox closes',
  async () => {
    const sandbox = await startSandbox();
    const engine = sandbox.app.get(WhatsAppEngine);
    await engine.mediaFiles.keep('u1', { bytes: PDF });
    const dir = engine.mediaFiles.dir;
    expect(dir.startsWith(join(tmpdir(), 'wa-sandbox-media-'))).toBe(true);
    expect(existsSync(join(dir, 'media-u1'))).toBe(true);
    await sandbox.close();
    expect(existsSync(dir)).toBe(false);
  },
  IO_TIMEOUT,
);

test(
  'an upload evicted before a restart still answers 410 after it, on a SQLite store; an id never given still 404',
  async () => {
    const dir = mkdtempSync(join(tmpdir(), 'media-restart-spec-'));
    const config = { store: { kind: 'sqlite' as const, file: join(dir, 'sandbox.db') }, mediaDir: join(dir, 'media'), mediaMaxAgeSeconds: 3600 };
    try {
      const before = await startSandbox(config);
      const wamessage = new WamessageClient(`${before.origin}/wamessage`);
      await wamessage.signUp('905320000001');
      const form = new FormData();
      form.set('reg_id', String(await wamessage.linkDevice(before.control, '905320000001')));
      form.set('contacts', '905321234567');
      form.set('file', new Blob([PDF], { type: 'application/pdf' }), 'offer.pdf');
      const answer = await wamessage.form('/whatsapp/sendmessage/multi', form);
      const path = new URL((answer.json as { data: { file: { url: string } } }).data.file.url).pathname;
      await before.control.advance(3_600_000);
      expect((await fetch(`${before.origin}${path}`)).status).toBe(410);
      await before.close();

      const after = await startSandbox(config);
      try {
        const gone = await fetch(`${after.origin}${path}`);
        expect(gone.status).toBe(410);
        expect(await gone.json()).toEqual({ error: expect.stringContaining('evicted') });
        expect((await fetch(`${after.origin}/__sandbox/media/uploads/u999`)).status).toBe(404);
      } finally {
        await after.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  },
  IO_TIMEOUT,
);
