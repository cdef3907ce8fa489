import { formatLimit, formatSize } from './media.size.js';
import type { MediaInfo, MediaPolicy, MediaVerdict } from './media.types.js';

/**
 * Judges sniffed media against a provider's rules. Checks run from the coarsest to the finest (format, size,
 * audio track, codecs) so the reason names the first thing a sender would have to change. Codec lists apply
 * only to tracks the file has: an mp4 known to have no audio track is not failed for its audio codec.
 */
export function checkMediaPolicy(info: MediaInfo, policy: MediaPolicy): MediaVerdict {
  const rule = policy.rules.find((candidate) => candidate.format === info.format);
  if (!rule) {
    return { ok: false, code: 'unsupported_format', reason: `format ${info.format} is not supported`, info };
  }
  if (info.size > rule.maxBytes) {
    let size = formatSize(info.size);
    // Rounding can make a file one byte over the limit read as equal to it.
    if (size === formatSize(rule.maxBytes)) size += ` (${info.size} bytes)`;
    return { ok: false, code: 'too_large', reason: `file is ${size}, the limit for ${info.format} is ${formatLimit(rule.maxBytes)}`, info };
  }
  if (rule.requireAudioTrack && !info.hasAudioTrack) {
    return { ok: false, code: 'missing_audio_track', reason: `${info.format} without an audio track is not supported`, info };
  }
  const bare = info.kind === 'audio';
  if (rule.audioCodecs && info.hasAudioTrack !== false && !rule.audioCodecs.includes(info.audioCodec ?? '')) {
    return codecRefused(info, bare ? 'codec' : 'audio codec', info.audioCodec, rule.audioCodecs);
  }
  if (rule.videoCodecs && info.hasVideoTrack !== false && !rule.videoCodecs.includes(info.videoCodec ?? '')) {
    return codecRefused(info, bare ? 'codec' : 'video codec', info.videoCodec, rule.videoCodecs);
  }
  return { ok: true, info };
}

function codecRefused(info: MediaInfo, what: string, codec: string | undefined, allowed: string[]): MediaVerdict {
  const list = allowed.length > 1 ? `${allowed.slice(0, -1).join(', ')} or ${allowed.at(-1)!}` : (allowed[0] ?? 'none');
  return {
    ok: false,
    code: 'unsupported_codec',
    reason: `${info.mime} with ${what} ${codec ?? 'unknown'} is not supported (${list} only)`,
    info,
  };
}
