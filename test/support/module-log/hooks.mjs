// Module hooks (they run off the main thread): every module the process resolves, one URL a line, in the
// file MODULE_LOG names. The sandbox's start-up in each transport is checked through it.
import { appendFileSync } from 'node:fs';

let logFile;

export function initialize(data) {
  logFile = data.logFile;
}

export async function resolve(specifier, context, nextResolve) {
  const resolved = await nextResolve(specifier, context);
  appendFileSync(logFile, `${resolved.url}\n`);
  return resolved;
}
