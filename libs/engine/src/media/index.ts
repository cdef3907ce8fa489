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
export { fetchMedia, MediaFetchError } from './media.fetch.js';
export type { FetchedMedia, MediaFetchErrorCode, MediaFetchOptions } from './media.fetch.js';
export { checkMediaPolicy } from './media.policy.js';
export { MediaInspector } from './media.inspector.js';
