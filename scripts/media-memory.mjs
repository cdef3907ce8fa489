// Measures the sandbox's resident memory through media work: 8 parallel fetches of 99 MB documents from a
// local server, then 50 Wamessage multipart uploads of 20 MB. Starts the built sandbox (npm run build first)
// as a real process and reads VmRSS from /proc/<pid>/status every 50 ms. Linux only.
//
//   npm run -s build && node scripts/media-memory.mjs [-- extra sandbox flags]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';

const MB = 1024 * 1024;
const FETCHES = 8;
const FETCH_BYTES = 99 * MB;
const UPLOADS = 50;
const UPLOAD_BYTES = 20 * MB;
const PDF_HEAD = Buffer.from('%PDF-1.4\n');

const documents = createServer((_request, res) => {
  res.writeHead(200, { 'content-type': 'application/pdf', 'content-length': FETCH_BYTES });
  const chunk = Buffer.alloc(256 * 1024);
  let sent = 0;
  const pump = () => {
    while (sent < FETCH_BYTES) {
      const piece = sent === 0 ? Buffer.concat([PDF_HEAD, chunk.subarray(PDF_HEAD.length)]) : chunk.subarray(0, Math.min(chunk.length, FETCH_BYTES - sent));
      sent += piece.length;
      if (!res.write(piece)) return void res.once('drain', pump);
    }
    res.end();
  };
  pump();
});
await new Promise((resolve) => documents.listen(0, '127.0.0.1', resolve));
const documentsUrl = `http://127.0.0.1:${documents.address().port}`;

const sandbox = spawn(
  process.execPath,
  ['--max-semi-space-size=8', 'dist/apps/sandbox/src/main.js', '--port', '0', '--clock', 'manual', ...process.argv.slice(2).filter((a) => a !== '--')],
  {
    stdio: ['ignore', 'pipe', 'inherit'],
  },
);
const origin = await new Promise((resolve, reject) => {
  let out = '';
  sandbox.stdout.on('data', (data) => {
    out += data;
    const match = /listening on (http:\/\/[^ ]+)/.exec(out);
    if (match) resolve(match[1]);
  });
  sandbox.once('exit', (code) => reject(new Error(`sandbox exited with ${code}`)));
});

const status = () => readFileSync(`/proc/${sandbox.pid}/status`, 'utf8');
const kB = (text, field) => Number(new RegExp(`${field}:\\s+(\\d+) kB`).exec(text)[1]) * 1024;
let peak = 0;
const sampler = setInterval(() => (peak = Math.max(peak, kB(status(), 'VmRSS'))), 50);
const mb = (bytes) => `${(bytes / MB).toFixed(0)} MB`;
const phase = async (name, work) => {
  peak = 0;
  const started = Date.now();
  await work();
  const rss = kB(status(), 'VmRSS');
  console.log(`${name}: peak RSS ${mb(Math.max(peak, rss))}, RSS after ${mb(rss)} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
};

console.log(`idle: RSS ${mb(kB(status(), 'VmRSS'))}`);
await phase(`${FETCHES} parallel fetches of ${mb(FETCH_BYTES)}`, async () => {
  const answers = await Promise.all(
    Array.from({ length: FETCHES }, async (_, i) => {
      const body = new URLSearchParams({ phonenumber: '989121234567', text: 'doc', url: `${documentsUrl}/doc${i}.pdf` });
      const res = await fetch(`${origin}/wamessenger/sendMessage/MEM-KEY`, { method: 'POST', body });
      return `${res.status} ${(await res.text()).slice(0, 40)}`;
    }),
  );
  console.log(`  answers: ${[...new Set(answers)].join(' | ')}`);
});

const json = async (method, path, body, token) => {
  const res = await fetch(`${origin}${path}`, {
    method,
    headers: { ...(body ? { 'content-type': 'application/json' } : {}), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return res.json();
};
const phone = '905321110000';
await json('POST', '/wamessage/user/register', { phone, password: 'gizli-sifre-1' });
const { token } = await json('POST', '/wamessage/user/login', { phone, password: 'gizli-sifre-1' });
const { data: pairing } = await json('POST', '/wamessage/whatsapp/login/code', { phone }, token);
await json('POST', '/__sandbox/sessions/pair', { code: pairing.code, phone });
await json('POST', '/__sandbox/clock/advance', { ms: 5000 });
await json('GET', `/wamessage/whatsapp/ws/logincontrol?registrationId=${pairing.registrationId}&phone=${phone}`, undefined, token);

const upload = Buffer.alloc(UPLOAD_BYTES);
PDF_HEAD.copy(upload);
await phase(`${UPLOADS} uploads of ${mb(UPLOAD_BYTES)}`, async () => {
  const answers = new Set();
  for (let i = 0; i < UPLOADS; i++) {
    const form = new FormData();
    form.set('reg_id', String(pairing.registrationId));
    form.set('contacts', '905321234567');
    form.set('message', `upload ${i}`);
    form.set('file', new Blob([upload], { type: 'application/pdf' }), `upload-${i}.pdf`);
    const res = await fetch(`${origin}/wamessage/whatsapp/sendmessage/multi`, { method: 'POST', headers: { authorization: `Bearer ${token}` }, body: form });
    answers.add(`${res.status} ${(await res.text()).slice(0, 50)}`);
  }
  console.log(`  answers: ${[...answers].join(' | ')}`);
});
console.log(`peak over the run (VmHWM): ${mb(kB(status(), 'VmHWM'))}`);

clearInterval(sampler);
sandbox.kill('SIGTERM');
documents.close();
