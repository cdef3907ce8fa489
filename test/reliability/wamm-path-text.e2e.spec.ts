import { rawGet } from '../support/raw-http.js';
import { useSandbox } from '../support/sandbox.js';

/** WAMM's `msg_to/{token}/{phone}/{text}`: the text is a path segment, up to WAMM's 1,500 characters. */
describe('WAMM msg_to with the text in the path', () => {
  const sandbox = useSandbox({ reset: false });

  const msgState = async (id: number) => {
    const response = await fetch(`${sandbox.origin}/wamm/api2/msg_state/path-text/?msg_id=${id}`);
    return (await response.json()) as { err: number | string };
  };

  test.each([
    ['Latin', 'a'.repeat(1500)],
    ['Cyrillic', 'ж'.repeat(1500)],
    ['emoji (four UTF-8 bytes, 18,000 bytes encoded)', '😀'.repeat(1500)],
  ])('%s, 1,500 characters', async (_kind, text) => {
    const response = await rawGet(sandbox.origin, `/wamm/api2/msg_to/path-text/79001234567/${encodeURIComponent(text)}`);
    expect(response.status).toBe(200);
    const body = JSON.parse(response.body) as { err: number; msg_id: number };
    expect(body.err).toBe(0);
    expect((await msgState(body.msg_id)).err).toBe(0);
    const message = await sandbox.control.message(String(body.msg_id));
    expect(message.text).toBe(text);
  });

  test('1,501 characters get WAMM’s own error, as in the query', async () => {
    const inPath = await rawGet(sandbox.origin, `/wamm/api2/msg_to/path-text/79001234567/${'a'.repeat(1501)}`);
    const inQuery = await rawGet(sandbox.origin, `/wamm/api2/msg_to/path-text/?phone=79001234567&text=${'a'.repeat(1501)}`);
    expect(inPath.status).toBe(200);
    expect(inPath.body).toBe(inQuery.body);
    expect(JSON.parse(inPath.body)).toHaveProperty('err');
    expect(JSON.parse(inPath.body).err).not.toBe(0);
  });
});
