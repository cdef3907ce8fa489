import { spawn, type ChildProcess } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';

/** A server under test, in its own process so it never shares an event loop with the load generator. */
export interface ServerProcess {
  readonly name: string;
  readonly pid: number;
  /** The last lines it wrote to stderr, to say why it failed. */
  stderrTail(): string;
  hasExited(): boolean;
  /** SIGTERM to its whole process group, SIGKILL if it is still there after 5 s. */
  stop(): Promise<void>;
}

const running = new Set<ServerProcess>();

/** Stops every server still running when the benchmark ends, however it ends. */
export function stopAllOnExit(): void {
  process.once('exit', () => {
    for (const server of running) killGroup(server.pid, 'SIGKILL');
  });
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.once(signal, () => {
      void Promise.all([...running].map((server) => server.stop())).finally(() => process.exit(130));
    });
  }
}

export function startServer(name: string, command: string, args: string[], cwd: string): ServerProcess {
  // Its own process group (detached), so stop() also ends whatever it started, and nothing else.
  const child: ChildProcess = spawn(command, args, { cwd, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderr = (stderr + chunk.toString('utf8')).slice(-4000);
  });
  let exited = false;
  const exit = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
    child.once('error', (error) => {
      stderr += `\n${error.message}`;
      exited = true;
      resolve();
    });
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  const pid = child.pid;
  const server: ServerProcess = {
    name,
    pid,
    stderrTail: () => stderr.trim().split('\n').slice(-5).join('\n'),
    hasExited: () => exited,
    stop: async () => {
      running.delete(server);
      if (exited) return;
      killGroup(pid, 'SIGTERM');
      const killed = setTimeout(() => killGroup(pid, 'SIGKILL'), 5_000);
      await exit;
      clearTimeout(killed);
    },
  };
  running.add(server);
  return server;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // Already gone.
  }
}

/** A port free right now on 127.0.0.1 (the OS picks it; the server is told to use it). */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', resolve);
  });
  const { port } = probe.address() as AddressInfo;
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Polls `url` until it answers 200, and resolves with the milliseconds since `since`
 * (a performance.now() time). Fails at once if the server exits, and after `timeoutMs`.
 */
export async function waitUntilServing(server: ServerProcess, url: string, since: number, timeoutMs: number, init?: RequestInit): Promise<number> {
  for (;;) {
    if (server.hasExited()) throw new Error(`${server.name} exited before answering ${url}${server.stderrTail() ? `:\n${server.stderrTail()}` : ''}`);
    try {
      const response = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
      await response.arrayBuffer();
      if (response.status === 200) return performance.now() - since;
    } catch {
      // Not listening yet.
    }
    if (performance.now() - since > timeoutMs) throw new Error(`${server.name} did not answer ${url} with 200 within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** Resident memory of a process (VmRSS), and its peak so far (VmHWM), in bytes. */
export function memoryOf(pid: number): { rss: number; peak: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kB = (field: string): number => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN) * 1024;
  return { rss: kB('VmRSS'), peak: kB('VmHWM') };
}

/** CPU time every process has used so far, in clock ticks (utime + stime, all threads), by pid. */
export function cpuTicksByProcess(): Map<number, number> {
  const ticks = new Map<number, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      // Fields after the command name, which is in parentheses and may contain spaces.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      ticks.set(Number(entry), Number(fields[11]) + Number(fields[12]));
    } catch {
      // The process ended while we looked.
    }
  }
  return ticks;
}

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ): 100 on every Linux this runs on. */
const TICKS_PER_SECOND = 100;

/**
 * How much of the machine processes other than `ours` used between two snapshots, in percent of all
 * cores. Other work on the machine (a test run, a build) skews a benchmark; this says by how much.
 */
export function othersCpuPercent(before: Map<number, number>, after: Map<number, number>, ours: Set<number>, seconds: number, cores: number): number {
  let used = 0;
  for (const [pid, ticks] of after) {
    if (!ours.has(pid)) used += ticks - (before.get(pid) ?? 0);
  }
  return (100 * used) / (TICKS_PER_SECOND * seconds * cores);
}
