export type CheckKind = 'contract' | 'scenario';
export type CheckStatus = 'passed' | 'failed' | 'skipped';

export interface CheckResult {
  name: string;
  kind: CheckKind;
  status: CheckStatus;
  details: string[];
}

export interface ControlInfo {
  url: string;
  available: boolean;
  /** Why the control API was not usable (absent, wrong provider list, …). */
  reason?: string;
  version?: string;
}

export interface ConformanceReport {
  provider: string;
  baseUrl: string;
  contract: string;
  control: ControlInfo;
  startedAt: string;
  durationMs: number;
  checks: CheckResult[];
  /** operationIds of the contract that no probe or scenario called. */
  unexercisedOperations: string[];
  summary: { passed: number; failed: number; skipped: number };
  ok: boolean;
}

const MARK: Record<CheckStatus, string> = { passed: '✓', failed: '✗', skipped: '○' };

export function summarize(checks: CheckResult[]): ConformanceReport['summary'] {
  const count = (s: CheckStatus) => checks.filter((c) => c.status === s).length;
  return { passed: count('passed'), failed: count('failed'), skipped: count('skipped') };
}

export function summaryLine(report: Pick<ConformanceReport, 'provider' | 'summary'>): string {
  const { passed, failed, skipped } = report.summary;
  return `conformance ${report.provider}: ${passed} passed, ${failed} failed, ${skipped} skipped`;
}

/** Readable text: a header, one line per check (details indented under it), the summary line last. */
export function formatReport(report: ConformanceReport): string {
  const control = report.control.available
    ? `${report.control.url}${report.control.version ? ` (wa-sandbox ${report.control.version})` : ''}`
    : `none at ${report.control.url}${report.control.reason ? ` (${report.control.reason})` : ''}`;
  const lines = [`conformance ${report.provider} against ${report.baseUrl}`, `contract: ${report.contract}`, `control API: ${control}`, ''];
  for (const check of report.checks) lines.push(...formatCheck(check));
  lines.push('', summaryLine(report));
  return lines.join('\n');
}

/** One check as the readable report prints it: its mark, kind and name, then its details indented. */
function formatCheck(check: CheckResult): string[] {
  const lines = [`${MARK[check.status]} ${check.kind} ${check.name}`];
  for (const detail of check.details) {
    for (const line of detail.split('\n')) lines.push(`    ${line}`);
  }
  return lines;
}

/**
 * JUnit XML, as CI systems read test results: one testsuite per run (so `--all` gives one per provider),
 * one testcase per check (classname `conformance.<provider>.<kind>`), a failure holding the check's lines
 * as the readable report prints them, a skipped check's reason, and the whole readable report in the
 * suite's system-out.
 */
export function formatJUnit(reports: ConformanceReport | readonly ConformanceReport[]): string {
  const runs = Array.isArray(reports) ? reports : [reports as ConformanceReport];
  const total = { tests: 0, failed: 0, skipped: 0, ms: 0 };
  const suites = runs.flatMap((report) => {
    const { passed, failed, skipped } = report.summary;
    const tests = passed + failed + skipped;
    total.tests += tests;
    total.failed += failed;
    total.skipped += skipped;
    total.ms += report.durationMs;
    return junitSuite(report, tests);
  });
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="wa-sandbox conformance" tests="${total.tests}" failures="${total.failed}" errors="0" skipped="${total.skipped}" time="${(total.ms / 1000).toFixed(3)}">`,
    ...suites,
    '</testsuites>',
    '',
  ].join('\n');
}

function junitSuite(report: ConformanceReport, tests: number): string[] {
  const { failed, skipped } = report.summary;
  const cases = report.checks.map((check) => {
    const open = `    <testcase classname="${xml(`conformance.${report.provider}.${check.kind}`)}" name="${xml(check.name)}">`;
    if (check.status === 'passed') return `${open.slice(0, -1)}/>`;
    const summary = xml(check.details[0]?.split('\n')[0] ?? check.status);
    const body =
      check.status === 'failed'
        ? `      <failure message="${summary}" type="conformance">${xml(formatCheck(check).join('\n'))}</failure>`
        : `      <skipped message="${summary}"/>`;
    return `${open}\n${body}\n    </testcase>`;
  });
  return [
    `  <testsuite name="${xml(`conformance ${report.provider}`)}" tests="${tests}" failures="${failed}" errors="0" skipped="${skipped}" time="${(report.durationMs / 1000).toFixed(3)}" timestamp="${xml(report.startedAt)}">`,
    '    <properties>',
    `      <property name="baseUrl" value="${xml(report.baseUrl)}"/>`,
    `      <property name="contract" value="${xml(report.contract)}"/>`,
    `      <property name="controlApi" value="${xml(report.control.available ? report.control.url : 'none')}"/>`,
    '    </properties>',
    ...cases,
    `    <system-out>${xml(formatReport(report))}</system-out>`,
    '  </testsuite>',
  ];
}

/** Text for XML content and attribute values; characters XML 1.0 cannot hold become U+FFFD. */
function xml(text: string): string {
  return text
    .replace(/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu, '\uFFFD')
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}
