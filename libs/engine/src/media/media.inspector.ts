import { fetchMedia, MediaFetchError } from './media.fetch.js';
import { checkMediaPolicy } from './media.policy.js';
import { sniffMedia } from './media.sniff.js';
import type { MediaPolicy, MediaVerdict } from './media.types.js';

/** Fetches a URL, identifies the file from its bytes and judges it against a provider's policy. */
export class MediaInspector {
  private readonly timeoutMs: number;

  constructor(options: { timeoutMs?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? 10_000;
  }

  async inspect(url: string, policy: MediaPolicy): Promise<MediaVerdict> {
    if (policy.rules.length === 0) return NOTHING_SUPPORTED;
    // The format is unknown until the bytes are in, so only the most generous rule can bound the download;
    // the format's own limit is applied after sniffing.
    const maxBytes = Math.max(...policy.rules.map((rule) => rule.maxBytes));
    let bytes: Uint8Array;
    try {
      ({ bytes } = await fetchMedia(url, { maxBytes, timeoutMs: this.timeoutMs }));
    } catch (error) {
      if (!(error instanceof MediaFetchError)) throw error;
      return { ok: false, code: error.code === 'too_large' ? 'too_large' : 'fetch_failed', reason: error.message };
    }
    return checkMediaPolicy(sniffMedia(bytes), policy);
  }

  /** Judges bytes the client sent itself (an upload, base64). */
  inspectBytes(bytes: Uint8Array, policy: MediaPolicy): MediaVerdict {
    if (policy.rules.length === 0) return NOTHING_SUPPORTED;
    return checkMediaPolicy(sniffMedia(bytes), policy);
  }
}

const NOTHING_SUPPORTED: MediaVerdict = { ok: false, code: 'unsupported_format', reason: 'no media format is supported' };
