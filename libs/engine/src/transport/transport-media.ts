import { readFile } from 'node:fs/promises';
import type { EngineClock } from '../clock/clock.js';
import { sniffMedia, type MediaFiles, type MediaInspector } from '../media/index.js';
import type { MediaSummary, Message } from '../store/models.js';
import type { EngineStore } from '../store/store.js';

/** WhatsApp's largest document (100 MB): more than any media a transport could send, so a download stops there. */
const MAX_SENT_MEDIA_BYTES = 100 * 1024 * 1024;

/**
 * Media bytes in and out of a transport: an outbound message's file (an upload the sandbox keeps, or its URL
 * fetched again) and an inbound file kept as an upload, named by its sandbox URL as the provider's own are.
 */
export class TransportMedia {
  constructor(
    private readonly store: EngineStore,
    private readonly clock: EngineClock,
    private readonly files: MediaFiles,
    private readonly inspector: MediaInspector,
    /** Where the sandbox serves uploaded files: `${mediaBaseUrl}/uploads/<id>`. */
    private readonly mediaBaseUrl: string,
  ) {}

  async bytes(message: Message): Promise<Uint8Array | null> {
    if (!message.mediaUrl) return null;
    const uploads = `${this.mediaBaseUrl}/uploads/`;
    if (!message.mediaUrl.startsWith(uploads)) return this.inspector.download(message.mediaUrl, MAX_SENT_MEDIA_BYTES).catch(() => null);
    const kept = this.files.find(message.mediaUrl.slice(uploads.length));
    return kept ? new Uint8Array(await readFile(kept.path)) : null;
  }

  async keepInbound(accountId: string, file: { bytes: Uint8Array; mime: string; fileName: string | null }): Promise<{ mediaUrl: string; media: MediaSummary }> {
    const id = `u${await this.store.sequences.next('media.upload', 1)}`;
    await this.files.keep(id, { bytes: file.bytes });
    const size = file.bytes.byteLength;
    await this.store.media.save({ id, accountId, fileName: file.fileName, mime: file.mime, size, createdAt: this.clock.now() });
    // The sender's MIME type wins over the sniffed one: WhatsApp carries it with the file.
    const { format, kind } = sniffMedia(file.bytes);
    return {
      mediaUrl: `${this.mediaBaseUrl}/uploads/${id}`,
      media: { format, kind, mime: file.mime, size, ...(file.fileName ? { fileName: file.fileName } : {}) },
    };
  }
}
