import { ConfigError, loadConfig, USAGE } from './config.js';
import type { AddressInfo } from 'node:net';
import { createSandboxApp } from './app.js';
import { PROVIDERS } from './providers.js';

async function main(): Promise<void> {
  let config;
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
  const app = await createSandboxApp(config);
  try {
    await app.listen({ port: config.port, host: config.host });
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code !== 'EADDRINUSE' && code !== 'EADDRNOTAVAIL') throw error;
    console.error(`wa-sandbox: cannot listen on ${config.host}:${config.port} (${code}); choose another with --port/PORT or --host/HOST`);
    process.exit(2);
  }
  const clock = config.clockMode === 'manual' ? 'manual clock' : `real clock x${config.clockSpeed}`;
  const accounts = config.accountsFile ? `strict accounts from ${config.accountsFile}` : 'any api key works';
  // With --port 0 the system picks the port: print the one it picked.
  const { port } = app.getHttpServer().address() as AddressInfo;
  console.log(`wa-sandbox listening on http://${config.host}:${port} (${clock}, seed ${config.seed}, ${accounts})`);
  console.log(`  providers: ${PROVIDERS.map((provider) => `${config.publicUrl}/${provider.name}`).join('  ')}`);
  console.log(`  docs: ${config.publicUrl}/docs   control: ${config.publicUrl}/__sandbox`);
  for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => void app.close().then(() => process.exit(0)));
}

main().catch((error: unknown) => {
  console.error('wa-sandbox failed to start:', error);
  process.exit(1);
});
