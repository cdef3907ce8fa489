/**
 * PHP-style assembly of decoded form pairs, in one pass: `a[]=x&a[]=y` and `a[0]=x&a[1]=y` → arrays,
 * `a[b]=c` → objects, a repeated name → its last value, as PHP builds $_POST.
 *
 * It replaces qs, whose cost grew with the square of the entries of one array (every `a[]` copies the
 * array so far, every `a[i]` merges a sparse array): 20,000 entries took 5–7 s and 40,000 took 38 s, with
 * the event loop blocked for every other client. Here each pair costs a walk down its own key, and a
 * container is turned into an array or an object once, at the end (a 2 MB form of 70,000 entries: about
 * 40 ms).
 *
 * What it keeps of qs (the parser these bodies went through before, checked against it by
 * body.form.spec.ts on generated forms): a container whose keys are all array indices (`0`, `1`, … below
 * ARRAY_INDEX_LIMIT) becomes an array in index order with the gaps closed up; any other key makes it an
 * object; at most MAX_DEPTH bracket levels, the rest of a deeper key being one literal key; a pair
 * whose key names an Object.prototype member (`__proto__`, `constructor`, `toString`…) at any level is
 * dropped. Where the two differ, PHP wins: `a[][b]=1&a[][b]=2` gives two elements (qs kept the last),
 * and `a[]` after `a[5]` appends after the highest index.
 */

/** Bracket levels after the name; deeper keys keep the rest as one key (qs's `depth`). */
const MAX_DEPTH = 20;
/** Indices at or above this are object keys, so `a[999999999]=x` cannot ask for a huge array. */
export const ARRAY_INDEX_LIMIT = 100_000;

/**
 * A container being built: keys in first-seen order, a later value for a key replacing the earlier one.
 * While its keys are 0, 1, 2… in order (what `a[]` and `a[i]` send) it is a plain list; the first other
 * key moves it to a Map. A Map of 70,000 string keys cost about ten times the list.
 */
class Branch {
  private list: unknown[] | undefined = [];
  private entries: Map<string, unknown> | undefined;
  /** Where `[]` appends next: one past the highest index seen, as in PHP. */
  private nextIndex = 0;

  set(key: string, value: unknown): void {
    const index = arrayIndex(key);
    if (index !== undefined && index >= this.nextIndex) this.nextIndex = index + 1;
    if (this.list !== undefined && index !== undefined && index <= this.list.length) {
      this.list[index] = value;
      return;
    }
    this.asMap().set(key, value);
  }

  append(value: unknown): void {
    if (this.list !== undefined) {
      this.list.push(value);
      this.nextIndex = this.list.length;
    } else {
      this.set(String(this.nextIndex), value);
    }
  }

  /** The branch under `key`, made (or made to replace a plain value, as PHP does) when missing. */
  child(key: string): Branch {
    const existing = this.get(key);
    if (existing instanceof Branch) return existing;
    const branch = new Branch();
    this.set(key, branch);
    return branch;
  }

  appendChild(): Branch {
    const branch = new Branch();
    this.append(branch);
    return branch;
  }

  toValue(asObject = false): unknown[] | Record<string, unknown> {
    if (this.list !== undefined && !asObject) return this.list.map(finish);
    const entries = this.list !== undefined ? this.list.map((value, index) => [String(index), value] as const) : [...this.entries!];
    if (!asObject && entries.every(([key]) => arrayIndex(key) !== undefined)) {
      // Indices that came out of order: an array in index order, the gaps closed up.
      return entries
        .map(([key, value]) => [Number(key), value] as const)
        .sort(([a], [b]) => a - b)
        .map(([, value]) => finish(value));
    }
    const object: Record<string, unknown> = {};
    for (const [key, value] of entries) object[key] = finish(value);
    return object;
  }

  private get(key: string): unknown {
    if (this.list === undefined) return this.entries!.get(key);
    const index = arrayIndex(key);
    return index === undefined ? undefined : this.list[index];
  }

  private asMap(): Map<string, unknown> {
    if (this.list !== undefined) {
      this.entries = new Map(this.list.map((value, index) => [String(index), value]));
      this.list = undefined;
    }
    return this.entries!;
  }
}

function finish(value: unknown): unknown {
  return value instanceof Branch ? value.toValue() : value;
}

/** The index a key names (`0`, `17`, not `01`, `-1` or `1e3`), when below ARRAY_INDEX_LIMIT. */
function arrayIndex(key: string): number | undefined {
  if (key.length === 0 || key.length > 6) return undefined;
  if (key.length > 1 && key.charCodeAt(0) === 48) return undefined;
  for (let i = 0; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code < 48 || code > 57) return undefined;
  }
  const index = Number(key);
  return index < ARRAY_INDEX_LIMIT ? index : undefined;
}

/**
 * `name[a][][b]` → `['name', 'a', '', 'b']` (`''` is `[]`), as qs reads keys: the name up to the first
 * `[`, then each balanced `[…]` (brackets may nest inside: `[c[]]` is `c[]`), text between groups
 * skipped, `[name]…` read as `name…`. An unterminated group, or what lies past MAX_DEPTH groups, is one
 * literal key.
 */
export function splitKey(key: string): string[] {
  let open = key.indexOf('[');
  if (open === -1) return [key];
  const parts = open > 0 ? [key.slice(0, open)] : [];
  for (let depth = 0; open !== -1; depth++) {
    const close = depth === MAX_DEPTH ? -1 : matchingClose(key, open);
    if (close === -1) {
      parts.push(key.slice(open));
      break;
    }
    parts.push(key.slice(open + 1, close));
    open = key.indexOf('[', close + 1);
  }
  return parts;
}

/** The `]` that closes the `[` at `open`, or -1. */
function matchingClose(key: string, open: number): number {
  let level = 0;
  for (let i = open; i < key.length; i++) {
    const code = key.charCodeAt(i);
    if (code === 91) level++;
    else if (code === 93 && --level === 0) return i;
  }
  return -1;
}

function shadowsPrototype(segment: string): boolean {
  return Object.hasOwn(Object.prototype, segment);
}

/** Assembles decoded pairs, one `add` at a time; values are kept as they are (strings, or files from multipart). */
export class FormAssembler {
  private readonly root = new Branch();

  add(key: string, value: unknown): void {
    const segments = splitKey(key);
    if (segments[0] === '' || segments.some(shadowsPrototype)) return;
    let branch = this.root;
    const last = segments.length - 1;
    for (let i = 0; i < last; i++) {
      const segment = segments[i]!;
      branch = segment === '' && i > 0 ? branch.appendChild() : branch.child(segment);
    }
    const leaf = segments[last]!;
    if (leaf === '' && last > 0) branch.append(value);
    else branch.set(leaf, value);
  }

  /** The body itself is always an object, even when every name is a number. */
  result(): Record<string, unknown> {
    return this.root.toValue(true) as Record<string, unknown>;
  }
}

/** Decoded pairs, or multipart fields whose values may be files, assembled exactly as a form body with the same names. */
export function assembleFields(pairs: Iterable<readonly [key: string, value: unknown]>): Record<string, unknown> {
  const assembler = new FormAssembler();
  for (const [key, value] of pairs) assembler.add(key, value);
  return assembler.result();
}
