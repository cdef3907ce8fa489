/** Sizes in bytes. */
export const KB = 1024;
export const MB = 1024 * KB;

/** Durations in clock milliseconds. */
export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/**
 * Time zones the providers' services live in, in minutes east of UTC. None of them keeps summer time:
 * Moscow has stayed at +03:00 since 2014, Turkey at +03:00 since 2016, Iran at +03:30 since 2022.
 */
export const MOSCOW_UTC_OFFSET_MINUTES = 180;
export const TURKEY_UTC_OFFSET_MINUTES = 180;
export const TEHRAN_UTC_OFFSET_MINUTES = 210;
