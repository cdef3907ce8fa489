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
  const lines = [
    `conformance ${report.provider} against ${report.baseUrl}`,
    `contract: ${report.contract}`,
    `control API: ${control}`,
    '',
  ];
  for (const check of report.checks) {
    lines.push(`${MARK[check.status]} ${check.kind} ${check.name}`);
    for (const detail of check.details) {
      for (const line of detail.split('\n')) lines.push(`    ${line}`);
    }
  }
  lines.push('', summaryLine(report));
  return lines.join('\n');
}
