/**
 * `npm run bench`: how fast the sandbox is, in one run on one machine, side by side with the limit
 * (a bare Fastify server), the framework alone (bare NestJS) and the tools users would pick instead
 * (Prism, WireMock). The limit, the framework and the sandbox are measured back to back in rounds, and
 * each ratio is taken within a round, so the machine's drift over the run cancels out. The sandbox runs on
 * both stores (memory, and SQLite on a fresh file), side by side in each round, start-up and memory
 * measurement; webhooks and huge bodies on SQLite, the default; with a PostgreSQL server (`--postgres`),
 * sendMessage through 1 and 3 instances sharing one database (scale-out). Prints a table
 * and writes it as JSON. It reports and does not gate: a missed target still exits 0, a measurement
 * that failed (errors or non-2xx answers under load, webhooks lost, a server that would not start) exits 1.
 * `--quick` is a smoke run: one round, 1 s warm-up, 3 s per route, 3 start-ups, 2,000 messages for webhooks.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, release, totalmem } from 'node:os';
import { dirname, join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { projectRoot } from '../apps/sandbox/src/paths.js';
import { measureRoute, sendRequests, type LoadResult, type LoadSettings, type RouteRequest } from './load.js';
import { installPeers, javaAvailability, PEERS, startPrism, startWireMock, type Availability, type PeerName, type WireMockStubs } from './peers.js';
import { cpuTicksByProcess, freePort, memoryOf, othersCpuPercent, startServer, stopAllOnExit, waitUntilServing, type ServerProcess } from './processes.js';
import { getJson, startSandbox, STORE_TITLES, type RunningSandbox, type StoreKind } from './sandbox.js';
import { measureScaleOut, type ScaleOutRow } from './scale-out.js';
import { measureStalls, type StallResult } from './stalls.js';
import { measureWebhookDelivery, type WebhookResult } from './webhooks.js';

const ROUTES = ['getStatus', 'sendMessage'] as const;
type Route = (typeof ROUTES)[number];

/** Every sandbox measurement that depends on the store runs on both; the default (`npm start`) is SQLite. */
const STORES: readonly StoreKind[] = ['memory', 'sqlite'];

/** The issue's targets (2-core machine, load generator on the same machine). */
const TARGETS = {
  sendMessageRatio: 0.5,
  getStatusRatio: 0.6,
  /** The SQLite store's rate as a share of the memory store's, in the same round (issue 15). */
  sqliteSendMessageRatio: 0.75,
  sqliteGetStatusRatio: 0.9,
  p99Ms: 20,
  startupMs: 1_500,
  rssAfterMessagesBytes: 200 * 1024 * 1024,
  webhookEventsPerSecond: 3_000,
  hugeBodyAnswerMs: 1_000,
  healthDuringHugeBodyMs: 50,
};

const MB = 1024 * 1024;
const KEY = 'bench';
const SEND_BODY = 'phonenumber=989121234567&text=hello';

interface Settings extends LoadSettings {
  quick: boolean;
  /** Rounds of limit, framework and sandbox back to back; ratios are medians of the rounds' ratios. */
  rounds: number;
  startupRuns: number;
  webhookMessages: number;
  memoryMessages: number;
  peers: boolean;
  out: string;
  /** The PostgreSQL server scale-out makes its databases on; scale-out is skipped without one. */
  postgres: string | undefined;
  /** The phases to run (all by default). */
  only: ReadonlySet<string>;
}

type TargetKind = 'limit' | 'framework' | 'sandbox' | 'peer';

interface LoadRow {
  target: string;
  kind: TargetKind;
  route: Route;
  /** The sandbox's store (sandbox rows only). */
  store?: StoreKind;
  /** 1-based; peers are measured once, in round 1. */
  round: number;
  result?: LoadResult;
  /** Why this row has no result. */
  skipped?: string;
  /** Of the target's process, right after the load. */
  rssBytes?: number;
  /** Share of the machine other processes used meanwhile: above a few percent, the numbers are skewed. */
  othersCpuPercent?: number;
}

interface TargetCheck {
  target: string;
  measured: string;
  met: boolean;
}

const USAGE = `usage: npm run bench [-- --quick] [--rounds 3] [--connections 50] [--duration 10] [--warmup 3] [--startup-runs 5]
                         [--webhook-messages 20000] [--memory-messages 100000] [--no-peers] [--out file.json]
                         [--postgres postgres://user@host/db] [--only start-up,load,memory,webhooks,huge-bodies,scale-out]
  --postgres (or WA_SANDBOX_BENCH_POSTGRES): a server on which scale-out makes its databases; without it scale-out is skipped`;

const PHASES = ['start-up', 'load', 'memory', 'webhooks', 'huge-bodies', 'scale-out'] as const;

