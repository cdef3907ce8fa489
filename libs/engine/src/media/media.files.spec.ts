import { existsSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EngineClock } from '../clock/clock.js';
import { Scheduler } from '../clock/scheduler.js';
import { MemoryStore } from '../store/memory.store.js';
import { MediaFiles } from './media.files.js';

describe('MediaFiles with a durable store', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'wa-sandbox-media-files-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const clock = () => new EngineClock({ mode: 'manual', speed: 1, startAt: 0 });
  // Each start has its own scheduler; the files themselves are what carries over.
  const schedulerOn = (engineClock: EngineClock) => new Scheduler(engineClock, new MemoryStore());

  it('leaves its files on close and takes them on at the next start, dropping unfinished downloads', async () => {
    const first = new MediaFiles(schedulerOn(clock()), { dir, durable: true, maxBytes: 1_000, maxAgeMs: 60_000 });
    await first.keep('a', { bytes: new Uint8Array(10) });
    await first.keep('b', { bytes: new Uint8Array(20) });
    writeFileSync(first.scratchPath(), 'half a download');
    writeFileSync(join(dir, 'notes.txt'), 'not ours');
    first.close();

    const restartedClock = clock();
    const second = new MediaFiles(schedulerOn(restartedClock), { dir, durable: true, maxBytes: 1_000, maxAgeMs: 60_000 });
    expect(second.find('a')).toEqual({ path: join(dir, 'media-a'), size: 10 });
    expect(second.usage()).toEqual({ files: 2, bytes: 30 });
    expect(readdirSync(dir).sort()).toEqual(['media-a', 'media-b', 'notes.txt']);
    // The age limit counts again from the restart.
    await restartedClock.advance(60_000);
    expect(second.find('a')).toBeUndefined();
    expect(existsSync(join(dir, 'media-a'))).toBe(false);
  });

  it('evicts the oldest files at start when they hold more than its byte limit', async () => {
    const first = new MediaFiles(schedulerOn(clock()), { dir, durable: true, maxBytes: 1_000, maxAgeMs: 60_000 });
    await first.keep('older', { bytes: new Uint8Array(40) });
    await first.keep('newer', { bytes: new Uint8Array(40) });
    first.close();
    utimesSync(join(dir, 'media-older'), new Date(1_000), new Date(1_000));

    const second = new MediaFiles(schedulerOn(clock()), { dir, durable: true, maxBytes: 50, maxAgeMs: 60_000 });
    expect(second.find('older')).toBeUndefined();
    expect(second.find('newer')).toMatchObject({ size: 40 });
    expect(readdirSync(dir)).toEqual(['media-newer']);
  });

  it('without durable, removes what an earlier run left', async () => {
    const first = new MediaFiles(schedulerOn(clock()), { dir, durable: true, maxBytes: 1_000, maxAgeMs: 60_000 });
    await first.keep('a', { bytes: new Uint8Array(10) });
    first.close();
    const second = new MediaFiles(schedulerOn(clock()), { dir, maxBytes: 1_000, maxAgeMs: 60_000 });
    expect(second.find('a')).toBeUndefined();
    expect(readdirSync(dir)).toEqual([]);
  });
});
