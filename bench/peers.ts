import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startServer, type ServerProcess } from './processes.js';

/**
 * The tools users would pick instead of the sandbox. They are installed on demand into a git-ignored
 * folder, never as project dependencies. Prism 5.15+ needs Node 24; 5.14.2 runs on Node 20.
 */
export const PEERS = {
  prism: { package: '@stoplight/prism-cli', version: '5.14.2', title: 'Prism 5.14.2' },
  wiremock: { package: 'wiremock', version: '3.13.2', title: 'WireMock 3.13.2' },
} as const;

export type PeerName = keyof typeof PEERS;

export type Availability = { ok: true } | { ok: false; reason: string };

function installedVersion(folder: string, name: PeerName): string | undefined {
  const manifest = join(folder, 'node_modules', PEERS[name].package, 'package.json');
  if (!existsSync(manifest)) return undefined;
  return (JSON.parse(readFileSync(manifest, 'utf8')) as { version?: string }).version;
}

/** Installs the peers missing from `folder` with npm; says per peer whether it is there now, or why not. */
export async function installPeers(folder: string): Promise<Record<PeerName, Availability>> {
  const names = Object.keys(PEERS) as PeerName[];
  const missing = names.filter((name) => installedVersion(folder, name) !== PEERS[name].version);
  let failure: string | undefined;
  if (missing.length > 0) {
    mkdirSync(folder, { recursive: true });
    // Its own package.json, so npm never mistakes the project for the place to install into.
    const manifest = join(folder, 'package.json');
    if (!existsSync(manifest)) writeFileSync(manifest, `${JSON.stringify({ name: 'wa-sandbox-bench-peers', private: true }, null, 2)}\n`);
    const specs = missing.map((name) => `${PEERS[name].package}@${PEERS[name].version}`);
    console.log(`installing ${specs.join(' and ')} into ${folder} ...`);
    failure = await run('npm', ['install', '--prefix', folder, '--no-save', '--no-audit', '--no-fund', '--loglevel=error', ...specs], 300_000);
  }
  const result = {} as Record<PeerName, Availability>;
  for (const name of names) {
    result[name] =
      installedVersion(folder, name) === PEERS[name].version
        ? { ok: true }
        : { ok: false, reason: `npm could not install ${PEERS[name].package}@${PEERS[name].version}${failure ? `: ${failure}` : ''}` };
  }
  return result;
}

/** Runs a command to its end; resolves with undefined on success, else with what went wrong. */
function run(command: string, args: string[], timeoutMs: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: timeoutMs });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString('utf8')).slice(-2000)));
    child.once('error', (error) => resolve(error.message));
    child.once('exit', (code, signal) => {
      if (code === 0) return resolve(undefined);
      // npm's first error line that says what happened (not its error code, stack or log file).
      const message = stderr
        .split('\n')
        .filter((line) => line.startsWith('npm error'))
        .map((line) => line.replace(/^npm error\s*/, ''))
        .find((line) => line !== '' && !/^(at |code |syscall |errno |A complete log)/.test(line));
      resolve(message ?? (signal ? `killed by ${signal}` : `exit code ${code}`));
    });
  });
}

/** Prism mocking the WaMessenger contract: it answers the contract's examples, at the contract's paths (no /wamessenger prefix). */
export function startPrism(folder: string, contract: string, port: number): ServerProcess {
  const cli = join(folder, 'node_modules', PEERS.prism.package, 'dist', 'index.js');
  // Request logging off (it writes several lines per request), so Prism is measured at its fastest.
  return startServer(
    PEERS.prism.title,
    process.execPath,
    [cli, 'mock', contract, '--port', String(port), '--host', '127.0.0.1', '--verboseLevel', 'error'],
    folder,
  );
}

/** Whether `java` runs here; the wiremock package is WireMock's standalone jar, run by java. */
export function javaAvailability(): Availability {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error) return { ok: false, reason: `java is not available (${probe.error.message})` };
  if (probe.status !== 0) return { ok: false, reason: `java -version failed: ${probe.stderr.trim().split('\n')[0] ?? ''}` };
  return { ok: true };
}

/**
 * WireMock with static stubs for the same two routes. The npm package's bin (npm-java-runner) runs
 * `java -jar <the jar matching its package.json "runnable-jar-regexp">` with the arguments given;
 * this runs the same command directly, so the measured process is the JVM itself.
 */
export function startWireMock(folder: string, stubs: WireMockStubs, port: number): ServerProcess {
  const packageDir = join(folder, 'node_modules', PEERS.wiremock.package);
  const pattern = new RegExp((JSON.parse(readFileSync(join(packageDir, 'package.json'), 'utf8')) as { 'runnable-jar-regexp': string })['runnable-jar-regexp']);
  const jar = readdirSync(join(packageDir, 'build'))
    .map((file) => `build/${file}`)
    .find((file) => pattern.test(file));
  if (!jar) throw new Error(`no jar matching ${pattern.source} in ${packageDir}`);
  const root = join(folder, 'wiremock');
  writeWireMockStubs(root, stubs);
  return startServer(
    PEERS.wiremock.title,
    'java',
    [
      '-jar',
      join(packageDir, jar),
      '--port',
      String(port),
      '--bind-address',
      '127.0.0.1',
      '--root-dir',
      root,
      '--disable-banner',
      // The sandbox keeps its last 10,000 requests for verification; WireMock keeps as many.
      '--max-request-journal-entries',
      '10000',
    ],
    folder,
  );
}

export interface WireMockStubs {
  /** The JSON getStatus answers. */
  statusReport: string;
  /** The id sendMessage answers. */
  messageId: string;
}

/** Mappings for the sandbox's routes and answers: any key, an id that is digits, a form with a phonenumber. */
function writeWireMockStubs(root: string, stubs: WireMockStubs): void {
  const mappings = join(root, 'mappings');
  rmSync(mappings, { recursive: true, force: true });
  mkdirSync(mappings, { recursive: true });
  const write = (name: string, mapping: object): void => writeFileSync(join(mappings, `${name}.json`), `${JSON.stringify(mapping, null, 2)}\n`);
  write('getStatus', {
    request: { method: 'GET', urlPathPattern: '/wamessenger/getStatus/[^/]+', queryParameters: { id: { matches: '[0-9]+' } } },
    response: { status: 200, headers: { 'Content-Type': 'application/json; charset=utf-8' }, body: stubs.statusReport },
  });
  write('sendMessage', {
    request: { method: 'POST', urlPathPattern: '/wamessenger/sendMessage/[^/]+', bodyPatterns: [{ contains: 'phonenumber=' }] },
    response: { status: 200, headers: { 'Content-Type': 'text/plain; charset=utf-8' }, body: stubs.messageId },
  });
}
