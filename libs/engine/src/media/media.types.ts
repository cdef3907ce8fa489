export type MediaKind = 'image' | 'audio' | 'video' | 'document' | 'other';

export type MediaFormat =
  | 'jpeg'
  | 'png'
  | 'gif'
  | 'webp'
  | 'mp3'
  | 'aac'
  | 'ogg'
  | 'amr'
  | 'wav'
  | 'mp4'
  | '3gp'
  | 'pdf'
  | 'doc'
  | 'docx'
  | 'xls'
  | 'xlsx'
  | 'ppt'
  | 'pptx'
  | 'zip'
  | 'rar'
  | 'exe'
  | 'apk'
  | 'unknown';

export interface MediaInfo {
  format: MediaFormat;
  kind: MediaKind;
  mime: string;
  size: number;
  /** e.g. 'opus' | 'vorbis' | 'aac' | 'mp3' (for ogg, mp4/3gp) */
  audioCodec?: string;
  /** e.g. 'h264' | 'hevc' | 'mpeg4' | 'h263' */
  videoCodec?: string;
  /** set for mp4/3gp */
  hasAudioTrack?: boolean;
  /** set for mp4/3gp */
  hasVideoTrack?: boolean;
}

export interface MediaRule {
  format: MediaFormat;
  maxBytes: number;
  /** when set, the file's audio codec must be one of these (a file whose codec could not be read fails) */
  audioCodecs?: string[];
  videoCodecs?: string[];
  requireAudioTrack?: boolean;
}

/** A format with no rule is unsupported. */
export interface MediaPolicy {
  rules: MediaRule[];
}

export type MediaVerdictCode = 'fetch_failed' | 'unsupported_format' | 'too_large' | 'unsupported_codec' | 'missing_audio_track';

export type MediaVerdict = { ok: true; info: MediaInfo } | { ok: false; code: MediaVerdictCode; reason: string; info?: MediaInfo };
