import request from 'supertest';
import { make } from '../apps/sandbox/src/probe.js';

test('nest on fastify under ESM jest', async () => {
  const app = await make();
  const res = await request(app.getHttpServer()).get('/x');
  expect(res.body).toEqual({ name: 'engine' });
  await app.close();
});
