import type { Suite } from './suite.js';
import { wamessengerSuite } from './wamessenger.suite.js';
import { devinoSuite } from './devino.suite.js';
import { maytapiSuite } from './maytapi.suite.js';
import { wammSuite } from './wamm.suite.js';
import { wamessageSuite } from './wamessage.suite.js';

// One line per provider: its suite file carries its probes and scenarios.
const SUITES: readonly Suite[] = [
  wamessengerSuite,
  devinoSuite,
  maytapiSuite,
  wammSuite,
  wamessageSuite,
];

export class UnknownProviderError extends Error {}

export function providers(): string[] {
  return SUITES.map((s) => s.provider);
}

export function getSuite(provider: string): Suite {
  const suite = SUITES.find((s) => s.provider === provider);
  if (!suite) throw new UnknownProviderError(`no conformance suite for provider "${provider}" (known: ${providers().join(', ')})`);
  return suite;
}