const root = projectRoot();
const settings = readSettings();
const rows: LoadRow[] = [];
const failures: string[] = [];

stopAllOnExit();
await main();

async function main(): Promise<void> {
  const machine = await describeMachine();
  console.log(`wa-sandbox benchmark on ${machine.cpu} (${machine.cores} cores), Node ${machine.node}${settings.quick ? ', quick run' : ''}`);
  console.log(
    `load: ${settings.rounds} round(s); ${settings.connections} connections, ${settings.warmupS} s warm-up, ${settings.durationS} s measured, per target, route and round\n`,
  );
  if (machine.othersCpuPercentAtStart > 5)
    console.log(`note: other processes are using ${Math.round(machine.othersCpuPercentAtStart)} % of the CPU: the numbers will be skewed\n`);

  const peers = settings.peers && settings.only.has('load') ? await preparePeers() : undefined;
  const startup = await phase('start-up', measureStartup);
  await phase('load', () => measureLoads(peers));
  const memory = await phase('memory', measureMemory);
  const webhooks = await phase('webhooks', measureWebhooks);
  const stalls = await phase('huge-bodies', measureHugeBodies);
  const scaleOut = await phase('scale-out', measureSharedStore);

  const checks = evaluateTargets(startup, memory, webhooks, stalls);
  printReport(startup, memory, webhooks, checks);
  const out = writeJson(machine, startup, memory, webhooks, stalls, scaleOut, checks, peers);
  console.log(`\nJSON: ${relative(process.cwd(), out) || out}`);
  if (failures.length > 0) {
    console.log(`\n${failures.length} measurement(s) failed:\n${failures.map((failure) => `  - ${failure}`).join('\n')}`);
    process.exitCode = 1;
  }
}

function readSettings(): Settings {
  try {
    return parseSettings();
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
    process.exit(2);
  }
}

function parseSettings(): Settings {
  const { values } = parseArgs({
    options: {
      quick: { type: 'boolean', default: false },
      rounds: { type: 'string' },
      connections: { type: 'string' },
      duration: { type: 'string' },
      warmup: { type: 'string' },
      'startup-runs': { type: 'string' },
      'webhook-messages': { type: 'string' },
      'memory-messages': { type: 'string' },
      'no-peers': { type: 'boolean', default: false },
      out: { type: 'string' },
      only: { type: 'string' },
      postgres: { type: 'string' },
    },
  });
  const only = typeof values.only === 'string' ? values.only.split(',').map((name) => name.trim()) : [...PHASES];
  const unknown = only.filter((name) => !(PHASES as readonly string[]).includes(name));
  if (unknown.length > 0) throw new Error(`--only: unknown phase ${unknown.join(', ')} (phases: ${PHASES.join(', ')})`);
  const quick = values.quick === true;
  const number = (name: keyof typeof values, full: number, short: number, min: number): number => {
    const text = values[name];
    if (typeof text !== 'string') return quick ? short : full;
    const value = Number(text);
    if (!Number.isFinite(value) || value < min) throw new Error(`--${name} needs a number of at least ${min}, got ${text}`);
    return value;
  };
  return {
    quick,
    rounds: Math.round(number('rounds', 3, 1, 1)),
    connections: Math.round(number('connections', 50, 50, 1)),
    durationS: number('duration', 10, 3, 1),
    warmupS: number('warmup', 3, 1, 0),
    startupRuns: Math.round(number('startup-runs', 5, 3, 1)),
    webhookMessages: Math.round(number('webhook-messages', 20_000, 2_000, 1)),
    memoryMessages: Math.round(number('memory-messages', 100_000, 100_000, 1)),
    peers: values['no-peers'] !== true,
    out: typeof values.out === 'string' ? values.out : join(root, 'bench', 'results', 'latest.json'),
    postgres: typeof values.postgres === 'string' ? values.postgres : process.env.WA_SANDBOX_BENCH_POSTGRES,
    only: new Set(only),
  };
}

