#!/usr/bin/env node
// Takes docs/dashboard.png, the README's picture of the dashboard: a sandbox in this process (from dist/,
// so run `npm run build` first), a Maytapi product with two phones and a few chats, and Debian's Chromium
// (/usr/lib/chromium/chromium, as the browser tests) showing one of them. Run: node scripts/dashboard-screenshot.mjs
import { chromium } from 'playwright-core';
import { startSandbox } from '../dist/apps/sandbox/src/testing/index.js';

const PRODUCT = 'demo-product';
const sandbox = await startSandbox({ start: '2026-03-02T09:00:00Z' });
const receiver = await sandbox.webhookReceiver();
const maytapi = async (path, body) => {
  const response = await fetch(`${sandbox.baseUrl('maytapi', PRODUCT)}${path}`, {
    method: 'POST',
    headers: { 'x-maytapi-key': 'demo-token', 'content-type': 'application/json' },
    body: JSON.stringify(body ?? {}),
  });
  return response.json();
};
const { control } = sandbox;

try {
  await maytapi('/setWebhook', { webhook: receiver.url });
  const { id: shop } = await maytapi('/addPhone');
  await maytapi('/addPhone'); // a second phone, left on its QR code
  await control.advance(3_000);
  const [shopSession] = await control.sessions('maytapi', PRODUCT);
  await control.scan(shopSession.id, '905321234567');
  await control.advance(10_000);

  const customer = '905309876543';
  const say = (text, extra = {}) => control.inbound('maytapi', PRODUCT, { from: customer, session: shopSession.id, profileName: 'Ayşe', text, ...extra });
  const send = (to, message) => maytapi(`/${shop}/sendMessage`, { to_number: to, type: 'text', message });
  await say('Hello! Is the blue teapot still in stock?');
  await control.advance(20_000);
  await send(customer, 'Hi Ayşe, yes: two left. Shall I keep one for you?');
  await control.advance(40_000);
  await say(undefined, { mediaUrl: `${sandbox.origin}/__sandbox/media/sample.jpg` });
  await control.advance(30_000);
  await send(customer, 'Kept for you until Friday.');
  await control.advance(4_000);
  await say('Where do I pick it up?');
  await control.advance(15_000);
  await say(undefined, { location: { latitude: 41.0082, longitude: 28.9784, name: 'Sultanahmet' } });
  await send(customer, 'At our shop in Sultanahmet, 10:00–18:00.');
  await control.advance(1_500);
  const { data: failed } = await send('905551112233', 'Your parcel is on its way');
  await control.request('POST', `/messages/${failed.msgId}/status`, { status: 'failed', reason: 'the number is not on WhatsApp' });
  await control.advance(500);

  const browser = await chromium.launch({
    executablePath: '/usr/lib/chromium/chromium',
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
  });
  const page = await browser.newPage({ viewport: { width: 1366, height: 760 }, deviceScaleFactor: 1 });
  await page.goto(`${sandbox.origin}/#/chat/maytapi/${PRODUCT}`);
  await page.locator('[data-testid="live-status"][data-live="true"]').waitFor();
  await page.getByRole('button', { name: /Ayşe/ }).click();
  await page.getByRole('log').getByText('At our shop in Sultanahmet').waitFor();
  await page.locator('.session img.qr').waitFor();
  await page.screenshot({ path: 'docs/dashboard.png' });
  await browser.close();
  console.log('docs/dashboard.png written');
} finally {
  await sandbox.close();
}
