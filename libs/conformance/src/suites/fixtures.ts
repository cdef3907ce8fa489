/**
 * A valid 1x1 PNG inline: media for probes that need a url, without reaching the internet.
 * Only a wa-sandbox fetches `data:` urls; against a real server pass --media-url.
 */
export const TINY_PNG_DATA_URL = 'data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==';