/** Runs one part of the benchmark; a failure is recorded and the run goes on with the next part. */
async function phase<T>(name: (typeof PHASES)[number], run: () => Promise<T>): Promise<T | undefined> {
  if (!settings.only.has(name)) return undefined;
  try {
    return await run();
  } catch (error) {
    failures.push(`${name}: ${error instanceof Error ? error.message : String(error)}`);
    console.log(`${name} failed: ${error instanceof Error ? error.message : String(error)}`);
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------- start-up

interface StartupResult {
  store: StoreKind;
  runsMs: number[];
  medianMs: number;
}

/**
 * Time from spawning the sandbox as `npm start` runs it to its first 200 on a WaMessenger route, in fresh
 * processes (SQLite: on a new file), the stores taking turns so the machine's drift touches both alike.
 */
async function measureStartup(): Promise<StartupResult[]> {
  const runsMs = new Map<StoreKind, number[]>(STORES.map((store) => [store, []]));
  for (let run = 0; run < settings.startupRuns; run++) {
    for (const store of STORES) {
      const sandbox = await startSandbox(root, store);
      runsMs.get(store)!.push(sandbox.startupMs);
      await sandbox.stop();
    }
  }
  return STORES.map((store) => {
    const runs = runsMs.get(store)!;
    const medianMs = median(runs)!;
    console.log(`start-up, ${STORE_TITLES[store]}: ${runs.map((ms) => `${Math.round(ms)} ms`).join(', ')} (median ${Math.round(medianMs)} ms)`);
    return { store, runsMs: runs, medianMs };
  });
}

// -------------------------------------------------------------------------------------------------- load

interface LoadTarget {
  target: string;
  kind: TargetKind;
  server: ServerProcess;
  base: string;
  /** The message getStatus asks for: each sandbox's own; the stubs answer any id. */
  messageId: string;
  store?: StoreKind;
}

/**
 * Measures the limit, the framework and the sandbox on each store back to back on each route, round after
 * round (the sandboxes reset before each round), then each peer once.
 */
async function measureLoads(peers: Record<PeerName, Availability> | undefined): Promise<void> {
  const stoppers: Array<() => Promise<void>> = [];
  let stubs: WireMockStubs;
  try {
    const sandboxes: RunningSandbox[] = [];
    for (const store of STORES) {
      const sandbox = await startSandbox(root, store);
      stoppers.push(sandbox.stop);
      sandboxes.push(sandbox);
    }
    const prepared = await Promise.all(sandboxes.map(prepareSandboxRoutes));
    stubs = prepared[0]!;
    const limit = await startStubServer('bare Fastify', 'dist/bench/bare-fastify.js', stubs);
    stoppers.push(limit.server.stop);
    const framework = await startStubServer('bare NestJS', 'dist/bench/bare-nest.js', stubs);
    stoppers.push(framework.server.stop);
    const targets: LoadTarget[] = [
      { target: 'limit: bare Fastify', kind: 'limit', ...limit, messageId: stubs.messageId },
      { target: 'framework: bare NestJS on Fastify', kind: 'framework', ...framework, messageId: stubs.messageId },
      ...sandboxes.map(
        (sandbox, index): LoadTarget => ({
          target: sandboxTitle(sandbox.store),
          kind: 'sandbox',
          server: sandbox.server,
          base: sandbox.base,
          messageId: prepared[index]!.messageId,
          store: sandbox.store,
        }),
      ),
    ];
    for (let round = 1; round <= settings.rounds; round++) {
      // Every round starts from the same state: one prepared message, nothing else stored.
      if (round > 1) {
        for (const target of targets) {
          const sandbox = sandboxes.find((candidate) => candidate.server === target.server);
          if (sandbox) target.messageId = await resetSandbox(sandbox);
        }
      }
      for (const route of ROUTES) {
        for (const target of targets) await measureRow(target, route, round);
      }
    }
  } finally {
    await Promise.all(stoppers.map((stop) => stop()));
  }

  if (peers) {
    await measurePeer('prism', peers.prism, (port) => startPrism(peerFolder(), join(root, 'contracts', 'wamessenger.openapi.yaml'), port), '', stubs.messageId);
    const java = javaAvailability();
    await measurePeer('wiremock', java.ok ? peers.wiremock : java, (port) => startWireMock(peerFolder(), stubs, port), '/wamessenger', stubs.messageId);
  }
}

/** One message sent and read (the clock jumps a minute), so getStatus answers a full report; its JSON is what the stubs answer. */
async function prepareSandboxRoutes(sandbox: RunningSandbox): Promise<WireMockStubs> {
  const { url, ...request } = sendMessageRequest(sandbox.base);
  const sent = await fetch(url, request);
  const messageId = await sent.text();
  if (sent.status !== 200) throw new Error(`sendMessage answered ${sent.status}: ${messageId}`);
  await sandbox.control.advance(60_000);
  const report = await getJson<{ delivery: string }>(sandbox, `/getStatus/${KEY}?id=${messageId}`);
  if (report.delivery !== 'read') throw new Error(`the prepared message is "${report.delivery}", not read, a minute later`);
  return { statusReport: JSON.stringify(report), messageId };
}

/** Forgets what the last round stored and prepares the getStatus message again; answers its id. */
async function resetSandbox(sandbox: RunningSandbox): Promise<string> {
  await sandbox.control.reset();
  return (await prepareSandboxRoutes(sandbox)).messageId;
}

/** A server answering the two routes with the sandbox's answers and no work behind them (the limit, the framework). */
async function startStubServer(name: string, script: string, stubs: WireMockStubs): Promise<{ server: ServerProcess; base: string }> {
  const port = await freePort();
  const started = performance.now();
  const server = startServer(
    name,
    process.execPath,
    [join(root, script), '--port', String(port), '--status-body', stubs.statusReport, '--message-id', stubs.messageId],
    root,
  );
  try {
    await waitUntilServing(server, `http://127.0.0.1:${port}/wamessenger/getStatus/${KEY}?id=${stubs.messageId}`, started, 30_000);
  } catch (error) {
    await server.stop();
    throw error;
  }
  return { server, base: `http://127.0.0.1:${port}/wamessenger` };
}

async function measurePeer(
  name: PeerName,
  availability: Availability,
  start: (port: number) => ServerProcess,
  basePath: string,
  messageId: string,
): Promise<void> {
  const title = PEERS[name].title;
  // Routes measured before a failure keep their rows; the others say why they have none.
  const skip = (reason: string): void => {
    console.log(`${title}: skipped: ${reason}`);
    for (const route of ROUTES) {
      if (!rows.some((row) => row.target === title && row.route === route)) rows.push({ target: title, kind: 'peer', route, round: 1, skipped: reason });
    }
  };
  if (!availability.ok) return skip(availability.reason);
  const port = await freePort();
  let server: ServerProcess;
  try {
    server = start(port);
  } catch (error) {
    return skip(error instanceof Error ? error.message : String(error));
  }
  try {
    const base = `http://127.0.0.1:${port}${basePath}`;
    await waitUntilServing(server, `${base}/getStatus/${KEY}?id=${messageId}`, performance.now(), 60_000);
    for (const route of ROUTES) await measureRow({ target: title, kind: 'peer', server, base, messageId }, route, 1);
  } catch (error) {
    skip(error instanceof Error ? error.message : String(error));
  } finally {
    await server.stop();
  }
}

function routeRequest(base: string, route: Route, messageId: string): RouteRequest {
  return route === 'getStatus' ? { url: `${base}/getStatus/${KEY}?id=${messageId}`, method: 'GET' } : sendMessageRequest(base);
}

/** One text to one ordinary number, as a PHP client posts it. */
function sendMessageRequest(base: string): RouteRequest {
  return { url: `${base}/sendMessage/${KEY}`, method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: SEND_BODY };
}

function sandboxTitle(store: StoreKind): string {
  return `wa-sandbox, ${STORE_TITLES[store]}`;
}

async function measureRow({ target, kind, server, base, messageId, store }: LoadTarget, route: Route, round: number): Promise<void> {
  const before = cpuTicksByProcess();
  const started = performance.now();
  const result = await measureRoute(routeRequest(base, route, messageId), settings);
  const seconds = (performance.now() - started) / 1000;
  const others = othersCpuPercent(before, cpuTicksByProcess(), new Set([process.pid, server.pid]), seconds, cpus().length);
  rows.push({ target, kind, route, ...(store ? { store } : {}), round, result, rssBytes: memoryOf(server.pid).rss, othersCpuPercent: others });
  if (result.errors > 0 || result.non2xx > 0)
    failures.push(`${target} ${route}: ${result.errors} connection errors and ${result.non2xx} non-2xx answers in ${result.requests} requests`);
  const label = kind === 'peer' ? target : `${target} (round ${round})`;
  console.log(
    `${label.padEnd(44)} ${route.padEnd(12)} ${formatRate(result.requestsPerSecond).padStart(8)} req/s  p50 ${result.p50Ms} ms  p99 ${result.p99Ms} ms${others > 5 ? `  (others used ${Math.round(others)} % of the CPU)` : ''}`,
  );
}

function peerFolder(): string {
  return join(root, '.bench', 'peers');
}

async function preparePeers(): Promise<Record<PeerName, Availability>> {
  try {
    return await installPeers(peerFolder());
  } catch (error) {
    const reason = `installing failed: ${error instanceof Error ? error.message : String(error)}`;
    return { prism: { ok: false, reason }, wiremock: { ok: false, reason } };
  }
}

// --------------------------------------------------------------------------------------------- scale-out

/** sendMessage through 1 and 3 instances on one PostgreSQL database (bench/scale-out.ts); a note instead without a server. */
async function measureSharedStore(): Promise<ScaleOutRow[] | string> {
  if (settings.postgres === undefined) {
    const note = 'skipped: no PostgreSQL server given (--postgres postgres://user@host/db, or WA_SANDBOX_BENCH_POSTGRES; source .ci/postgres.sh starts one)';
    console.log(`scale-out ${note}`);
    return note;
  }
  const scaleOut = await measureScaleOut(root, settings.postgres, settings, SEND_BODY);
  for (const row of scaleOut) {
    if (row.errors > 0 || row.non2xx > 0)
      failures.push(
        `PostgreSQL, ${row.instances} instance(s), sendMessage: ${row.errors} connection errors and ${row.non2xx} non-2xx answers in ${row.requests} requests`,
      );
  }
  return scaleOut;
}

// ------------------------------------------------------------------------------------------------ memory

interface MemoryResult {
  store: StoreKind;
  idleRssBytes: number;
  messages: number;
  rssAfterMessagesBytes: number;
  peakRssBytes: number;
}

/**
 * A fresh sandbox on each store (default settings otherwise): RSS once it has answered and settled, then
 * after storing the messages, sent one per request as clients send them (all to one key: its send queue grows).
 */
async function measureMemory(): Promise<MemoryResult[]> {
  const results: MemoryResult[] = [];
  for (const store of STORES) {
    const sandbox = await startSandbox(root, store);
    try {
      await settle();
      const idleRssBytes = memoryOf(sandbox.server.pid).rss;
      const sent = await sendRequests(sendMessageRequest(sandbox.base), settings.connections, settings.memoryMessages);
      if (sent.errors > 0 || sent.non2xx > 0)
        failures.push(`memory, ${STORE_TITLES[store]}: ${sent.errors} connection errors and ${sent.non2xx} non-2xx answers storing ${sent.requests} messages`);
      await settle();
      const { rss, peak } = memoryOf(sandbox.server.pid);
      console.log(
        `memory, ${STORE_TITLES[store]}: idle ${formatMB(idleRssBytes)}, after ${formatRate(sent.requests)} messages ${formatMB(rss)} (peak ${formatMB(peak)})`,
      );
      results.push({ store, idleRssBytes, messages: sent.requests, rssAfterMessagesBytes: rss, peakRssBytes: peak });
    } finally {
      await sandbox.stop();
    }
  }
  return results;
}

/** Gives the server a moment to finish what a burst left behind (timers, GC) before its memory is read. */
function settle(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 2_000));
}

