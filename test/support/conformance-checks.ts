import { formatReport, type ConformanceReport } from '#conformance';
import { startRewritingProxy, type ProxyOptions, type Rewrite } from './rewriting-proxy.js';

/** What every provider's conformance spec asserts about a run; the specs keep only what is theirs. */

/** Every check passed, nothing was skipped, every operation was exercised, with this many scenarios. */
export function expectPassed(report: ConformanceReport, scenarios: number): void {
  const failed = report.checks.filter((check) => check.status === 'failed').map((check) => [check.name, ...check.details].join('\n'));
  expect({ ok: report.ok, failed }).toEqual({ ok: true, failed: [] });
  expect(report.summary.skipped).toBe(0);
  expect(report.checks.filter((check) => check.kind === 'scenario')).toHaveLength(scenarios);
  expect(report.unexercisedOperations).toEqual([]);
  expect(formatReport(report)).toMatch(new RegExp(`^conformance ${report.provider}: \\d+ passed, 0 failed, 0 skipped$`, 'm'));
}

/** The suite switches a real-clock sandbox to manual for its scenarios; afterwards the clock is real again. */
export async function expectClockBackToReal(origin: string): Promise<void> {
  const clock = (await (await fetch(`${origin}/__sandbox/clock`)).json()) as { mode: string };
  expect(clock.mode).toBe('real');
}

/** The run failed, and its report says where: `expected` matches the readable text. */
export function expectReadableFailure(report: ConformanceReport, expected: RegExp): void {
  const text = formatReport(report);
  expect(report.ok).toBe(false);
  expect(text).toMatch(expected);
  expect(text).toMatch(new RegExp(`^conformance ${report.provider}: \\d+ passed, [1-9]\\d* failed, 0 skipped$`, 'm'));
}

/** Against a target without the control API every scenario is skipped, saying why, and nothing fails. */
export function expectScenariosSkipped(report: ConformanceReport, scenarios: number): void {
  const skipped = report.checks.filter((check) => check.kind === 'scenario');
  expect(skipped).toHaveLength(scenarios);
  expect(skipped.every((check) => check.status === 'skipped')).toBe(true);
  expect(formatReport(report)).toMatch(/no control API at .*: scenario skipped/);
  expect(report.checks.filter((check) => check.status === 'failed').map((check) => [check.name, ...check.details].join('\n'))).toEqual([]);
  expect(report.ok).toBe(true);
}

/** What a real provider looks like to the kit: the sandbox with its control API hidden. */
export const WITHOUT_CONTROL_API: Rewrite = ({ path }) =>
  path.startsWith('/__sandbox') ? { status: 404, contentType: 'text/plain', body: 'Not Found' } : undefined;

/** Runs `use` against a proxy in front of the sandbox that rewrites what `rewrite` picks ("another implementation"). */
export async function throughProxy<T>(
  sandboxOrigin: string,
  rewrite: Rewrite,
  use: (proxyOrigin: string) => Promise<T>,
  options: ProxyOptions = {},
): Promise<T> {
  const proxy = await startRewritingProxy(sandboxOrigin, rewrite, options);
  try {
    return await use(proxy.origin);
  } finally {
    await proxy.close();
  }
}
