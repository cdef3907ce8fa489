import { useSandbox, TEST_START } from '../support/sandbox.js';
import { send } from '../support/php-client.js';

const SECOND = 1000;
const q = (fields: Record<string, string>) => `?${new URLSearchParams(fields).toString()}`;

describe('WAMM send queue and daily cap, on the manual clock', () => {
  const sandbox = useSandbox({ provider: 'wamm' });

  const msgTo = (token: string, phone: string, text: string) => send(`${sandbox.base}/api2/msg_to/${token}/${q({ phone, text })}`);
  const state = async (token: string, id: number) =>
    ((await send(`${sandbox.base}/api2/msg_state/${token}/?msg_id=${id}`)).json as { msg_data: { state: string } }).msg_data.state;
  const sentAt = async (id: number) => {
    const change = (await sandbox.control.message(String(id))).history.find((entry) => entry.status === 'sent');
    return change ? Date.parse(change.at) : undefined;
  };

  it('accepts ten msg_to calls at once and sends them 5 to 12 clock-seconds apart, in order', async () => {
    const ids: number[] = [];
    for (let n = 0; n < 10; n++) {
      const response = await msgTo('queue', `7900123450${n}`, `message ${n}`);
      expect(response.text).toMatch(/^\{"err":0,"msg_id":\d+\}$/);
      ids.push((response.json as { msg_id: number }).msg_id);
    }
    // All accepted at the same clock instant, all still in the queue.
    for (const id of ids) {
      expect((await sandbox.control.message(String(id))).createdAt).toBe(new Date(TEST_START).toISOString());
      expect(await state('queue', id)).toBe('sending');
    }
    await sandbox.control.advance(10 * 12 * SECOND);
    const times = await Promise.all(ids.map(sentAt));
    expect(times.every((time) => time !== undefined)).toBe(true);
    const gaps = [times[0]! - TEST_START, ...times.slice(1).map((time, n) => time! - times[n]!)];
    for (const gap of gaps) {
      expect(gap).toBeGreaterThanOrEqual(5 * SECOND);
      expect(gap).toBeLessThanOrEqual(12 * SECOND);
    }
    // Seeded, not fixed: the intervals differ from one another.
    expect(new Set(gaps).size).toBeGreaterThan(1);
  });

  it('moves a message sending → sent → delivered → viewed on the clock', async () => {
    const id = ((await msgTo('states', '79001234567', 'hello')).json as { msg_id: number }).msg_id;
    const seen: string[] = [];
    for (let step = 0; step < 200 && seen.at(-1) !== 'viewed'; step++) {
      const current = await state('states', id);
      if (seen.at(-1) !== current) seen.push(current);
      await sandbox.control.advance(250);
    }
    expect(seen).toEqual(['sending', 'sent', 'delivered', 'viewed']);
  });

  it("refuses the 31st message of a test account's day, and sends again once the Moscow day turns", async () => {
    // TEST_START is 09:00 UTC, 12:00 in Moscow; WAMM's day ends at 21:00 UTC.
    for (let n = 0; n < 30; n++) {
      const response = await msgTo('capped', '79001234567', `message ${n + 1}`);
      expect(response.text).toMatch(/^\{"err":0,"msg_id":\d+\}$/);
    }
    const refused = await msgTo('capped', '79001234567', 'message 31');
    expect(refused.text).toBe('{"err":"acc not authorized"}');
    expect(refused.contentType).toMatch(/^application\/json/);
    // Files count against the same cap.
    expect((await send(`${sandbox.base}/api2/file_to/capped/${q({ phone: '79001234567', url: 'https://wamm.chat/i/images/wamm-chat-logo.png' })}`)).text).toBe(
      '{"err":"acc not authorized"}',
    );

    const untilMoscowMidnight = Date.UTC(2026, 0, 1, 21, 0, 0) - TEST_START;
    await sandbox.control.advance(untilMoscowMidnight - 1);
    expect((await msgTo('capped', '79001234567', 'one millisecond before midnight in Moscow')).text).toBe('{"err":"acc not authorized"}');
    await sandbox.control.advance(1);
    expect((await msgTo('capped', '79001234567', 'the new day')).text).toMatch(/^\{"err":0,"msg_id":\d+\}$/);
  });

  it('lifts the cap through the control API (PUT /__sandbox/accounts/wamm/<token>/limits)', async () => {
    await sandbox.control.setLimits('wamm', 'paid', { dailyMessages: null });
    for (let n = 0; n < 31; n++) expect((await msgTo('paid', '79001234567', `message ${n + 1}`)).text).toMatch(/^\{"err":0,"msg_id":\d+\}$/);
    await sandbox.control.setLimits('wamm', 'small', { dailyMessages: 2 });
    await msgTo('small', '79001234567', 'one');
    await msgTo('small', '79001234567', 'two');
    expect((await msgTo('small', '79001234567', 'three')).text).toBe('{"err":"acc not authorized"}');
  });

  it("paces each account's line on its own: a second account does not wait behind the first", async () => {
    const first = ((await msgTo('line-a', '79001234567', 'a1')).json as { msg_id: number }).msg_id;
    await msgTo('line-a', '79001234567', 'a2');
    const other = ((await msgTo('line-b', '79001234567', 'b1')).json as { msg_id: number }).msg_id;
    await sandbox.control.advance(12 * SECOND);
    expect(await sentAt(first)).toBeDefined();
    expect(await sentAt(other)).toBeDefined();
  });
});
