import { getContainerRuntimeClient, ImageName } from 'testcontainers';
import { WaSandboxContainer, type StartedWaSandboxContainer } from '../../apps/sandbox/src/testing/container.js';
import { WebhookReceiver } from '../../apps/sandbox/src/testing/index.js';

/**
 * The Docker image through `wa-sandbox/testcontainers`. Runs where Docker answers and the image is built,
 * and always under CI (CI=true), where a missing Docker or image fails it instead of skipping it: a
 * developer's `npm test` with Docker but no image skips it. The image is WA_SANDBOX_IMAGE, default
 * wa-sandbox:local: `npm run docker:build` builds it (CI: .ci/packaging.sh).
 */
const IMAGE = process.env.WA_SANDBOX_IMAGE ?? 'wa-sandbox:local';
const imageBuilt = await getContainerRuntimeClient().then(
  (runtime) => runtime.image.exists(ImageName.fromString(IMAGE)),
  () => false,
);
const describeWithDocker = imageBuilt || process.env.CI ? describe : describe.skip;

// Starting a container takes 1–5 s alone; on a machine busy with other work, several times that.
const START_TIMEOUT_MS = 120_000;
// advance() returns once the deliveries it started finished, so they are in as it returns; the bound only
// turns a lost webhook into a failure that names it rather than a Jest timeout.
const WEBHOOK_WAIT_MS = 10_000;

describeWithDocker(`the ${IMAGE} image as a Testcontainers module`, () => {
  let sandbox: StartedWaSandboxContainer | undefined;
  let receiver: WebhookReceiver | undefined;

  beforeAll(async () => {
    const runtime = await getContainerRuntimeClient();
    if (!(await runtime.image.exists(ImageName.fromString(IMAGE)))) {
      throw new Error(`no Docker image ${IMAGE}: build it with npm run docker:build (or name another in WA_SANDBOX_IMAGE)`);
    }
    sandbox = await new WaSandboxContainer(IMAGE)
      .withClock('manual')
      .withClockStart('2026-03-01T09:00:00Z')
      .withAccounts([
        { provider: 'wamessenger', key: 'shop-key' },
        { provider: 'maytapi', key: 'shop-product' },
      ])
      .withHostAccess()
      .start();
  }, START_TIMEOUT_MS);
  // Stopped here, not by Ryuk: CI cannot pull Ryuk's image and runs with TESTCONTAINERS_RYUK_DISABLED=true.
  afterAll(async () => {
    await receiver?.close();
    await sandbox?.stop();
  });

  it('is healthy, on the manual clock at the given time, with only the given accounts', async () => {
    const probe = await sandbox!.control.probe();
    expect(probe).toMatchObject({ available: true, health: { status: 'ok', clock: { mode: 'manual', now: '2026-03-01T09:00:00.000Z' } } });
    const refused = await fetch(`${sandbox!.baseUrl('wamessenger')}/getStatus/stranger-key?id=1`);
    expect(refused.headers.get('x-sandbox-error')).toBe('unknown api key (the sandbox runs in strict accounts mode)');
    const phones = await fetch(`${sandbox!.baseUrl('maytapi')}/listPhones`, { headers: { 'x-maytapi-key': 'shop-token' } });
    expect([phones.status, await phones.json()]).toEqual([200, []]);
  });

  it('delivers a sent message as the control client advances the clock', async () => {
    const form = new FormData();
    form.set('phonenumber', '989121234567');
    form.set('text', 'Your order has shipped');
    const id = await (await fetch(`${sandbox!.baseUrl('wamessenger')}/sendMessage/shop-key`, { method: 'POST', body: form })).text();
    await sandbox!.control.advance(60_000);
    const status = (await (await fetch(`${sandbox!.baseUrl('wamessenger')}/getStatus/shop-key?id=${id}`)).json()) as { delivery: string };
    expect(status.delivery).toBe('read');
  });

  it('sends its webhooks to a receiver on this machine, through host.docker.internal', async () => {
    receiver = await WebhookReceiver.start({ listenHost: '0.0.0.0' });
    const webhookUrl = sandbox!.hostUrl(receiver.url);
    expect(webhookUrl).toMatch(/^http:\/\/host\.docker\.internal:\d+\/hook\/[0-9a-f]{8}$/);
    const set = await fetch(`${sandbox!.baseUrl('wamessenger')}/webhook/set/shop-key?${new URLSearchParams({ url: webhookUrl })}`);
    expect(set.status).toBe(200);
    const form = new FormData();
    form.set('phonenumber', '989121234567');
    form.set('text', 'Your order is on its way');
    const id = await (await fetch(`${sandbox!.baseUrl('wamessenger')}/sendMessage/shop-key`, { method: 'POST', body: form })).text();

    await sandbox!.control.advance(60_000);
    const deliveries = () =>
      receiver!.accepted.map((request) => request.json as { id?: string; delivery?: number; status?: string }).filter((body) => body.id === id);
    const arrived = await receiver!.waitFor(() => deliveries().length >= 3, WEBHOOK_WAIT_MS);
    // The sandbox's journal says why an attempt failed (a refused connection, a timeout): shown on failure.
    const journal = await sandbox!.control.journal('wamessenger', 'shop-key');
    expect({
      arrived,
      deliveries: deliveries().map((body) => [body.delivery, body.status]),
      failedAttempts: journal.filter((attempt) => !attempt.ok).map((attempt) => `${attempt.url}: ${attempt.error ?? attempt.status}`),
    }).toEqual({
      arrived: true,
      deliveries: [
        [1, 'server'],
        [2, 'phone'],
        [3, 'read'],
      ],
      failedAttempts: [],
    });
  });

  it(
    'keeps a sent message in its SQLite store in /data across a container restart',
    async () => {
      const form = new FormData();
      form.set('phonenumber', '989121234567');
      form.set('text', 'Kept across a restart');
      const id = await (await fetch(`${sandbox!.baseUrl('wamessenger')}/sendMessage/shop-key`, { method: 'POST', body: form })).text();
      await sandbox!.restart();
      const dataDir = await sandbox!.exec(['ls', '/data']);
      expect(dataDir.output.split('\n')).toEqual(expect.arrayContaining(['media', 'sandbox.db']));
      const status = (await (await fetch(`${sandbox!.baseUrl('wamessenger')}/getStatus/shop-key?id=${id}`)).json()) as { id: string; text: string };
      expect([status.id, status.text]).toEqual([id, 'Kept across a restart']);
    },
    START_TIMEOUT_MS,
  );

  it('runs as a user who can write its data volume', async () => {
    const probe = await sandbox!.exec([
      'node',
      '-e',
      "require('node:fs').writeFileSync('/data/probe', 'ok'); console.log(process.getuid(), process.env.DATA_DIR)",
    ]);
    expect([probe.exitCode, probe.output.trim()]).toEqual([0, '1000 /data']);
  });
});
