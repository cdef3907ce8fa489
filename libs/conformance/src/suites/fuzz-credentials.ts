/** Helpers for the suites' fuzzCredentials: what they do on the target to get valid credentials. */

/** POSTs JSON and reads the answer as JSON, or undefined when it is not (the fuzzer then tries without). */
export async function postJson(url: string, body: unknown, headers: Record<string, string> = {}): Promise<unknown> {
  const response = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  try {
    return await response.json();
  } catch {
    return undefined;
  }
}

/** Eight digits that depend only on `text`: the same key makes the same account on every run. */
export function hashDigits(text: string): number {
  let h = 7;
  for (let i = 0; i < text.length; i++) h = (h * 31 + text.charCodeAt(i)) % 100_000_000;
  return h;
}