// ---------------------------------------------------------------------------------------------- webhooks

/** On the SQLite store, the default: every delivery and retry is a stored job there. */
async function measureWebhooks(): Promise<WebhookResult> {
  const sandbox = await startSandbox(root, 'sqlite', ['--clock', 'manual']);
  try {
    const result = await measureWebhookDelivery(sandbox, settings.webhookMessages);
    if (result.lost > 0) failures.push(`webhooks: ${result.lost} of ${result.expected} events never reached the receiver`);
    console.log(
      `webhooks: ${formatRate(result.received)} of ${formatRate(result.expected)} events in ${result.seconds.toFixed(1)} s (${formatRate(result.eventsPerSecond)}/s), ${result.lost} lost, ${result.duplicates} duplicates, ${result.failedAttempts} failed attempts`,
    );
    return result;
  } finally {
    await sandbox.stop();
  }
}

// ------------------------------------------------------------------------------------------- huge bodies

/** On the SQLite store, the default: a body's thousands of recipients are stored messages there. */
async function measureHugeBodies(): Promise<StallResult[]> {
  const sandbox = await startSandbox(root, 'sqlite');
  try {
    const results = await measureStalls(sandbox);
    for (const result of results) {
      console.log(
        `huge body: ${result.body} (${formatMB(result.bytes)}): ${result.status} in ${result.answerMs} ms; health meanwhile at most ${result.healthMaxMs} ms (${result.healthChecks} checks)`,
      );
    }
    return results;
  } finally {
    await sandbox.stop();
  }
}

