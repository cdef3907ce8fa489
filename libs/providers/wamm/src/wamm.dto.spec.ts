import { ProviderError } from '#http';
import { parseBase64File, parseCol, parseContact, parsePhone, parseText, SMILEYS } from './wamm.dto.js';

/** The WAMM error text a parse throws, or the value it returns. */
function outcome<T>(parse: () => T): T | string {
  try {
    return parse();
  } catch (error) {
    if (error instanceof ProviderError) return (error.body as { err: string }).err;
    throw error;
  }
}

describe('WAMM input parsing', () => {
  it.each([
    ['79001234567', '79001234567'],
    ['+7 (900) 123-45-67', '79001234567'],
    ['7.900.123.45.67', '79001234567'],
    [' 7 900 1234567 ', '79001234567'],
    [['79990000001', '79001234567'], '79001234567'],
  ])('reads the phone %j as %s', (raw, digits) => {
    expect(parsePhone(raw)).toEqual({ id: digits, phone: digits, group: false });
  });

  it.each([[''], ['abc'], ['7900123'], ['7900123456789012'], ['+7 900 123 45 6x'], [undefined], [{ a: 1 }]])('refuses the phone %j', (raw) => {
    expect(outcome(() => parsePhone(raw))).toBe('phone fail');
  });

  it('reads groups by numeric id or with @g.us', () => {
    expect(parsePhone('120363160875851590')).toEqual({ id: '120363160875851590@g.us', phone: '120363160875851590', group: true });
    expect(parsePhone('79001234567-1600000000@g.us')).toEqual({ id: '790012345671600000000@g.us', phone: '790012345671600000000', group: true });
  });

  it('turns %0A into newlines and :smNN: into the seed emoji, counting characters not UTF-16 units', () => {
    expect(parseText('a%0Ab%0ac')).toBe('a\nb\nc');
    expect(parseText(':sm01::sm22::sm99:')).toBe(`${SMILEYS[':sm01:']}:sm22::sm99:`);
    expect(parseText('🔥'.repeat(1500))).toHaveLength(3000);
    expect(outcome(() => parseText('🔥'.repeat(1501)))).toBe('text fail, more 1500');
    expect(outcome(() => parseText('%0A'))).toBe('text fail');
    expect(outcome(() => parseText(undefined))).toBe('text fail');
  });

  it('reads col 1 to 100 only', () => {
    expect(parseCol('1')).toBe(1);
    expect(parseCol('100')).toBe(100);
    for (const col of ['0', '101', '', '1.5', undefined]) expect(outcome(() => parseCol(col))).toBe('col fail or more 100');
  });

  it('checks contact fields in the seed order, empty optional fields counting as absent', () => {
    expect(parseContact({ phone: '79001234567', name: ' Oleg ', info: '', email: '', web: '' })).toEqual({
      peer: { id: '79001234567', phone: '79001234567', group: false },
      name: 'Oleg',
    });
    expect(outcome(() => parseContact({ phone: 'x', name: '' }))).toBe('phone fail');
    expect(outcome(() => parseContact({ phone: '79001234567', name: 'n'.repeat(251), web: 'w'.repeat(151) }))).toBe('name fail, more 250');
    expect(outcome(() => parseContact({ phone: '79001234567', name: 'n', web: 'w'.repeat(151), email: 'e'.repeat(151) }))).toBe('web fail, more 150');
  });

  it('decodes base64 files, tolerating a data: prefix and line breaks', () => {
    expect(Buffer.from(parseBase64File({ file_base64: 'aGVs\nbG8=', file_name: 'a.txt' }).bytes).toString()).toBe('hello');
    expect(parseBase64File({ file_base64: 'data:text/plain;base64,aGVsbG8=' }).fileName).toBe('file');
    expect(outcome(() => parseBase64File({ file_base64: '***' }))).toBe('url fail');
  });
});
