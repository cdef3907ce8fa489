import { mkdirSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import { copyFile, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Scheduler } from '../clock/scheduler.js';

export interface MediaFilesOptions {
  /** Where the files live; a fresh directory under the system's temp directory, removed on close, when absent. */
  dir?: string;
  /** Bytes kept at most; the oldest files go first to make room. */
  maxBytes: number;
  /** Clock time a file is kept for. */
  maxAgeMs: number;
  /**
   * The files outlive the process (a durable store holds their metadata): a start takes on what `dir` holds,
   * and close leaves it there. Otherwise a start and close remove the store's files.
   */
  durable?: boolean;
  /**
   * Other instances on the same (shared) store keep files in the same directory: a file one of them kept
   * is found on disk here, and its expiry job removes it whichever instance runs it. The byte budget is
   * each instance's own (it counts what it kept).
   */
  shared?: boolean;
}

export const DEFAULT_MEDIA_MAX_BYTES = 1024 * 1024 * 1024;
export const DEFAULT_MEDIA_MAX_AGE_MS = 48 * 60 * 60 * 1000;

/** A file the store holds now. */
export interface KeptMedia {
  path: string;
  size: number;
}

/** Names this store gives files: KEPT and the id, or SCRATCH for a file being written. */
const KEPT = 'media-';
const ID = /^[\w-]+$/;
const SCRATCH = '.partial-';
/** A kept file's end of life on the clock. */
const EXPIRE_JOB = 'media.expire';

/**
 * Media bytes on disk rather than in the heap: the files clients upload (kept and served until evicted) and
 * the scratch files downloads are written to while they are judged. What is kept is bounded by bytes
 * (oldest first) and by age on the engine clock. Which ids were ever kept is the store's upload records'
 * business (they outlive a restart; a set here would not): an id with a record and no file was evicted.
 */
export class MediaFiles {
  private directory: string | undefined;
  private readonly ownsDir: boolean;
  /** In the order they were kept, so the first is the oldest. */
  private readonly kept = new Map<string, { size: number; expiry: string }>();
  private keptBytes = 0;
  private scratchCount = 0;

  constructor(
    private readonly scheduler: Scheduler,
    private readonly options: MediaFilesOptions,
  ) {
    scheduler.handle(EXPIRE_JOB, (payload) => this.evict(payload.id as string));
    this.ownsDir = options.dir === undefined;
    if (options.dir !== undefined) {
      this.directory = options.dir;
      mkdirSync(options.dir, { recursive: true });
      if (options.durable) this.adoptKeptFiles();
      // What an earlier run kept: nothing refers to it any more (the store is in memory).
      else this.removeOwnFiles();
    }
  }

  /** Made on first use, so an engine that never sees media (most tests) leaves nothing behind. */
  get dir(): string {
    if (this.directory === undefined) {
      this.directory = mkdtempSync(join(tmpdir(), 'wa-sandbox-media-'));
      removedAtExit.add(this.directory);
    }
    return this.directory;
  }

  /** A fresh path in the directory for a file being written; keep() or discard() it afterwards. */
  scratchPath(): string {
    return join(this.dir, `${SCRATCH}${process.pid}-${++this.scratchCount}`);
  }

  async discard(path: string): Promise<void> {
    await rm(path, { force: true });
  }

  /** Keeps a file under `id`: bytes are written, a path (a scratch file, an upload) is moved in. */
  async keep(id: string, source: { bytes: Uint8Array } | { path: string; size: number }): Promise<void> {
    if (!ID.test(id)) throw new Error(`media id ${id} is not a plain name`);
    const target = this.pathOf(id);
    let size: number;
    if ('bytes' in source) {
      await writeFile(target, source.bytes);
      size = source.bytes.byteLength;
    } else {
      await moveFile(source.path, target);
      size = source.size;
    }
    this.forget(id);
    this.track(id, size);
    await this.evictOverBudget();
  }

  /** Files kept and their bytes together. */
  usage(): { files: number; bytes: number } {
    return { files: this.kept.size, bytes: this.keptBytes };
  }

  /** The file kept under `id`, or undefined: never kept here, or evicted. */
  find(id: string): KeptMedia | undefined {
    const file = this.kept.get(id);
    if (file) return { path: this.pathOf(id), size: file.size };
    if (this.options.shared && ID.test(id)) {
      const size = sizeOf(this.pathOf(id));
      if (size !== undefined) return { path: this.pathOf(id), size };
    }
    return undefined;
  }

  /** Removes every file and forgets every id (the engine's reset, which drops their expiry jobs too). */
  async clear(): Promise<void> {
    this.kept.clear();
    this.keptBytes = 0;
    this.removeOwnFiles();
  }

  /** Removes the files, and the directory when the store made it. */
  close(): void {
    // Their expiry jobs stay: the store may already be closed, and an expiry finds no file to evict.
    this.kept.clear();
    if (this.directory === undefined) return;
    if (this.ownsDir) {
      rmSync(this.directory, { recursive: true, force: true });
      removedAtExit.delete(this.directory);
      this.directory = undefined;
    } else if (!this.options.durable) {
      this.removeOwnFiles();
    }
  }

  /**
   * Takes on the files an earlier run kept, oldest (by modification time) first, and drops its unfinished
   * scratch files. Each gets the full age limit from now (its expiry job is put again under the same id).
   */
  private adoptKeptFiles(): void {
    const found: { id: string; size: number; modified: number }[] = [];
    for (const name of readdirSync(this.dir)) {
      const path = join(this.dir, name);
      if (name.startsWith(SCRATCH)) rmSync(path, { force: true });
      else if (name.startsWith(KEPT) && ID.test(name.slice(KEPT.length))) {
        const stats = statSync(path);
        if (stats.isFile()) found.push({ id: name.slice(KEPT.length), size: stats.size, modified: stats.mtimeMs });
      }
    }
    found.sort((a, b) => a.modified - b.modified);
    for (const file of found) this.track(file.id, file.size);
    // A smaller byte limit than the earlier run's takes effect at once.
    for (const [oldest] of this.kept) {
      if (this.keptBytes <= this.options.maxBytes) break;
      this.forget(oldest);
      rmSync(this.pathOf(oldest), { force: true });
    }
  }

  private track(id: string, size: number): void {
    const expiry = this.scheduler.after(this.options.maxAgeMs, EXPIRE_JOB, { id }, `${EXPIRE_JOB}:${id}`);
    this.kept.set(id, { size, expiry });
    this.keptBytes += size;
  }

  private async evictOverBudget(): Promise<void> {
    for (const [oldest] of this.kept) {
      if (this.keptBytes <= this.options.maxBytes) break;
      await this.evict(oldest);
    }
  }

  private async evict(id: string): Promise<void> {
    if (!this.forget(id) && !(this.options.shared && ID.test(id))) return;
    await rm(this.pathOf(id), { force: true });
  }

  private pathOf(id: string): string {
    return join(this.dir, `${KEPT}${id}`);
  }

  private forget(id: string): boolean {
    const file = this.kept.get(id);
    if (!file) return false;
    this.scheduler.cancel(file.expiry);
    this.kept.delete(id);
    this.keptBytes -= file.size;
    return true;
  }

  /** Only names this store gives: a directory the user named may hold other things. */
  private removeOwnFiles(): void {
    if (this.directory === undefined) return;
    for (const name of readdirSync(this.directory)) {
      if (name.startsWith(SCRATCH) || name.startsWith(KEPT)) rmSync(join(this.directory, name), { force: true });
    }
  }
}

/** Temp directories of stores not closed, removed when the process exits without closing the app (an uncaught error). */
const removedAtExit = new Set<string>();
process.once('exit', () => {
  for (const dir of removedAtExit) rmSync(dir, { recursive: true, force: true });
});

async function moveFile(from: string, to: string): Promise<void> {
  try {
    await rename(from, to);
  } catch (error) {
    // Another file system (an upload written elsewhere): copy, then remove.
    if ((error as NodeJS.ErrnoException).code !== 'EXDEV') throw error;
    await copyFile(from, to);
    await rm(from, { force: true });
  }
}

/** A file's size, or undefined when there is no such file. */
function sizeOf(path: string): number | undefined {
  try {
    return statSync(path).size;
  } catch {
    return undefined;
  }
}