// ------------------------------------------------------------------------------------------------ report

/** One target on one route over its rounds: medians, and the spread of its ratios. */
interface LoadSummary {
  target: string;
  kind: TargetKind;
  route: Route;
  store?: StoreKind;
  rounds: number;
  requestsPerSecond: number;
  p50Ms: number;
  p99Ms: number;
  /** Median of the rounds' ratios to bare Fastify. */
  ratio?: number;
  ratioMin?: number;
  ratioMax?: number;
  /** After the last round. */
  rssBytes?: number;
  /** The most other processes used of the machine during any of its rounds. */
  othersCpuPercent?: number;
}

/**
 * The row's rate as a share of bare Fastify's: in the same round for the rows measured in rounds, and of
 * bare Fastify's median over the rounds for the peers, which are measured once, after them.
 */
function ratioOf(row: LoadRow): number | undefined {
  if (!row.result) return undefined;
  const limits = rows.filter((candidate) => candidate.kind === 'limit' && candidate.route === row.route && candidate.result);
  const limit =
    row.kind === 'peer'
      ? median(limits.map((candidate) => candidate.result!.requestsPerSecond))
      : limits.find((candidate) => candidate.round === row.round)?.result?.requestsPerSecond;
  return limit ? row.result.requestsPerSecond / limit : undefined;
}

