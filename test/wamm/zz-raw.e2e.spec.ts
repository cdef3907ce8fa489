import { connect } from 'node:net';
import { startSandbox } from '../support/sandbox.js';
it('raw', async () => {
  const s = await startSandbox();
  const port = new URL(s.origin).port;
  const send = (target: string) => new Promise<string>((resolve) => {
    const sock = connect(Number(port), '127.0.0.1', () => {
      sock.write(Buffer.concat([Buffer.from('GET '), Buffer.from(target, 'utf8'), Buffer.from(' HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n')]));
    });
    let out = ''; sock.on('data', (d) => (out += d.toString('utf8'))); sock.on('end', () => resolve(out));
  });
  console.log(await send('/wamm/api2/msg_to/T/?phone=79001234567&text=привет'));
  console.log(await send('/wamm/api2/msg_to/T/?phone=79001234567&text=%D0%BF'));
  console.log(await send('/wamessenger/getStatus/K?id=1&x=привет'));
  await s.close();
});
