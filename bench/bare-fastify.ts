/**
 * The limit: a bare Fastify server (the same Fastify the sandbox runs on) answering the benchmark's two
 * routes as the sandbox does, with no work behind them: the most a Node HTTP server can do here.
 *
 *   node dist/bench/bare-fastify.js --port <n> --status-body '<getStatus JSON>' --message-id <id>
 */
import Fastify from 'fastify';
import { parse as parseQueryString } from 'node:querystring';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { port: { type: 'string' }, 'status-body': { type: 'string' }, 'message-id': { type: 'string' } },
});
const statusReport: unknown = JSON.parse(values['status-body'] ?? '{}');
const messageId = values['message-id'] ?? '80000000';

const app = Fastify({ logger: false });
// sendMessage bodies are forms, which Fastify does not parse by itself.
app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
  done(null, parseQueryString(body as string));
});
app.get('/wamessenger/getStatus/:apikey', async () => statusReport);
app.post('/wamessenger/sendMessage/:apikey', async (_request, reply) => {
  reply.type('text/plain; charset=utf-8');
  return messageId;
});

await app.listen({ port: Number(values.port ?? 0), host: '127.0.0.1' });
process.once('SIGTERM', () => void app.close().then(() => process.exit(0)));
