import { spawn, type ChildProcess } from 'node:child_process';
import { ControlClient } from '#conformance';

/** The built server, as `npm start` runs it (the test builds it first if a source is newer). */
const MAIN = 'dist/apps/sandbox/src/main.js';

/**
 * The real sandbox in its own process, on the manual clock and a SQLite file, so a test can `kill -9` it
 * and start another on the same file and port (clients keep their urls, as after a real crash); or one of
 * several on a shared PostgreSQL store, on the real clock.
 */
export class SandboxProcess {
  readonly control: ControlClient;
  private stderr = '';
  private readonly exited: Promise<void>;
  private hasExited = false;

  private constructor(
    private readonly child: ChildProcess,
    readonly origin: string,
  ) {
    this.control = new ControlClient(`${origin}/__sandbox`);
    child.stderr?.on('data', (chunk: Buffer) => (this.stderr = (this.stderr + chunk.toString('utf8')).slice(-4000)));
    this.exited = new Promise((resolve) =>
      child.once('exit', () => {
        this.hasExited = true;
        resolve();
      }),
    );
  }

  /**
   * Starts the sandbox and resolves once its health check answers 200 (a busy 2-core machine: several seconds).
   * By default on the manual clock from `startIso` and a SQLite file in `dataDir`; `store` names another
   * store (a PostgreSQL url several processes share) and `speed` runs the real clock at that speed instead.
   */
  static async start(options: { port: number; dataDir: string; startIso: string; seed: number; store?: string; speed?: number }): Promise<SandboxProcess> {
    const origin = `http://127.0.0.1:${options.port}`;
    const clock = options.speed === undefined ? ['--clock', 'manual'] : ['--clock', 'real', '--speed', String(options.speed)];
    const child = spawn(
      process.execPath,
      [
        MAIN,
        '--port',
        String(options.port),
        '--host',
        '127.0.0.1',
        '--public-url',
        origin,
        ...clock,
        '--start',
        options.startIso,
        '--seed',
        String(options.seed),
        '--store',
        options.store ?? `sqlite:${options.dataDir}/sandbox.db`,
        '--data-dir',
        options.dataDir,
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const sandbox = new SandboxProcess(child, origin);
    await sandbox.untilHealthy(60_000);
    return sandbox;
  }

  get pid(): number {
    return this.child.pid!;
  }

  /** SIGKILL: no shutdown hook runs, nothing is flushed; resolves once the process is gone. */
  async kill9(): Promise<void> {
    this.child.kill('SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the sandbox closes its store), SIGKILL after 5 s. */
  async stop(): Promise<void> {
    if (this.hasExited) return;
    this.child.kill('SIGTERM');
    const killed = setTimeout(() => this.child.kill('SIGKILL'), 5_000);
    await this.exited;
    clearTimeout(killed);
  }

  /** Polls the control API's health check: the process is ready when it answers 200. */
  private async untilHealthy(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.hasExited) throw new Error(`the sandbox exited before it was healthy:\n${this.stderr}`);
      const probe = await this.control.probe();
      if (probe.available) return;
      if (Date.now() > deadline) throw new Error(`the sandbox was not healthy within ${timeoutMs / 1000} s (${probe.reason}):\n${this.stderr}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }
}
