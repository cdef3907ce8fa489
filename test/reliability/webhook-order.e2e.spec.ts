import { LoopbackReceiver } from '../support/loopback-receiver.js';
import { useSandbox } from '../support/sandbox.js';

const KEY = 'order';
const HOUR = 3_600_000;
/** 556 customers, three messages each: 1,668 messages, each reported server, phone and read. */
const CUSTOMERS = 556;
const MESSAGES_PER_CUSTOMER = 3;

interface DeliveryEvent {
  id: string;
  phonenumber: string;
  delivery: number;
  date: string;
}

/** A customer who is none of the magic numbers (last six digits end in 7): sent, delivered, read. */
const customer = (index: number) => `98912${String(index).padStart(6, '0')}7`;

describe('webhook order per chat with a receiver that refuses every other call', () => {
  const receiver = LoopbackReceiver.use((call) => (call % 2 === 0 ? 503 : 200));
  // A long webhook timeout: every advance below waits for all the deliveries it sets off.
  const sandbox = useSandbox({ config: { webhookTimeoutMs: 60_000 }, reset: false });

  const wamessenger = async (path: string, init?: RequestInit) => {
    const response = await fetch(`${sandbox.origin}/wamessenger${path}`, init);
    const text = await response.text();
    if (response.status !== 200) throw new Error(`${path} answered ${response.status}: ${text.slice(0, 200)}`);
    return text;
  };
  const pending = async () => (JSON.parse(await wamessenger(`/webhook/pending/${KEY}`)) as { pending: number }).pending;

  it("loses no event and never accepts a chat's event before an earlier one", async () => {
    await wamessenger(`/webhook/set/${KEY}?url=${encodeURIComponent(receiver.url)}`);
    for (let round = 0; round < MESSAGES_PER_CUSTOMER; round++) {
      const form = new URLSearchParams();
      for (let index = 0; index < CUSTOMERS; index++) form.append('phonenumber[]', customer(index));
      form.append('text', `round ${round}`);
      // The array form needs a media url; the sandbox's own sample serves.
      form.append('url', `${sandbox.origin}/__sandbox/media/sample.jpg`);
      await wamessenger(`/sendMessage/${KEY}`, { method: 'POST', body: form });
    }

    // Sending takes about 17 clock-minutes, the statuses follow within a minute, and WaMessenger's
    // retries come 10 s, 1 min and 5 min after a refusal: two hours covers them all.
    await sandbox.control.advance(2 * HOUR);
    // An event refused four times waits for webhook/resend, and its chat's later events wait behind it.
    for (let round = 0; round < 20 && (await pending()) > 0; round++) {
      await wamessenger(`/webhook/resend/${KEY}`);
      await sandbox.control.advance(HOUR);
    }
    expect(await pending()).toBe(0);

    const accepted = receiver.accepted as DeliveryEvent[];
    const messages = CUSTOMERS * MESSAGES_PER_CUSTOMER;
    expect(accepted).toHaveLength(messages * 3);
    expect(new Set(accepted.map((event) => JSON.stringify(event))).size).toBe(messages * 3);

    const byMessage = new Map<string, number[]>();
    const byChat = new Map<string, string[]>();
    for (const event of accepted) {
      byMessage.set(event.id, [...(byMessage.get(event.id) ?? []), event.delivery]);
      byChat.set(event.phonenumber, [...(byChat.get(event.phonenumber) ?? []), event.date]);
    }
    expect(byMessage.size).toBe(messages);
    const outOfOrder = [...byMessage].filter(([, steps]) => steps.join() !== '1,2,3');
    expect(outOfOrder).toEqual([]);
    // A chat's events in the order they were made: their clock times never go back.
    const timeTravelling = [...byChat].filter(([, dates]) => dates.some((date, index) => index > 0 && date < dates[index - 1]!));
    expect(timeTravelling).toEqual([]);
  }, 120_000);
});
