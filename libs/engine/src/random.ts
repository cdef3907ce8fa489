/**
 * Deterministic randomness. Every random choice in the engine (timings, names, reply texts) is drawn
 * from a generator seeded by the engine seed plus the identity of what is being decided (a message id,
 * a phone number), so results do not depend on the order in which things happen.
 */
export type Random = () => number;

/** cyrb53: a fast, well-mixed 53-bit string hash. */
export function hashString(input: string, seed = 0): number {
  let h1 = 0xdeadbeef ^ seed;
  let h2 = 0x41c6ce57 ^ seed;
  for (let i = 0; i < input.length; i++) {
    const ch = input.charCodeAt(i);
    h1 = Math.imul(h1 ^ ch, 2654435761);
    h2 = Math.imul(h2 ^ ch, 1597334677);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507) ^ Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507) ^ Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  return 4294967296 * (2097151 & h2) + (h1 >>> 0);
}

/** mulberry32 seeded from the engine seed and the parts naming the decision. */
export function seededRandom(seed: number, ...parts: Array<string | number>): Random {
  let state = hashString(parts.join('\u0000'), seed) >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A whole number of milliseconds in [range.min, range.max]. */
export function pickDuration(random: Random, range: DurationRange): number {
  return Math.round(range.minMs + random() * (range.maxMs - range.minMs));
}

export interface DurationRange {
  minMs: number;
  maxMs: number;
}
