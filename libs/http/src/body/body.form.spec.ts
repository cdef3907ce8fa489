import qs from 'qs';
import { looksLikeForm, parseForm, resolveCharset } from './body.form.js';
import { assembleFields } from './form.assembly.js';
import type { UploadedFile } from './body.state.js';

/** The qs configuration forms were parsed with before the linear parser: the reference for its rules. */
const QS_OPTIONS = { arrayLimit: 100_000, parameterLimit: Infinity, depth: 20, duplicates: 'last' } as const;

/** A fixed LCG, so every run checks the same generated forms. */
function generator(seed: number): (count: number) => number {
  let state = seed;
  return (count) => {
    state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
    return (state >>> 16) % count;
  };
}

describe('looksLikeForm', () => {
  test.each(['a=1', 'phonenumber[]=989121234567&text=hi', 'phonenumber%5B0%5D=1&text=hello+world%0A', 'text=سلام&to=1', 'flag&text=x=y', 'a=1&b=2\n'])(
    'a form: %j',
    (text) => {
      expect(looksLikeForm(text)).toBe(true);
    },
  );

  test.each(['', 'hello', 'hello world', '{"a":"b=c"}', '<a>b=c</a>', 'a b=c', '&&', 'x'])('not a form: %j', (text) => {
    expect(looksLikeForm(text)).toBe(false);
  });
});

