import { readFile } from 'node:fs/promises';
import { fetchMedia, MediaFetchError } from './media.fetch.js';
import type { MediaFiles } from './media.files.js';
import { checkMediaPolicy } from './media.policy.js';
import { sniffMediaFile } from './media.sniff-file.js';
import { sniffMedia } from './media.sniff.js';
import type { MediaPolicy, MediaVerdict } from './media.types.js';

export interface MediaInspectorOptions {
  /** Where downloads are written while they are judged. */
  files: MediaFiles;
  timeoutMs?: number;
  /** Downloads (and the sniffing that follows) running at once; the rest wait their turn. */
  maxConcurrentFetches?: number;
  /** Hosts media URLs may name; any when absent. */
  allowHost?: (host: string) => boolean;
}

export const DEFAULT_MAX_CONCURRENT_FETCHES = 4;

/** Fetches a URL, identifies the file from its bytes and judges it against a provider's policy. */
export class MediaInspector {
  private readonly timeoutMs: number;
  private readonly slots: Semaphore;

  constructor(private readonly options: MediaInspectorOptions) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
    this.slots = new Semaphore(options.maxConcurrentFetches ?? DEFAULT_MAX_CONCURRENT_FETCHES);
  }

  /** Downloads under way, and those waiting for a slot. */
  fetches(): { running: number; waiting: number } {
    return { running: this.slots.running, waiting: this.slots.waiting.length };
  }

  async inspect(url: string, policy: MediaPolicy): Promise<MediaVerdict> {
    if (policy.rules.length === 0) return NOTHING_SUPPORTED;
    // The format is unknown until the bytes are in, so only the most generous rule can bound the download;
    // the format's own limit is applied after sniffing.
    const maxBytes = Math.max(...policy.rules.map((rule) => rule.maxBytes));
    const { files, allowHost } = this.options;
    return this.slots.run(async () => {
      const path = files.scratchPath();
      try {
        await fetchMedia(url, path, { maxBytes, timeoutMs: this.timeoutMs, ...(allowHost ? { allowHost } : {}) });
        return checkMediaPolicy(await sniffMediaFile(path), policy);
      } catch (error) {
        if (!(error instanceof MediaFetchError)) throw error;
        return { ok: false, code: error.code === 'too_large' ? 'too_large' : 'fetch_failed', reason: error.message };
      } finally {
        await files.discard(path);
      }
    });
  }

  /** The bytes at a URL (a live transport sending the media a message names), within the same hosts, time and slots as an inspection. */
  async download(url: string, maxBytes: number): Promise<Uint8Array> {
    const { files, allowHost } = this.options;
    return this.slots.run(async () => {
      const path = files.scratchPath();
      try {
        await fetchMedia(url, path, { maxBytes, timeoutMs: this.timeoutMs, ...(allowHost ? { allowHost } : {}) });
        return new Uint8Array(await readFile(path));
      } finally {
        await files.discard(path);
      }
    });
  }

  /** Judges bytes the client sent itself (base64). */
  inspectBytes(bytes: Uint8Array, policy: MediaPolicy): MediaVerdict {
    if (policy.rules.length === 0) return NOTHING_SUPPORTED;
    return checkMediaPolicy(sniffMedia(bytes), policy);
  }

  /** Judges a file the client uploaded, already on disk. */
  async inspectFile(path: string, policy: MediaPolicy): Promise<MediaVerdict> {
    if (policy.rules.length === 0) return NOTHING_SUPPORTED;
    return checkMediaPolicy(await sniffMediaFile(path), policy);
  }
}

const NOTHING_SUPPORTED: MediaVerdict = { ok: false, code: 'unsupported_format', reason: 'no media format is supported' };

/** At most `size` tasks at once, the others started in the order they came. */
class Semaphore {
  running = 0;
  readonly waiting: Array<() => void> = [];

  constructor(private readonly size: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.size) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // The slot passes straight to the next task, so `running` never dips while tasks wait.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}