/** One summary per target and route, in the order they were first measured; skipped rows have none. */
function summaries(): LoadSummary[] {
  const groups = new Map<string, LoadRow[]>();
  for (const row of rows) {
    if (!row.result) continue;
    const key = `${row.target}\u0000${row.route}`;
    groups.set(key, [...(groups.get(key) ?? []), row]);
  }
  return [...groups.values()].map((group) => {
    const ratios = group.map(ratioOf).filter((ratio): ratio is number => ratio !== undefined);
    const { target, kind, route, store } = group[0]!;
    return {
      target,
      kind,
      route,
      ...(store ? { store } : {}),
      rounds: group.length,
      requestsPerSecond: median(group.map((row) => row.result!.requestsPerSecond))!,
      p50Ms: median(group.map((row) => row.result!.p50Ms))!,
      p99Ms: median(group.map((row) => row.result!.p99Ms))!,
      ...(ratios.length > 0 ? { ratio: median(ratios)!, ratioMin: Math.min(...ratios), ratioMax: Math.max(...ratios) } : {}),
      rssBytes: group.at(-1)!.rssBytes,
      othersCpuPercent: Math.max(...group.map((row) => row.othersCpuPercent ?? 0)),
    };
  });
}

function sandboxSummary(route: Route, store: StoreKind): LoadSummary | undefined {
  return summaries().find((summary) => summary.kind === 'sandbox' && summary.route === route && summary.store === store);
}

/** The SQLite sandbox's rate as a share of the memory sandbox's, per round (both measured seconds apart). */
function sqliteRatios(route: Route): number[] {
  const sandboxRow = (store: StoreKind, round: number) =>
    rows.find((row) => row.kind === 'sandbox' && row.store === store && row.route === route && row.round === round && row.result);
  const ratios: number[] = [];
  for (const sqlite of rows.filter((row) => row.kind === 'sandbox' && row.store === 'sqlite' && row.route === route && row.result)) {
    const memory = sandboxRow('memory', sqlite.round);
    if (memory) ratios.push(sqlite.result!.requestsPerSecond / memory.result!.requestsPerSecond);
  }
  return ratios;
}

