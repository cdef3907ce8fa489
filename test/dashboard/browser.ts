import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { projectRoot } from '../../apps/sandbox/src/paths.js';

/**
 * Debian's Chromium (`apt-get install -y chromium`, .ci/chromium.sh). The binary itself: the /usr/bin/chromium
 * wrapper script misbehaves here, and Playwright cannot download a browser of its own on this machine.
 */
export const CHROMIUM = '/usr/lib/chromium/chromium';
const ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'];

/**
 * Browser tests run where Chromium is installed, and always in CI (CI=true), where a missing browser must
 * fail them rather than skip them unseen; elsewhere they are skipped, saying why in the test's name.
 */
export const browserTests: { run: boolean; skipReason: string } = {
  run: existsSync(CHROMIUM) || process.env.CI === 'true',
  skipReason: `skipped: no Chromium at ${CHROMIUM} (install it with .ci/chromium.sh, or run under CI=true to make its absence fail)`,
};

export function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) throw new Error(`browser tests need Chromium at ${CHROMIUM}: run .ci/chromium.sh (apt-get install -y chromium)`);
  return chromium.launch({ executablePath: CHROMIUM, args: ARGS });
}

/**
 * Builds the dashboard from apps/dashboard into a fresh temporary directory (3–10 s) for the test's sandbox
 * to serve: always the sources as they are, and never racing `npm run build` (which another test may run)
 * over dist/dashboard.
 */
export function buildDashboard(): string {
  const root = projectRoot();
  const outDir = mkdtempSync(join(tmpdir(), 'wa-dashboard-'));
  const vite = join(root, 'node_modules', 'vite', 'bin', 'vite.js');
  execFileSync(process.execPath, [vite, 'build', '--config', join(root, 'apps', 'dashboard', 'vite.config.ts'), '--outDir', outDir, '--logLevel', 'warn'], {
    cwd: root,
    stdio: 'inherit',
  });
  return outDir;
}

/** Fails the test with what the page said: its console errors and failed requests help more than a timeout. */
export function recordPageProblems(page: Page): string[] {
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  return problems;
}
