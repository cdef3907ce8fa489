import type { RunningSandbox } from './sandbox.js';

/**
 * Huge bodies against a running sandbox, one at a time, each with a health check polled while it is
 * answered: how long the big request takes to be answered (or refused), and how long the event loop
 * kept every other client waiting. Targets (reliability issue): the big request answered within 1 s,
 * a health check meanwhile within 50 ms.
 */
export interface StallResult {
  body: string;
  bytes: number;
  status: number;
  answerMs: number;
  /** The slowest health check answered while the big request was out. */
  healthMaxMs: number;
  healthChecks: number;
}

const ENTRIES = 70_000;

function number(i: number): string {
  return `98912${String(i).padStart(7, '0')}`;
}

/** The bodies: a 70,000-entry array in each encoding a client may send it in. */
function bodies(): Array<{ body: string; path: string; contentType: string; payload: string }> {
  const numbers = Array.from({ length: ENTRIES }, (_, i) => number(i));
  return [
    {
      body: `WaMessenger form, ${ENTRIES} × phonenumber[]`,
      path: '/wamessenger/sendMessage/bench-stall',
      contentType: 'application/x-www-form-urlencoded',
      payload: `${numbers.map((n) => `phonenumber[]=${n}`).join('&')}&text=hi`,
    },
    {
      body: `WaMessenger form, ${ENTRIES} × phonenumber%5Bi%5D`,
      path: '/wamessenger/sendMessage/bench-stall',
      contentType: 'application/x-www-form-urlencoded',
      payload: `${numbers.map((n, i) => `phonenumber%5B${i}%5D=${n}`).join('&')}&text=hi`,
    },
    {
      body: `WaMessenger JSON, ${ENTRIES} numbers`,
      path: '/wamessenger/sendMessage/bench-stall',
      contentType: 'application/json',
      payload: JSON.stringify({ phonenumber: numbers, text: 'hi' }),
    },
    {
      body: `Devino JSON, ${ENTRIES} messages`,
      path: '/devino/whatsapp/messages',
      contentType: 'application/json',
      payload: JSON.stringify({ messages: numbers.slice(0, 14_000).map((to) => ({ from: 'bench', to, text: { body: 'hi' } })) }),
    },
  ];
}

export async function measureStalls(sandbox: RunningSandbox): Promise<StallResult[]> {
  const results: StallResult[] = [];
  for (const { body, path, contentType, payload } of bodies()) {
    const bytes = Buffer.byteLength(payload);
    const healthTimes: number[] = [];
    let done = false;
    const started = performance.now();
    const big = fetch(`${sandbox.origin}${path}`, { method: 'POST', headers: { 'content-type': contentType, authorization: 'Key bench' }, body: payload }).then(
      async (response) => {
        await response.arrayBuffer();
        done = true;
        return { status: response.status, answerMs: performance.now() - started };
      },
    );
    while (!done) {
      const asked = performance.now();
      await fetch(`${sandbox.origin}/__sandbox/health`).then((response) => response.arrayBuffer());
      if (!done) healthTimes.push(performance.now() - asked);
    }
    const { status, answerMs } = await big;
    results.push({
      body,
      bytes,
      status,
      answerMs: Math.round(answerMs),
      healthMaxMs: Math.round(Math.max(0, ...healthTimes)),
      healthChecks: healthTimes.length,
    });
  }
  return results;
}
