import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { useSandbox } from '../support/sandbox.js';

/** How the sandbox serves a built dashboard (here a stand-in for Vite's output), beside the provider routes. */
describe('dashboard serving', () => {
  const dir = mkdtempSync(join(tmpdir(), 'wa-dashboard-serving-'));
  mkdirSync(join(dir, '__dashboard'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><script type="module" src="/__dashboard/index-abc123.js"></script>');
  writeFileSync(join(dir, '__dashboard', 'index-abc123.js'), 'console.log("dashboard")');
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sandbox = useSandbox({ app: { dashboardDir: dir } });

  it('serves the page at / (never cached) and its hashed files under /__dashboard/ (cached for good)', async () => {
    const page = await fetch(`${sandbox.origin}/`);
    expect([page.status, page.headers.get('content-type'), page.headers.get('cache-control')]).toEqual([200, 'text/html; charset=utf-8', 'no-cache']);
    expect(await page.text()).toContain('/__dashboard/index-abc123.js');
    const script = await fetch(`${sandbox.origin}/__dashboard/index-abc123.js`);
    expect([script.status, script.headers.get('cache-control')]).toEqual([200, 'public, max-age=31536000, immutable']);
    expect((await fetch(`${sandbox.origin}/__dashboard/index-other.js`)).status).toBe(404);
  });

  it("shadows no provider route: WAMM's and Maytapi's path shapes, slashes and all, still reach their provider", async () => {
    const wamm = await fetch(`${sandbox.origin}/wamm/api2/msg_to/TOKEN/?phone=989121234567&text=hi`);
    expect([wamm.status, await wamm.json()]).toEqual([200, { err: 0, msg_id: expect.any(Number) }]);
    const maytapi = await fetch(`${sandbox.origin}//maytapi/api/product-1/listPhones`, { headers: { 'x-maytapi-key': 'K' } });
    expect([maytapi.status, await maytapi.json()]).toEqual([200, []]);
  });
});
