import { connect } from 'node:net';
import { useSandbox } from '../support/sandbox.js';

interface RawResponse {
  status: number;
  headers: string;
  body: string;
}

/**
 * A GET whose target goes on the wire byte for byte, UTF-8 unencoded, as a PHP `file_get_contents` or a
 * 1C integration sends it (fetch and supertest would percent-encode it). Resolves when the server closes.
 */
function rawGet(origin: string, target: string, extraHeaders = ''): Promise<RawResponse> {
  const { hostname, port } = new URL(origin);
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(Number(port), hostname, () => {
      socket.write(Buffer.from(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\n${extraHeaders}\r\n`, 'utf8'));
    });
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      const split = text.indexOf('\r\n\r\n');
      resolve({ status: Number(text.slice(9, 12)), headers: text.slice(0, split), body: text.slice(split + 4) });
    });
  });
}

describe('WAMM with raw UTF-8 in the query string, as the seed writes its examples', () => {
  const sandbox = useSandbox({ provider: 'wamm' });

  it('sends msg_to?text=привет and stores the text as written', async () => {
    const response = await rawGet(sandbox.origin, '/wamm/api2/msg_to/T/?phone=79001234567&text=привет,%20как%20дела?', 'Connection: keep-alive\r\n');
    expect(response.status).toBe(200);
    expect(response.body).toMatch(/^\{"err":0,"msg_id":\d+\}$/);
    // The request was answered on its own connection, which then closed (the client's keep-alive notwithstanding).
    expect(response.headers).toMatch(/^connection: close$/im);
    const id = (JSON.parse(response.body) as { msg_id: number }).msg_id;
    expect((await sandbox.control.message(String(id))).text).toBe('привет, как дела?');
  });

  it('saves contact_to?name=Олег%20Иванов with the raw name, and rows show it', async () => {
    const saved = await rawGet(sandbox.origin, '/wamm/api2/contact_to/T/?phone=79005556677&name=Олег%20Иванов&info=постоянный%20клиент');
    expect(JSON.parse(saved.body)).toEqual({ err: 0, result: 'insert' });
    await fetch(`${sandbox.base}/api2/msg_to/T/?phone=79005556677&text=hi`);
    const rows = (await (await fetch(`${sandbox.base}/api2/msg_get/T/?phone=79005556677&col=1`)).json()) as { msg_data: Array<{ chat_name: string }> };
    expect(rows.msg_data[0]!.chat_name).toBe('Олег Иванов');
  });

  it('keeps WAMM\'s own errors for raw UTF-8 requests: {"err":…} with HTTP 200', async () => {
    const badToken = await rawGet(sandbox.origin, '/wamm/api2/msg_to/invalid-token/?phone=79001234567&text=привет');
    expect([badToken.status, badToken.body]).toEqual([200, '{"err":"token fail"}']);
    const badPhone = await rawGet(sandbox.origin, '/wamm/api2/msg_to/T/?phone=телефон&text=привет');
    expect([badPhone.status, badPhone.body]).toEqual([200, '{"err":"phone fail"}']);
    const tooLong = await rawGet(sandbox.origin, `/wamm/api2/msg_to/T/?phone=79001234567&text=${'ж'.repeat(1501)}`);
    expect([tooLong.status, tooLong.body]).toEqual([200, '{"err":"text fail, more 1500"}']);
    const path = await rawGet(sandbox.origin, '/wamm/api2/сообщение/T/?phone=79001234567');
    expect([path.status, path.body]).toEqual([404, '{"err":"not found"}']);
  });

  it('takes raw UTF-8 on every provider, not only WAMM', async () => {
    const response = await rawGet(sandbox.origin, '/wamessenger/showAllMessages/K?phonenumber=۰۹۱۲');
    // Persian digits are not digits to WaMessenger: its own error, not Fastify's.
    expect([response.status, response.body]).toEqual([400, 'Bad Request']);
  });
});