describe('parseForm', () => {
  test('PHP brackets, qs-style', async () => {
    expect(await parseForm('a[]=1&a[]=2&b[0]=x&b[1]=y&c[d][e]=f&t=a+b%0Ac')).toEqual({
      a: ['1', '2'],
      b: ['x', 'y'],
      c: { d: { e: 'f' } },
      t: 'a b\nc',
    });
  });

  test('prototype keys are dropped', async () => {
    const parsed = await parseForm('__proto__[polluted]=1&constructor[prototype][x]=1&ok=1');
    expect(parsed).toEqual({ ok: '1' });
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  test('a form without brackets parses exactly as qs parses it', async () => {
    // Pseudo-random forms (a fixed LCG, so every run checks the same ones) from the pieces that exercise
    // qs's rules: separators, `+`, good and malformed escapes, prototype keys, repeats, digit keys, non-ASCII.
    const pieces = [
      'a',
      'b',
      '1',
      '0',
      '=',
      '&',
      '&&',
      '+',
      '%20',
      '%2B',
      '%26',
      '%3D',
      '%E2%9C%93',
      '%E2%9C',
      '%',
      '%zz',
      '%5',
      '.',
      'toString',
      '__proto__',
      'constructor',
      'text',
      'سلام',
      ' ',
    ];
    const pick = generator(42);
    const forms = ['', '=', '&', 'a', 'a=', '=a', 'a=1&a=2&b', 'b=1&a=2&1=x&a=3', 'toString=1&hasOwnProperty=2&ok=3'];
    for (let n = 0; n < 3000; n++) {
      let form = '';
      for (let length = pick(12); length > 0; length--) form += pieces[pick(pieces.length)];
      forms.push(form);
    }
    for (const form of forms) {
      const parsed = await parseForm(form);
      expect([form, JSON.stringify(parsed)]).toEqual([form, JSON.stringify(qs.parse(form, QS_OPTIONS))]);
      expect(Object.getPrototypeOf(parsed)).toBe(Object.prototype);
    }
  });

  test('a form with brackets parses as qs parsed it, wherever PHP agrees', async () => {
    // Keys are a name and up to four segments; `[]` only last, where qs and PHP agree (see below for the rest).
    const names = ['a', 'b', 'phonenumber', '0', 'x%5Dy', 'toString'];
    const segments = ['[0]', '[1]', '[2]', '[7]', '[x]', '[y]', '%5B0%5D', '%5Bz%5D', '[__proto__]', '[01]', '[-1]', '[100000]'];
    const values = ['', '1', 'a+b', '%E2%9C%93', '%zz', 'x]y', '%5B'];
    const pick = generator(7);
    let compared = 0;
    for (let n = 0; n < 3000; n++) {
      const parts: string[] = [];
      for (let count = 1 + pick(6); count > 0; count--) {
        let key = names[pick(names.length)]!;
        for (let depth = pick(5); depth > 0; depth--) key += segments[pick(segments.length)];
        if (pick(3) === 0) key += '[]';
        parts.push(pick(8) === 0 ? key : `${key}=${values[pick(values.length)]}`);
      }
      const form = parts.join('&');
      if (mixesShapes(parts)) continue;
      expect([form, JSON.stringify(parseForm(form))]).toEqual([form, JSON.stringify(qs.parse(form, QS_OPTIONS))]);
      compared++;
    }
    // Most forms are compared (2,253 of 3,000 with this seed), not skipped as mixed shapes.
    expect(compared).toBeGreaterThan(2000);
  });

  test('where qs and PHP differ, PHP wins', () => {
    // `[]` inside a key starts a new element each time (qs kept only the last pair).
    expect(parseForm('a[][b]=1&a[][b]=2')).toEqual({ a: [{ b: '1' }, { b: '2' }] });
    // `[]` appends after the highest index (qs filled the hole at 0 first).
    expect(parseForm('a[5]=x&a[]=y')).toEqual({ a: ['x', 'y'] });
    // The key ends at the first `=` (qs split `t=a]=b` at `]=`).
    expect(parseForm('t=a]=b&u[0]=c')).toEqual({ t: 'a]=b', u: ['c'] });
  });

  test('a body whose names are all numbers is still an object', () => {
    expect(parseForm('0=a&1=b&c[0]=d')).toEqual({ 0: 'a', 1: 'b', c: ['d'] });
  });

  test('work grows with the body: 70,000 array entries, both bracket styles', () => {
    // Under qs this took about a minute (its cost grew with the square of one array's entries); the
    // timing itself is measured by `npm run bench`, this checks the result at that size.
    for (const style of ['%5B%5D', 'index']) {
      const form = Array.from({ length: 70_000 }, (_, i) => `phonenumber${style === 'index' ? `%5B${i}%5D` : style}=98912${i}`).join('&');
      const parsed = parseForm(form);
      expect(parsed.phonenumber).toHaveLength(70_000);
      expect((parsed.phonenumber as string[])[69_999]).toBe('9891269999');
    }
  });

  test('percent-escapes in another charset', async () => {
    expect(await parseForm('t=caf%E9', resolveCharset('latin1'))).toEqual({ t: 'café' });
  });
});

/**
 * Where qs and PHP part ways: a name given a value and also used as a container (qs makes a list of
 * both, PHP keeps the container), or given `[]` and also used with an index or a deeper key (qs fills
 * holes and merges, PHP appends).
 */
function mixesShapes(parts: string[]): boolean {
  const keys = parts.map((part) => decodeURIComponent(part.split('=')[0]!.replace(/%(?![0-9a-f]{2})/gi, '%25')));
  const leaves = keys.map((key) => (key.endsWith('[]') ? key.slice(0, -2) : key));
  return leaves.some((leaf, i) => keys.some((key, j) => i !== j && key !== keys[i] && key.startsWith(`${leaf}[`)));
}

describe('resolveCharset', () => {
  test.each([
    [undefined, 'utf-8'],
    ['UTF8', 'utf-8'],
    ['cp1256', 'windows-1256'],
    ['no-such-charset', 'utf-8'],
  ])('%s → %s', (label, charset) => {
    expect(resolveCharset(label)).toBe(charset);
  });
});

describe('assembleFields', () => {
  const file = (fieldName: string): UploadedFile => ({
    fieldName,
    filename: `${fieldName}.bin`,
    mimetype: 'application/octet-stream',
    path: `/tmp/${fieldName}`,
    size: 4,
  });

  test('fields assemble like the same form body, files stay whole', async () => {
    const a = file('files[]');
    const b = file('files[]');
    const cover = file('doc[cover]');
    const body = await assembleFields([
      ['phonenumber[0]', '1'],
      ['phonenumber[1]', '2'],
      ['files[]', a],
      ['files[]', b],
      ['doc[cover]', cover],
      ['doc[title]', 'سلام'],
      ['json', { n: 1 }],
      ['text', 'a&b=c %'],
    ]);
    expect(body).toEqual({
      phonenumber: ['1', '2'],
      files: [a, b],
      doc: { cover, title: 'سلام' },
      json: { n: 1 },
      text: 'a&b=c %',
    });
    expect((body.files as UploadedFile[])[0]).toBe(a);
  });

  test('a repeated plain name keeps its last value, as in a form', async () => {
    expect(
      await assembleFields([
        ['to', '1'],
        ['to', '2'],
      ]),
    ).toEqual(await parseForm('to=1&to=2'));
  });
});
