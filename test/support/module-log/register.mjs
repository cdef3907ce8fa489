// node --import ./test/support/module-log/register.mjs <main>: logs every module the process resolves (see hooks.mjs).
import { register } from 'node:module';

register('./hooks.mjs', import.meta.url, { data: { logFile: process.env.MODULE_LOG } });