function median(values: number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function evaluateTargets(startups?: StartupResult[], memories?: MemoryResult[], webhooks?: WebhookResult, stalls?: StallResult[]): TargetCheck[] {
  const checks: TargetCheck[] = [];
  for (const store of STORES) {
    for (const [route, minimum] of [
      ['sendMessage', TARGETS.sendMessageRatio],
      ['getStatus', TARGETS.getStatusRatio],
    ] as const) {
      const ours = sandboxSummary(route, store);
      if (!ours) continue;
      if (ours.ratio !== undefined) {
        const spread = ours.rounds > 1 ? `, rounds ${percent(ours.ratioMin!)}–${percent(ours.ratioMax!)}` : '';
        checks.push({
          target: `${STORE_TITLES[store]}: ${route} ≥ ${minimum * 100} % of bare Fastify`,
          measured: `${percent(ours.ratio)} (median of ${ours.rounds} round(s)${spread})`,
          met: ours.ratio >= minimum,
        });
      }
      checks.push({
        target: `${STORE_TITLES[store]}: ${route} p99 < ${TARGETS.p99Ms} ms at ${settings.connections} connections`,
        measured: `${ours.p99Ms} ms`,
        met: ours.p99Ms < TARGETS.p99Ms,
      });
    }
  }
  for (const [route, minimum] of [
    ['sendMessage', TARGETS.sqliteSendMessageRatio],
    ['getStatus', TARGETS.sqliteGetStatusRatio],
  ] as const) {
    const ratios = sqliteRatios(route);
    if (ratios.length === 0) continue;
    const ratio = median(ratios)!;
    const spread = ratios.length > 1 ? `, rounds ${percent(Math.min(...ratios))}–${percent(Math.max(...ratios))}` : '';
    checks.push({
      target: `SQLite store: ${route} within ${Math.round((1 - minimum) * 100)} % of the memory store`,
      measured: `${percent(ratio)} of its rate (median of ${ratios.length} round(s)${spread})`,
      met: ratio >= minimum,
    });
  }
  for (const peer of summaries().filter((summary) => summary.kind === 'peer')) {
    for (const store of STORES) {
      const ours = sandboxSummary(peer.route, store);
      if (!ours) continue;
      const factor = ours.requestsPerSecond / peer.requestsPerSecond;
      checks.push({
        target: `${STORE_TITLES[store]}: ahead of ${peer.target} on ${peer.route}`,
        measured: `${formatRate(ours.requestsPerSecond)} vs ${formatRate(peer.requestsPerSecond)} req/s (×${factor.toFixed(2)})`,
        met: factor > 1,
      });
    }
  }
  for (const startup of startups ?? []) {
    checks.push({
      target: `${STORE_TITLES[startup.store]}: first response within ${TARGETS.startupMs / 1000} s of start`,
      measured: `${(startup.medianMs / 1000).toFixed(2)} s (median of ${startup.runsMs.length})`,
      met: startup.medianMs <= TARGETS.startupMs,
    });
  }
  // Judged only with the target's 100,000 messages (--memory-messages can ask for fewer).
  for (const memory of (memories ?? []).filter((candidate) => candidate.messages >= 100_000)) {
    checks.push({
      target: `${STORE_TITLES[memory.store]}: RSS under ${TARGETS.rssAfterMessagesBytes / MB} MB after 100,000 messages`,
      measured: `${formatMB(memory.rssAfterMessagesBytes)} after ${formatRate(memory.messages)}`,
      met: memory.rssAfterMessagesBytes < TARGETS.rssAfterMessagesBytes,
    });
  }
  if (webhooks) {
    checks.push({
      target: `≥ ${formatRate(TARGETS.webhookEventsPerSecond)} webhook deliveries/s, none lost`,
      measured: `${formatRate(webhooks.eventsPerSecond)}/s, ${webhooks.lost} lost of ${formatRate(webhooks.expected)}`,
      met: webhooks.eventsPerSecond >= TARGETS.webhookEventsPerSecond && webhooks.lost === 0,
    });
  }
  for (const stall of stalls ?? []) {
    checks.push({
      target: `${stall.body}: answered within ${TARGETS.hugeBodyAnswerMs / 1000} s, health within ${TARGETS.healthDuringHugeBodyMs} ms`,
      measured: `${stall.status} in ${stall.answerMs} ms, health at most ${stall.healthMaxMs} ms`,
      met: stall.status < 500 && stall.answerMs <= TARGETS.hugeBodyAnswerMs && stall.healthMaxMs <= TARGETS.healthDuringHugeBodyMs,
    });
  }
  return checks;
}

function printReport(
  startups: StartupResult[] | undefined,
  memories: MemoryResult[] | undefined,
  webhooks: WebhookResult | undefined,
  checks: TargetCheck[],
): void {
  // `others` is the share of the machine other processes used during the row's run: above a few percent, the row is skewed.
  // Medians over the rounds; `ratios` is the spread of the rounds' ratios. `others` is the most of the
  // machine other processes used during a round: above a few percent, the row is skewed.
  const header = ['target', 'route', 'req/s', 'p50', 'p99', 'ratio', 'ratios', 'RSS', 'others', 'target met?'];
  const table: string[][] = [header];
  for (const summary of summaries()) {
    table.push([
      summary.target,
      summary.route,
      formatRate(summary.requestsPerSecond),
      `${summary.p50Ms} ms`,
      `${summary.p99Ms} ms`,
      summary.ratio === undefined ? '-' : summary.ratio.toFixed(2),
      summary.rounds > 1 && summary.ratioMin !== undefined ? `${summary.ratioMin.toFixed(2)}–${summary.ratioMax!.toFixed(2)}` : '-',
      summary.rssBytes === undefined ? '-' : formatMB(summary.rssBytes),
      `${Math.round(summary.othersCpuPercent ?? 0)} %`,
      verdictFor(summary),
    ]);
  }
  for (const row of rows.filter((candidate) => !candidate.result)) {
    table.push([row.target, row.route, '-', '-', '-', '-', '-', '-', '-', `skipped: ${row.skipped ?? ''}`]);
  }
  const none = ['-', '-', '-', '-', '-'];
  for (const startup of startups ?? []) {
    table.push([
      `start-up, ${STORE_TITLES[startup.store]}`,
      'first 200',
      ...none,
      '-',
      '-',
      `${mark(startup.medianMs <= TARGETS.startupMs)} ${(startup.medianMs / 1000).toFixed(2)} s median ≤ ${TARGETS.startupMs / 1000} s`,
    ]);
  }
  for (const memory of memories ?? []) {
    table.push([`memory, ${STORE_TITLES[memory.store]}`, 'idle', ...none, formatMB(memory.idleRssBytes), '-', '']);
    const verdict =
      memory.messages >= 100_000
        ? `${mark(memory.rssAfterMessagesBytes < TARGETS.rssAfterMessagesBytes)} < ${TARGETS.rssAfterMessagesBytes / MB} MB`
        : 'not judged (under 100,000 messages)';
    table.push([`memory, ${STORE_TITLES[memory.store]}`, `${formatRate(memory.messages)} msgs`, ...none, formatMB(memory.rssAfterMessagesBytes), '-', verdict]);
  }
  if (webhooks) {
    const met = webhooks.eventsPerSecond >= TARGETS.webhookEventsPerSecond && webhooks.lost === 0;
    table.push([
      'webhooks, SQLite store',
      'delivery',
      `${formatRate(webhooks.eventsPerSecond)}/s`,
      '-',
      '-',
      '-',
      '-',
      '-',
      '-',
      `${mark(met)} ≥ ${formatRate(TARGETS.webhookEventsPerSecond)}/s, ${webhooks.lost} lost of ${formatRate(webhooks.expected)}`,
    ]);
  }
  const widths = header.map((_, column) => Math.max(...table.map((cells) => cells[column]!.length)));
  const line = (cells: string[]): string =>
    cells
      .map((cell, column) => (column >= 2 && column <= 8 ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!)))
      .join('  ')
      .trimEnd();
  console.log(`\n${line(header)}\n${widths.map((width) => '-'.repeat(width)).join('  ')}`);
  for (const cells of table.slice(1)) console.log(line(cells));

  console.log('\ntargets:');
  for (const check of checks) console.log(`  ${mark(check.met)} ${check.target}: ${check.measured}`);
  const skewed = rows.filter((row) => (row.othersCpuPercent ?? 0) > 5);
  if (skewed.length > 0)
    console.log(
      `\nnote: other processes used over 5 % of the CPU during ${skewed.length} of ${rows.length} load runs (see othersCpuPercent in the JSON): those numbers are skewed`,
    );
}

