import { jest } from '@jest/globals';
import type { Browser, Page } from 'playwright-core';
import { LoopbackReceiver } from '../support/loopback-receiver.js';
import { phpMultipart } from '../support/php-client.js';
import { useSandbox } from '../support/sandbox.js';
import { rmSync } from 'node:fs';
import { browserTests, buildDashboard, launchChromium, recordPageProblems } from './browser.js';

/** A page load, a build and a browser start on a busy 2-core machine: generous, and still an end to a hang. */
const BROWSER_TIMEOUT_MS = 90_000;

const suite = browserTests.run ? describe : describe.skip;

suite(`dashboard in a browser${browserTests.run ? '' : ` (${browserTests.skipReason})`}`, () => {
  jest.setTimeout(BROWSER_TIMEOUT_MS);
  let dashboardDir: string;
  beforeAll(() => {
    dashboardDir = buildDashboard();
  }, BROWSER_TIMEOUT_MS);
  afterAll(() => rmSync(dashboardDir, { recursive: true, force: true }));
  const sandbox = useSandbox({ app: () => ({ dashboardDir }) });
  // Devino takes customers' messages from the start; this receiver refuses until a test lets it through.
  let receiverUp = true;
  const receiver = LoopbackReceiver.use(() => (receiverUp ? 200 : 500));
  let browser: Browser;
  let page: Page;
  let problems: string[];

  beforeAll(async () => {
    browser = await launchChromium();
  }, BROWSER_TIMEOUT_MS);
  afterAll(() => browser?.close());
  beforeEach(async () => {
    receiverUp = true;
    receiver.accepted.length = 0;
    page = await browser.newPage({ viewport: { width: 1366, height: 800 } });
    problems = recordPageProblems(page);
  });
  afterEach(async () => {
    await page.close();
    expect(problems).toEqual([]);
  });

  /** Opens a view and waits until the live stream is open, so no event of the test can be missed. */
  const open = async (hash: string) => {
    await page.goto(`${sandbox.origin}/${hash}`);
    await page.locator('[data-testid="live-status"][data-live="true"]').waitFor();
  };
  /** Moves the clock with the page's own controls, and waits for the page to show the new time. */
  const advanceOnPage = async (amount: string, unit: 's' | 'min' | 'h' | 'd') => {
    const before = (await page.getByTestId('clock-now').textContent())!;
    await page.getByRole('spinbutton', { name: 'advance by' }).fill(amount);
    await page.getByLabel('unit').selectOption(unit);
    await page.getByRole('button', { name: 'Advance' }).click();
    await page.getByTestId('clock-now').filter({ hasNotText: before }).waitFor();
  };

  it("shows a message sent through a provider's API, its ticks moving on as the clock is advanced", async () => {
    await open('#/chat/wamessenger/TICKS');
    const id = await (
      await fetch(`${sandbox.origin}/wamessenger/sendMessage/TICKS`, {
        method: 'POST',
        body: phpMultipart({ phonenumber: '989121234567', text: 'Your order shipped' }),
      })
    ).text();
    const bubble = page.locator(`[data-message-id="${id}"]`);
    await bubble.getByText('Your order shipped').waitFor();

    // One clock second at a time: after each, the page shows the status the control API reports.
    const seen: string[] = [];
    for (let second = 0; second < 60 && seen.at(-1) !== 'read'; second++) {
      await advanceOnPage('1', 's');
      const { status } = await sandbox.control.message(id);
      await page.locator(`[data-message-id="${id}"][data-status="${status}"]`).waitFor();
      if (seen.at(-1) !== status) seen.push(status);
      if (status !== 'queued') expect(await bubble.getByRole('img', { name: `status ${status}` }).textContent()).toBe(status === 'sent' ? '✓' : '✓✓');
    }
    expect(seen).toEqual(['sent', 'delivered', 'read']);
    // Read is the blue double tick.
    expect(await bubble.locator('.ticks').evaluate((ticks) => (globalThis as any).getComputedStyle(ticks).color)).toBe('rgb(83, 189, 235)');
  });

  it("sends what is typed in the composer to the account's webhook, and shows the attempt in the journal", async () => {
    await sandbox.control.setWebhook('devino', 'COMPOSER', receiver.url);
    await open('#/chat/devino/COMPOSER');
    await page.getByLabel('customer number').fill('+905309876543');
    await page.getByLabel('message text').fill('Is my parcel on its way?');
    await page.getByRole('button', { name: 'Send as customer' }).click();

    await receiver.until(() => receiver.accepted.length === 1);
    expect(JSON.stringify(receiver.accepted[0])).toContain('Is my parcel on its way?');
    await page.locator('[data-testid="bubble"]', { hasText: 'Is my parcel on its way?' }).waitFor();

    await page.getByRole('link', { name: 'Webhook journal' }).click();
    const row = page.locator('[data-testid="webhook-attempt"]', { hasText: receiver.url });
    await row.getByText('200').waitFor();
    await row.click();
    await page.locator('tr.payload', { hasText: 'Is my parcel on its way?' }).waitFor();
  });

  it('re-sends a webhook the receiver refused, from the journal', async () => {
    receiverUp = false;
    await sandbox.control.setWebhook('devino', 'RESEND', receiver.url);
    await sandbox.control.inbound('devino', 'RESEND', { from: '905309876543', text: 'Hello?' });
    await open('#/webhooks');
    const refused = page.locator('[data-testid="webhook-attempt"][data-ok="false"]');
    await refused.first().waitFor();

    receiverUp = true;
    await refused.first().getByRole('button', { name: 'Resend' }).click();
    await page.getByRole('status').getByText('devino/RESEND: 1 undelivered event re-sent').waitFor();
    await page.locator('[data-testid="webhook-attempt"][data-ok="true"]').waitFor();
    expect(JSON.stringify(receiver.accepted)).toContain('Hello?');
  });

  it('links a Maytapi phone when "Scan" is clicked', async () => {
    const maytapi = (path: string) => fetch(`${sandbox.origin}/maytapi/api/product-7${path}`, { method: 'POST', headers: { 'x-maytapi-key': 'token-7' } });
    const { id: phoneId } = (await (await maytapi('/addPhone')).json()) as { id: number };
    await open('#/chat/maytapi/product-7');
    await advanceOnPage('3', 's'); // the new phone starts up, then shows its QR code
    const card = page.locator('.session', { hasText: String(phoneId) });
    await card.getByRole('img', { name: `QR code of ${phoneId}` }).waitFor();

    await card.getByRole('button', { name: 'Scan' }).click();
    await page.locator('.session[data-state="loading"]').waitFor();
    await advanceOnPage('10', 's');
    await page.locator('.session[data-state="connected"]').waitFor();
    await card.getByText(/^linked to \+\d+/).waitFor();
    const [session] = await sandbox.control.sessions('maytapi', 'product-7');
    expect(session).toMatchObject({ label: String(phoneId), state: 'connected', phone: expect.stringMatching(/^\d+$/) });
  });

  it('links a WAMM account (no session API of its own) to a phone: "Link to a phone", then "Scan"', async () => {
    await open('#/chat/wamm/LINKED');
    await page.getByRole('button', { name: 'Link to a phone' }).click();
    const card = page.locator('.session');
    await card.getByRole('img', { name: /^QR code of / }).waitFor();
    await card.getByRole('button', { name: 'Scan' }).click();
    await advanceOnPage('10', 's');
    await page.locator('.session[data-state="connected"]').waitFor();
    expect(await sandbox.control.sessions('wamm', 'LINKED')).toEqual([expect.objectContaining({ state: 'connected' })]);
  });

  it("makes the next provider request fail in the provider's format with a chaos switch, and shows it", async () => {
    await open('#/chaos');
    await page.getByLabel('chaos kind', { exact: true }).selectOption('api');
    await page.getByLabel('fault', { exact: true }).selectOption('error');
    await page.getByLabel('status', { exact: true }).selectOption('503');
    await page.getByLabel('chaos provider', { exact: true }).selectOption('maytapi');
    await page.getByLabel('chaos route', { exact: true }).fill('GET /*/listPhones');
    await page.getByLabel('how often', { exact: true }).selectOption('next');
    await page.getByLabel('N', { exact: true }).fill('1');
    await page.getByRole('button', { name: 'Add rule' }).click();
    const rule = page.getByTestId('chaos-rule');
    await rule.getByText('next 1 (1 left)').waitFor();

    const listPhones = () => fetch(`${sandbox.origin}/maytapi/api/product-9/listPhones`, { headers: { 'x-maytapi-key': 'token-9' } });
    const failed = await listPhones();
    expect([failed.status, await failed.json()]).toEqual([503, { success: false, message: 'Service Unavailable' }]);
    const after = await listPhones();
    expect([after.status, await after.json()]).toEqual([200, []]);

    await rule.getByText('next 1 (0 left)').waitFor();
    await page.getByRole('link', { name: 'Request journal' }).click();
    await page
      .locator('[data-testid="request"][data-status="503"]')
      .getByText(/^chaos c\d+: error$/)
      .waitFor();
    await page.locator('[data-testid="request"][data-status="200"]').waitFor();
    expect(await page.getByTestId('request').count()).toBe(2);
  });

  describe('with a control token', () => {
    const guarded = useSandbox({ config: { controlToken: 'browser-token' }, app: () => ({ dashboardDir }) });

    it('asks to log in, refuses a wrong token, and after the right one shows the live dashboard', async () => {
      const first = await page.goto(`${guarded.origin}/#/webhooks`);
      expect(first?.status()).toBe(401);
      await page.getByLabel('Control token').fill('a guess');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.getByRole('alert').getByText('That is not the token.').waitFor();
      // The page's 401 is what the test asked for, not a problem of the page.
      problems.length = 0;

      await page.getByLabel('Control token').fill('browser-token');
      await page.getByRole('button', { name: 'Log in' }).click();
      await page.locator('[data-testid="live-status"][data-live="true"]').waitFor();
      await guarded.control.inbound('devino', 'GUARDED', { from: '905309876543', text: 'hi' });
      await page.getByRole('link', { name: 'Accounts' }).click();
      await page.getByRole('link', { name: 'GUARDED' }).waitFor();
    });
  });
});
