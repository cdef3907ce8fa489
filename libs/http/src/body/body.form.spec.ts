import qs from 'qs';
import { assembleFields, looksLikeForm, parseForm, QS_OPTIONS, resolveCharset } from './body.form.js';
import type { UploadedFile } from './body.state.js';

describe('looksLikeForm', () => {
  test.each([
    'a=1',
    'phonenumber[]=989121234567&text=hi',
    'phonenumber%5B0%5D=1&text=hello+world%0A',
    'text=سلام&to=1',
    'flag&text=x=y',
    'a=1&b=2\n',
  ])('a form: %j', (text) => {
    expect(looksLikeForm(text)).toBe(true);
  });

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
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('a form without brackets parses exactly as qs parses it', async () => {
    // Pseudo-random forms (a fixed LCG, so every run checks the same ones) from the pieces that exercise
    // qs's rules: separators, `+`, good and malformed escapes, prototype keys, repeats, digit keys, non-ASCII.
    const pieces = ['a', 'b', '1', '0', '=', '&', '&&', '+', '%20', '%2B', '%26', '%3D', '%E2%9C%93', '%E2%9C', '%', '%zz', '%5', '.', 'toString', '__proto__', 'constructor', 'text', 'سلام', ' '];
    let state = 42;
    const pick = (count: number): number => {
      state = (Math.imul(state, 1_664_525) + 1_013_904_223) >>> 0;
      return (state >>> 16) % count;
    };
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

  test('percent-escapes in another charset', async () => {
    expect(await parseForm('t=caf%E9', resolveCharset('latin1'))).toEqual({ t: 'café' });
  });
});

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
    expect((body['files'] as UploadedFile[])[0]).toBe(a);
  });

  test('a repeated plain name keeps its last value, as in a form', async () => {
    expect(await assembleFields([['to', '1'], ['to', '2']])).toEqual(await parseForm('to=1&to=2'));
  });
});
