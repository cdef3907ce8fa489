import { execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Live mode's Baileys must not weigh on the simulated sandbox: the built sandbox starts under module hooks
 * that log every module it resolves (test/support/module-log), once per transport.
 */
describe('the transport a sandbox starts with decides whether Baileys is loaded', () => {
  beforeAll(() => {
    // The test runs the built server, as `npm start` does.
    execFileSync(process.execPath, ['scripts/build-if-stale.mjs'], { stdio: 'inherit' });
  }, 180_000);

  /** Every module URL the sandbox resolved by the time it listens. */
  async function modulesAtStart(transport: string): Promise<string[]> {
    const log = join(mkdtempSync(join(tmpdir(), 'wa-modules-')), 'modules.txt');
    const child = spawn(
      process.execPath,
      ['--import', './test/support/module-log/register.mjs', 'dist/apps/sandbox/src/main.js', '--port', '0', '--store', 'memory', '--transport', transport],
      { env: { ...process.env, MODULE_LOG: log }, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let output = '';
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    try {
      await new Promise<void>((resolve, reject) => {
        child.stdout.on('data', (chunk: Buffer) => {
          output += chunk.toString('utf8');
          if (output.includes('listening on')) resolve();
        });
        child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
        child.once('exit', (code) => reject(new Error(`the sandbox exited (${code}) before listening:\n${output}`)));
      });
    } finally {
      child.kill();
      await exited;
    }
    return readFileSync(log, 'utf8').split('\n').filter(Boolean);
  }

  const isLive = (url: string) => url.includes('/node_modules/@whiskeysockets/baileys/') || url.includes('/libs/live/');

  it('--transport simulated loads neither libs/live nor Baileys', async () => {
    const modules = await modulesAtStart('simulated');
    // The log works: the sandbox's own modules are in it.
    expect(modules.some((url) => url.endsWith('/dist/libs/engine/src/index.js'))).toBe(true);
    expect(modules.filter(isLive)).toEqual([]);
  }, 60_000);

  it('--transport live loads them', async () => {
    const modules = await modulesAtStart('live');
    expect(modules.some((url) => url.endsWith('/dist/libs/live/src/index.js'))).toBe(true);
    expect(modules.some((url) => url.includes('/node_modules/@whiskeysockets/baileys/lib/index.js'))).toBe(true);
  }, 60_000);
});
