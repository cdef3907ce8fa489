import { assembleFields, looksLikeForm, parseForm, resolveCharset } from './body.form.js';
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
  test('PHP brackets, qs-style', () => {
    expect(parseForm('a[]=1&a[]=2&b[0]=x&b[1]=y&c[d][e]=f&t=a+b%0Ac')).toEqual({
      a: ['1', '2'],
      b: ['x', 'y'],
      c: { d: { e: 'f' } },
      t: 'a b\nc',
    });
  });

  test('prototype keys are dropped', () => {
    const parsed = parseForm('__proto__[polluted]=1&constructor[prototype][x]=1&ok=1');
    expect(parsed).toEqual({ ok: '1' });
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
  });

  test('percent-escapes in another charset', () => {
    expect(parseForm('t=caf%E9', resolveCharset('latin1'))).toEqual({ t: 'café' });
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
    data: Buffer.alloc(4),
  });

  test('fields assemble like the same form body, files stay whole', () => {
    const a = file('files[]');
    const b = file('files[]');
    const cover = file('doc[cover]');
    const body = assembleFields([
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

  test('a repeated plain name keeps its last value, as in a form', () => {
    expect(assembleFields([['to', '1'], ['to', '2']])).toEqual(parseForm('to=1&to=2'));
  });
});
