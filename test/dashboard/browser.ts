import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
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

const root = projectRoot();
const sources = join(root, 'apps', 'dashboard');
const page = join(root, 'dist', 'dashboard', 'index.html');

/** Builds the dashboard into dist/dashboard when a file under apps/dashboard is newer than the built page (2–10 s). */
export function buildDashboardIfStale(): void {
  const newest = (path: string): number => {
    const stat = statSync(path);
    return stat.isDirectory() ? Math.max(0, ...readdirSync(path).map((entry) => newest(join(path, entry)))) : stat.mtimeMs;
  };
  const built = statSync(page, { throwIfNoEntry: false })?.mtimeMs ?? 0;
  if (newest(sources) <= built) return;
  execFileSync(
    process.execPath,
    [join(root, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(sources, 'vite.config.ts'), '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
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