function verdictFor(summary: LoadSummary): string {
  if (summary.kind === 'limit') return 'reference';
  if (summary.kind === 'framework') return 'reference: the framework alone';
  if (summary.kind === 'sandbox') {
    const minimum = summary.route === 'sendMessage' ? TARGETS.sendMessageRatio : TARGETS.getStatusRatio;
    const ratioMet = summary.ratio !== undefined && summary.ratio >= minimum;
    const verdict = `${mark(ratioMet)} ≥ ${minimum.toFixed(2)}, ${mark(summary.p99Ms < TARGETS.p99Ms)} p99 < ${TARGETS.p99Ms} ms`;
    if (summary.store !== 'sqlite') return verdict;
    const ofMemory = median(sqliteRatios(summary.route));
    if (ofMemory === undefined) return verdict;
    const minimumOfMemory = summary.route === 'sendMessage' ? TARGETS.sqliteSendMessageRatio : TARGETS.sqliteGetStatusRatio;
    return `${verdict}, ${mark(ofMemory >= minimumOfMemory)} ${percent(ofMemory)} of memory ≥ ${percent(minimumOfMemory)}`;
  }
  const ours = STORES.map((store) => sandboxSummary(summary.route, store)).filter((candidate) => candidate !== undefined);
  return ours.length > 0 ? `${mark(ours.every((candidate) => candidate.requestsPerSecond > summary.requestsPerSecond))} sandbox ahead` : '-';
}

function percent(ratio: number): string {
  return `${Math.round(ratio * 100)} %`;
}

function mark(met: boolean): string {
  return met ? 'met' : 'MISSED';
}

function formatRate(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

function formatMB(bytes: number): string {
  return `${Math.round(bytes / MB)} MB`;
}

// -------------------------------------------------------------------------------------------------- JSON

async function describeMachine() {
  const processors = cpus();
  const before = cpuTicksByProcess();
  await new Promise((resolve) => setTimeout(resolve, 1_000));
  return {
    cpu: processors[0]?.model ?? 'unknown',
    cores: processors.length,
    memoryBytes: totalmem(),
    node: process.versions.node,
    os: `${process.platform} ${release()}`,
    othersCpuPercentAtStart: othersCpuPercent(before, cpuTicksByProcess(), new Set([process.pid]), 1, processors.length),
  };
}

function gitCommit(): string | undefined {
  const head = spawnSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: root, encoding: 'utf8' });
  if (head.status !== 0) return undefined;
  const dirty = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8' }).stdout.trim() !== '';
  return `${head.stdout.trim()}${dirty ? ' (with uncommitted changes)' : ''}`;
}

function writeJson(
  machine: Awaited<ReturnType<typeof describeMachine>>,
  startup: StartupResult[] | undefined,
  memory: MemoryResult[] | undefined,
  webhooks: WebhookResult | undefined,
  hugeBodies: StallResult[] | undefined,
  scaleOut: ScaleOutRow[] | string | undefined,
  checks: TargetCheck[],
  peers: Record<PeerName, Availability> | undefined,
): string {
  const report = {
    date: new Date().toISOString(),
    command: `npm run bench${process.argv.length > 2 ? ` -- ${process.argv.slice(2).join(' ')}` : ''}`,
    commit: gitCommit(),
    machine,
    settings,
    load: summaries(),
    loadRuns: rows.map((row) => ({ ...row, ratioToBareFastify: ratioOf(row) })),
    startup,
    memory,
    webhooks,
    hugeBodies,
    scaleOut,
    peers: peers ?? 'not measured (--no-peers)',
    targets: checks,
    failures,
  };
  mkdirSync(dirname(settings.out), { recursive: true });
  writeFileSync(settings.out, `${JSON.stringify(report, null, 2)}\n`);
  return settings.out;
}
