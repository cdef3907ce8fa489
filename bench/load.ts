import autocannon, { type Result } from 'autocannon';

/** One route of one target, as autocannon sends it. */
export interface RouteRequest {
  url: string;
  method: 'GET' | 'POST';
  headers?: Record<string, string>;
  body?: string;
}

export interface LoadSettings {
  connections: number;
  durationS: number;
  warmupS: number;
}

export interface LoadResult {
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  /** Connection errors, timeouts included. */
  errors: number;
}

/**
 * Warms the route up (JIT, connection pools, caches), then measures it: the same connections and
 * duration for every target. autocannon runs in this process; the server runs in its own.
 */
export async function measureRoute(route: RouteRequest, settings: LoadSettings): Promise<LoadResult> {
  const options = { ...route, connections: settings.connections };
  if (settings.warmupS > 0) await autocannon({ ...options, duration: settings.warmupS });
  return summarize(await autocannon({ ...options, duration: settings.durationS }));
}

/** Sends exactly `amount` requests, as fast as `connections` connections allow. */
export async function sendRequests(route: RouteRequest, connections: number, amount: number): Promise<LoadResult> {
  return summarize(await autocannon({ ...route, connections, amount }));
}

function summarize(result: Result): LoadResult {
  return {
    requestsPerSecond: result.requests.total / result.duration,
    p50Ms: result.latency.p50,
    p99Ms: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors,
  };
}
