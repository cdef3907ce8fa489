import type { Account } from '#engine';
import { WhatsAppEngine } from '#engine';
import { LoopbackReceiver } from '../support/loopback-receiver.js';
import { useSandbox } from '../support/sandbox.js';

const HOSTILE_ACCOUNTS = 64;
/** The dispatcher's budget of requests in flight to one receiver. */
const PER_DESTINATION = 8;
/** Each hostile account has more chats with an event to deliver than its receiver's budget. */
const CHATS_PER_HOSTILE_ACCOUNT = PER_DESTINATION + 4;

/**
 * 64 accounts whose receivers never answer must not delay another account's webhooks, nor hold a
 * manual clock advance for longer than one webhook timeout.
 */
describe('webhook delivery beside receivers that never answer', () => {
  const hostile = Array.from({ length: HOSTILE_ACCOUNTS }, () => LoopbackReceiver.use(() => null));
  // A test may change their answers (to end its requests early).
  beforeEach(() => {
    for (const receiver of hostile) receiver.answer = () => null;
  });

  async function accountsWithEvents(engine: WhatsAppEngine): Promise<void> {
    for (const [index, receiver] of hostile.entries()) {
      const account = await resolve(engine, `hostile-${index}`);
      for (let chat = 0; chat < CHATS_PER_HOSTILE_ACCOUNT; chat++) {
        await engine.webhooks.enqueue(account, receiver.url, { account: index, chat }, `chat ${index} ${chat}`);
      }
    }
  }

  describe('with a webhook timeout of 5 s (not waited for)', () => {
    const healthy = LoopbackReceiver.use(() => 200);
    const sandbox = useSandbox({ config: { webhookTimeoutMs: 5_000 }, reset: false });

    it("delivers a healthy account's events while every hostile receiver has its whole budget taken", async () => {
      const engine = sandbox.app.get(WhatsAppEngine);
      await accountsWithEvents(engine);
      const account = await resolve(engine, 'healthy');
      for (let chat = 0; chat < 5; chat++) await engine.webhooks.enqueue(account, healthy.url, { chat }, `chat healthy ${chat}`);

      // Events due now go out without an advance. Whatever happens first: the healthy receiver has its
      // five events, or a hostile request ends (it could only be the 5 s timeout).
      const anyAbandoned = () => hostile.some((receiver) => receiver.abandoned > 0);
      await Promise.race([healthy.until(() => healthy.accepted.length === 5), ...hostile.map((receiver) => receiver.until(anyAbandoned))]);
      expect(healthy.accepted).toHaveLength(5);
      expect(anyAbandoned()).toBe(false);

      // Meanwhile each hostile receiver holds exactly its budget of requests, none more.
      const saturated = () => hostile.every((receiver) => receiver.open === PER_DESTINATION);
      await Promise.race(hostile.flatMap((receiver) => [receiver.until(saturated), receiver.until(anyAbandoned)]));
      expect(hostile.map((receiver) => receiver.open)).toEqual(hostile.map(() => PER_DESTINATION));
      expect(anyAbandoned()).toBe(false);

      // Ends the hostile requests now rather than at their 5 s timeout, so none outlives the test.
      for (const receiver of hostile) {
        receiver.answer = () => 503;
        receiver.hangUp();
      }
      await engine.clock.settle();
    }, 30_000);
  });

  describe('with a webhook timeout of 300 ms', () => {
    const sandbox = useSandbox({ config: { webhookTimeoutMs: 300 }, reset: false });

    it('answers POST /__sandbox/clock/advance without waiting for every round of timed-out attempts', async () => {
      const engine = sandbox.app.get(WhatsAppEngine);
      const before = await sandbox.control.clock();
      // The events are made 1 ms into the advance, so every attempt starts after it began.
      engine.clock.schedule(1, () => accountsWithEvents(engine), 'hostile events');

      // A minute spans WaMessenger's first retry (10 s). Waiting for every attempt, as the advance used to,
      // takes several rounds of 300 ms timeouts: each receiver has 12 events, and each is retried once.
      const state = await sandbox.control.advance(60_000);
      expect(state.nowMs).toBe(before.nowMs + 60_000);
      // How many attempts ended by the time the answer is read depends on wall time (each round is a real
      // 300 ms timeout, and a busy machine lets a second round end while the advance runs its own tasks):
      // counting one round (64 × 8) failed under load. What holds on any machine: the advance did not wait
      // for every event's attempt, which waiting for held work without a limit did.
      const attempts = (await engine.webhooks.attempts({})).filter((attempt) => attempt.accountId.includes('hostile'));
      expect(attempts.length).toBeLessThan(HOSTILE_ACCOUNTS * CHATS_PER_HOSTILE_ACCOUNT);
      expect(attempts.every((attempt) => attempt.error === 'timed out')).toBe(true);

      // The attempts left out there end on their own; their retries are made late rather than never.
      await engine.clock.settle();
      const after = (await engine.webhooks.attempts({})).filter((attempt) => attempt.accountId.includes('hostile'));
      expect(after.length).toBeGreaterThanOrEqual(HOSTILE_ACCOUNTS * CHATS_PER_HOSTILE_ACCOUNT);
    }, 30_000);
  });
});

async function resolve(engine: WhatsAppEngine, key: string): Promise<Account> {
  const lookup = await engine.accounts.resolve('wamessenger', key);
  if (!lookup.ok) throw new Error(lookup.reason);
  return lookup.account;
}
