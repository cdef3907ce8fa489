export type {
  MediaFormat,
  MediaInfo,
  MediaKind,
  MediaPolicy,
  MediaRule,
  MediaVerdict,
  MediaVerdictCode,
} from './media.types.js';
export { sniffMedia } from './media.sniff.js';
export { sniffMediaFile } from './media.sniff-file.js';
export { fetchMedia, MAX_REDIRECTS, MediaFetchError } from './media.fetch.js';
export type { FetchedMedia, MediaFetchErrorCode, MediaFetchOptions } from './media.fetch.js';
export { checkMediaPolicy } from './media.policy.js';
export { DEFAULT_MAX_CONCURRENT_FETCHES, MediaInspector } from './media.inspector.js';
export type { MediaInspectorOptions } from './media.inspector.js';
export { DEFAULT_MEDIA_MAX_AGE_MS, DEFAULT_MEDIA_MAX_BYTES, MediaFiles } from './media.files.js';
export type { KeptMedia, MediaFilesOptions } from './media.files.js';
