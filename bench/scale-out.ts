import { createDatabase } from './postgres-database.js';
import { measureRoute, type LoadResult, type LoadSettings, type RouteRequest } from './load.js';
import { startSandbox, type RunningSandbox } from './sandbox.js';

export interface ScaleOutRow {
  instances: number;
  /** sendMessage over all instances: requests per second summed, p99 the worst instance's. */
  requestsPerSecond: number;
  p99Ms: number;
  requests: number;
  non2xx: number;
  errors: number;
}

/**
 * sendMessage through 1 and then 3 sandbox processes on one PostgreSQL database (issue 18), each count on
 * a fresh database: the load generator's connections split evenly over the instances, as a round-robin
 * load balancer would. On a 2-core machine the three instances, PostgreSQL and the load generator share two
 * cores, so 3 instances measure the cost of sharing (claims, leases, a round trip per write), not a
 * speed-up: that needs a core per instance.
 */
export async function measureScaleOut(root: string, serverUrl: string, settings: LoadSettings, body: string): Promise<ScaleOutRow[]> {
  const rows: ScaleOutRow[] = [];
  for (const instances of [1, 3]) {
    const database = await createDatabase(serverUrl, 'wa_bench');
    const sandboxes: RunningSandbox[] = [];
    try {
      for (let index = 0; index < instances; index++) sandboxes.push(await startSandbox(root, 'postgres', [], database.url));
      const connections = Math.max(1, Math.round(settings.connections / instances));
      const results = await Promise.all(sandboxes.map((sandbox) => measureRoute(sendMessage(sandbox, body), { ...settings, connections })));
      const row = combine(instances, results);
      rows.push(row);
      console.log(
        `wa-sandbox, PostgreSQL store, ${instances} instance${instances === 1 ? '' : 's'}`.padEnd(44) +
          ` sendMessage  ${Math.round(row.requestsPerSecond).toString().padStart(8)} req/s  p99 ${row.p99Ms} ms`,
      );
    } finally {
      for (const sandbox of sandboxes) await sandbox.stop();
      await database.drop();
    }
  }
  return rows;
}

function sendMessage(sandbox: RunningSandbox, body: string): RouteRequest {
  return { url: `${sandbox.base}/sendMessage/bench`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body };
}

function combine(instances: number, results: LoadResult[]): ScaleOutRow {
  return {
    instances,
    requestsPerSecond: results.reduce((sum, result) => sum + result.requestsPerSecond, 0),
    p99Ms: Math.max(...results.map((result) => result.p99Ms)),
    requests: results.reduce((sum, result) => sum + result.requests, 0),
    non2xx: results.reduce((sum, result) => sum + result.non2xx, 0),
    errors: results.reduce((sum, result) => sum + result.errors, 0),
  };
}
