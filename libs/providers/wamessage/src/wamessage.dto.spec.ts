import { ProviderError } from '#http';
import { normalizePhone, parseContacts, parseDevicesPage, parseRegistrationId, parseSendInput, parseSendTime } from './wamessage.dto.js';

function refusal(run: () => unknown): { status: number; body: unknown } {
  try {
    run();
  } catch (error) {
    if (error instanceof ProviderError) return { status: error.status, body: error.body };
    throw error;
  }
  throw new Error('not refused');
}

describe('send_time', () => {
  test('is Turkey time (UTC+3)', () => {
    expect(parseSendTime('2026-01-02 12:00:00')).toBe(Date.UTC(2026, 0, 2, 9, 0, 0));
    expect(parseSendTime('2026-01-01 02:30:15')).toBe(Date.UTC(2025, 11, 31, 23, 30, 15));
  });

  test.each([undefined, null, '', '   '])('%j means now', (value) => {
    expect(parseSendTime(value)).toBeNull();
  });

  test.each(['2026-01-02T12:00:00', '2026-01-02 12:00', '02.01.2026 12:00:00', '2026-1-2 12:00:00', 'tomorrow', 20260102])('%j is not the format', (value) => {
    expect(refusal(() => parseSendTime(value))).toEqual({
      status: 400,
      body: { status: false, code: 400, description: 'send_time biçimi YYYY-MM-DD HH:MM:SS olmalıdır', data: null },
    });
  });

  test.each(['2026-02-29 10:00:00', '2026-13-01 10:00:00', '2026-04-31 10:00:00', '2026-01-02 24:00:00', '2026-01-02 12:60:00', '2026-01-02 12:00:61'])(
    '%s does not exist',
    (value) => {
      expect(refusal(() => parseSendTime(value)).status).toBe(400);
    },
  );

  test('a leap day exists in a leap year', () => {
    expect(parseSendTime('2028-02-29 00:00:00')).toBe(Date.UTC(2028, 1, 28, 21, 0, 0));
  });
});

describe('contacts', () => {
  test('comma-separated, with or without +, spaces and dashes ignored, empty items skipped', () => {
    expect(parseContacts('+905321234567, 905321234568,+994 50 123-45-67,')).toEqual(['905321234567', '905321234568', '994501234567']);
  });

  test('an array (JSON, contacts[]) works too', () => {
    expect(parseContacts(['+905321234567', 905321234568])).toEqual(['905321234567', '905321234568']);
  });

  test.each([undefined, '', ' , ', {}])('%j is refused', (value) => {
    expect(refusal(() => parseContacts(value)).status).toBe(400);
  });

  test('one bad number refuses the whole send, naming it', () => {
    expect(refusal(() => parseContacts('905321234567,12ab'))).toMatchObject({ body: { description: 'Geçersiz telefon numarası: 12ab' } });
  });
});

describe('phones and ids', () => {
  test.each([
    ['905321234567', '905321234567'],
    ['+90 (532) 123-45-67', '905321234567'],
    [905321234567, '905321234567'],
    ['123', null],
    ['+', null],
    ['9053212345670000', null],
  ])('normalizePhone(%j) = %j', (value, expected) => {
    expect(normalizePhone(value)).toBe(expected);
  });

  test('registration ids are digits or a JSON number', () => {
    expect(parseRegistrationId('1000001', 'reg_id')).toBe('1000001');
    expect(parseRegistrationId(1000001, 'reg_id')).toBe('1000001');
    expect(parseRegistrationId(' 0001000001 ', 'reg_id')).toBe('1000001');
    expect(refusal(() => parseRegistrationId('abc', 'reg_id')).status).toBe(400);
    expect(refusal(() => parseRegistrationId(1.5, 'reg_id')).status).toBe(400);
    expect(refusal(() => parseRegistrationId(undefined, 'reg_id'))).toMatchObject({ body: { description: 'reg_id alanı zorunludur' } });
  });

  test('devices page: -1 (all), positive, or absent (all)', () => {
    expect(parseDevicesPage('-1')).toBe(-1);
    expect(parseDevicesPage(undefined)).toBe(-1);
    expect(parseDevicesPage('2')).toBe(2);
    for (const page of ['0', '-2', 'x', '1.5']) expect(refusal(() => parseDevicesPage(page)).status).toBe(400);
  });
});

describe('a send', () => {
  const file = (data: Buffer, filename = 'a.pdf') => ({ fieldName: 'file', filename, mimetype: 'application/pdf', path: '/tmp/upload', size: data.length });

  test('a file without a message is a send; neither is refused', () => {
    expect(parseSendInput({ reg_id: '1', contacts: '905321234567', file: file(Buffer.from('%PDF-1.4')) }).upload?.fileName).toBe('a.pdf');
    expect(refusal(() => parseSendInput({ reg_id: '1', contacts: '905321234567', message: '  ' }))).toMatchObject({
      status: 400,
      body: { description: 'Mesaj içeriği veya dosya zorunludur' },
    });
  });

  test('an empty file part without a name is no file (a browser form with nothing chosen); with a name it is refused', () => {
    expect(parseSendInput({ reg_id: '1', contacts: '905321234567', message: 'hi', file: file(Buffer.alloc(0), '') }).upload).toBeNull();
    expect(refusal(() => parseSendInput({ reg_id: '1', contacts: '905321234567', message: 'hi', file: file(Buffer.alloc(0)) })).status).toBe(400);
  });

  test('in JSON a link stands in for the upload; any other string is refused', () => {
    expect(parseSendInput({ reg_id: 1, contacts: '905321234567', file: 'https://example.com/a.pdf' }).mediaUrl).toBe('https://example.com/a.pdf');
    expect(refusal(() => parseSendInput({ reg_id: 1, contacts: '905321234567', file: 'a.pdf' })).status).toBe(400);
  });

  test('send_speed is a non-negative integer', () => {
    expect(parseSendInput({ reg_id: 1, contacts: '905321234567', message: 'x', send_speed: '1' }).sendSpeed).toBe(1);
    expect(parseSendInput({ reg_id: 1, contacts: '905321234567', message: 'x', send_speed: 0 }).sendSpeed).toBe(0);
    expect(refusal(() => parseSendInput({ reg_id: 1, contacts: '905321234567', message: 'x', send_speed: 'fast' })).status).toBe(400);
  });
});
