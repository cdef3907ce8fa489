#!/usr/bin/env -S node --max-semi-space-size=8
import { ConfigError, loadConfig, USAGE } from './config.js';
import { createServer, type AddressInfo } from 'node:net';
import { SchemaVersionError, SharedClockError, StoreInUseError } from '#engine';
import { createSandboxApp } from './app.js';
import { openControlWarning } from './control-token.js';
import { PROVIDERS } from './providers.js';

async function main(): Promise<void> {
  let config: ReturnType<typeof loadConfig>;
  try {
    config = loadConfig(process.argv.slice(2), process.env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    console.error(`wa-sandbox: ${error.message}\n\n${USAGE}`);
    process.exit(2);
  }
  if (config === 'help') {
    console.log(USAGE);
    return;
  }
  // Checked before building the app: a clear line at once, instead of Nest's own error line after the start-up.
  const unavailable = await cannotListen(config.host, config.port);
  if (unavailable) {
    console.error(`wa-sandbox: cannot listen on ${config.host}:${config.port} (${unavailable}); choose another with --port/PORT or --host/HOST`);
    process.exit(2);
  }
  const sqliteMissing = config.store?.kind === 'sqlite' ? await sqliteModuleMissing() : undefined;
  if (sqliteMissing) {
    console.error(
      `wa-sandbox: the default SQLite store needs better-sqlite3's compiled module, which its install script makes and npm did not run (${sqliteMissing}); ` +
        'allow it (in a project: npm install-scripts approve better-sqlite3 && npm rebuild better-sqlite3; with npx: npm cache npx rm, then npx --allow-scripts=better-sqlite3 wa-sandbox) or run with --store memory',
    );
    process.exit(2);
  }
  let app: Awaited<ReturnType<typeof createSandboxApp>>;
  try {
    app = await createSandboxApp(config);
  } catch (error) {
    // A data file from a newer sandbox or one another sandbox holds, a clock the instances on a shared store cannot share: one line saying so, not a stack trace.
    if (!(error instanceof SchemaVersionError || error instanceof StoreInUseError || error instanceof SharedClockError)) throw error;
    console.error(`wa-sandbox: ${error.message}`);
    process.exit(2);
  }
  await app.listen({ port: config.port, host: config.host });
  const clock = config.clockMode === 'manual' ? 'manual clock' : `real clock x${config.clockSpeed}`;
  const accounts = config.accountsFile ? `strict accounts from ${config.accountsFile}` : 'any api key works';
  // With --port 0 the system picks the port: print the one it picked.
  const { port } = app.getHttpServer().address() as AddressInfo;
  console.log(`wa-sandbox listening on http://${config.host}:${port} (${clock}, seed ${config.seed}, ${accounts})`);
  console.log(`  providers: ${PROVIDERS.map((provider) => `${config.publicUrl}/${provider.name}`).join('  ')}`);
  console.log(`  dashboard: ${config.publicUrl}/   docs: ${config.publicUrl}/docs   control: ${config.publicUrl}/__sandbox`);
  const store =
    config.store?.kind === 'sqlite'
      ? `SQLite ${config.store.file}, kept across restarts`
      : config.store?.kind === 'postgres'
        ? 'PostgreSQL, shared with every instance started on it'
        : 'in memory, forgotten on exit';
  console.log(`  store: ${store}${config.mediaDir !== undefined ? `   media: ${config.mediaDir}` : ''}`);
  if (config.controlToken !== undefined) console.log('  control token: asked for by the control API and the dashboard (provider routes stay open)');
  const warning = openControlWarning(config.host, config.controlToken);
  if (warning) console.warn(`wa-sandbox: warning: ${warning}`);
  if (config.transport === 'live') console.log('  transport: live, real WhatsApp sessions (link a phone: see "Going live" in the README)');
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
}

/**
 * Why better-sqlite3's native module does not load, or undefined when it does. npm 12 skips a dependency's
 * install script until the installing project allows it (npm 11.16+ warns): without it there is no module.
 * npx keeps what it installed, script or not (npm 11.19 here), so its fix starts by forgetting that.
 */
async function sqliteModuleMissing(): Promise<string | undefined> {
  try {
    const { default: Database } = await import('better-sqlite3');
    new Database(':memory:').close();
    return undefined;
  } catch (error) {
    return (error as Error).message.split('\n')[0];
  }
}

/** Why the address cannot be listened on (`EADDRINUSE`, `EADDRNOTAVAIL`…), or undefined when it can. */
function cannotListen(host: string, port: number): Promise<string | undefined> {
  return new Promise((resolve) => {
    const probe = createServer();
    probe.once('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? error.message));
    probe.listen({ host, port, exclusive: true }, () => probe.close(() => resolve(undefined)));
  });
}

main().catch((error: unknown) => {
  console.error('wa-sandbox failed to start:', error);
  process.exit(1);
});
