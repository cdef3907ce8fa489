import { KB, MB } from '../units.js';

/** A limit as people write it: '16 MB', '100 MB', '512 KB', '1.5 MB'. */
export function formatLimit(bytes: number): string {
  return format(bytes).replace(/\.0 /, ' ');
}

/** An actual size, always with one decimal above a kilobyte ('17.0 MB') so it reads as measured, not as a round limit. */
export function formatSize(bytes: number): string {
  return format(bytes);
}

function format(bytes: number): string {
  if (bytes >= MB) return `${(bytes / MB).toFixed(1)} MB`;
  if (bytes >= KB) return `${(bytes / KB).toFixed(1)} KB`;
  return `${bytes} bytes`;
}
