import { formatReport, summarize, type CheckResult, type ConformanceReport } from './report.js';

function report(checks: CheckResult[], control: ConformanceReport['control']): ConformanceReport {
  const summary = summarize(checks);
  return {
    provider: 'wamessenger',
    baseUrl: 'http://localhost:4000/wamessenger',
    contract: '/repo/contracts/wamessenger.openapi.yaml',
    control,
    startedAt: '2026-01-01T00:00:00.000Z',
    durationMs: 12,
    checks,
    unexercisedOperations: [],
    summary,
    ok: summary.failed === 0,
  };
}

describe('formatReport', () => {
  const checks: CheckResult[] = [
    { name: 'sendMessage POST /sendMessage/{apikey} → 200 text/plain (send one, JSON)', kind: 'contract', status: 'passed', details: [] },
    {
      name: 'webhookSet GET /webhook/set/{apikey} → 200 application/json',
      kind: 'contract',
      status: 'failed',
      details: ['body/set: must be equal to one of the allowed values ("true","false"); got true (boolean)'],
    },
    {
      name: 'lifecycle',
      kind: 'scenario',
      status: 'skipped',
      details: ['no control API at http://localhost:4000/__sandbox (the target is not a wa-sandbox): scenario skipped'],
    },
    { name: 'multi-line', kind: 'scenario', status: 'failed', details: ['first\n  second'] },
  ];

  it('prints one line per check with its details indented, and the summary last', () => {
    const text = formatReport(report(checks, { url: 'http://localhost:4000/__sandbox', available: false, reason: 'GET …/health answered 404' }));
    const lines = text.split('\n');
    expect(lines.slice(0, 3)).toEqual([
      'conformance wamessenger against http://localhost:4000/wamessenger',
      'contract: /repo/contracts/wamessenger.openapi.yaml',
      'control API: none at http://localhost:4000/__sandbox (GET …/health answered 404)',
    ]);
    expect(lines.slice(4)).toEqual([
      '✓ contract sendMessage POST /sendMessage/{apikey} → 200 text/plain (send one, JSON)',
      '✗ contract webhookSet GET /webhook/set/{apikey} → 200 application/json',
      '    body/set: must be equal to one of the allowed values ("true","false"); got true (boolean)',
      '○ scenario lifecycle',
      '    no control API at http://localhost:4000/__sandbox (the target is not a wa-sandbox): scenario skipped',
      '✗ scenario multi-line',
      '    first',
      '      second',
      '',
      'conformance wamessenger: 1 passed, 2 failed, 1 skipped',
    ]);
  });

  it('names the sandbox version when the control API answered', () => {
    const text = formatReport(report([], { url: 'http://x/__sandbox', available: true, version: '0.1.0' }));
    expect(text).toContain('control API: http://x/__sandbox (wa-sandbox 0.1.0)');
    expect(text.split('\n').at(-1)).toBe('conformance wamessenger: 0 passed, 0 failed, 0 skipped');
  });
});
