import { withEncodedTarget } from './raw-utf8-target.js';

const packet = (text: string) => Buffer.from(text, 'utf8');
const replayed = (text: string) => withEncodedTarget(packet(text))?.toString('latin1') ?? null;

describe('withEncodedTarget', () => {
  it('percent-encodes the UTF-8 bytes of the target only, and closes the connection after the answer', () => {
    expect(replayed('GET /a/?text=привет HTTP/1.1\r\nHost: x\r\nConnection: keep-alive\r\nX-Name: Олег\r\n\r\n')).toBe(
      `GET /a/?text=%D0%BF%D1%80%D0%B8%D0%B2%D0%B5%D1%82 HTTP/1.1\r\nHost: x\r\n${Buffer.from('X-Name: Олег').toString('latin1')}\r\nConnection: close\r\n\r\n`,
    );
  });

  it('keeps a body that arrived whole', () => {
    expect(replayed('POST /a?n=ж HTTP/1.1\r\nContent-Length: 3\r\n\r\nx=1')).toBe(
      'POST /a?n=%D0%B6 HTTP/1.1\r\nContent-Length: 3\r\nConnection: close\r\n\r\nx=1',
    );
  });

  it('finds the request after the tail of the one before on a kept-alive connection', () => {
    expect(replayed('…&phone%5B%5D=989121GET /a?t=ж HTTP/1.1\r\nHost: x\r\n\r\n')).toBe('GET /a?t=%D0%B6 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
  });

  it.each([
    ['a target without UTF-8 (another parse error)', 'GET /a?t=\x01 HTTP/1.1\r\nHost: x\r\n\r\n'],
    ['a head that did not arrive whole', 'GET /a?t=ж HTTP/1.1\r\nHost: x\r\n'],
    ['a body that did not arrive whole', 'POST /a?t=ж HTTP/1.1\r\nContent-Length: 10\r\n\r\nx=1'],
    ['a chunked body', 'POST /a?t=ж HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nx=1\r\n0\r\n\r\n'],
    ['the next request after this one', 'GET /a?t=ж HTTP/1.1\r\n\r\nGET /b HTTP/1.1\r\n\r\n'],
    ['a request line that is not one', 'привет\r\n\r\n'],
  ])('leaves %s to the usual 400', (_case, text) => {
    expect(replayed(text)).toBeNull();
  });
});
