import { routeMatches } from './api-chaos.js';

describe('routeMatches', () => {
  it.each([
    ['POST /*/sendMessage', 'POST', '/maytapi/api/p/1/sendMessage', true],
    ['POST /*/sendMessage', 'POST', '/wamessenger/sendMessage/KEY', false],
    ['POST /wamessenger/sendMessage/*', 'post', '/wamessenger/sendMessage/KEY', true],
    ['GET /wamessenger/sendMessage/*', 'POST', '/wamessenger/sendMessage/KEY', false],
    ['* /wamm/api2/msg_to/*', 'GET', '/wamm/api2/msg_to/token/', true],
    ['GET /devino/*', 'GET', '/devinoX/whatsapp', false],
    ['GET /a.b/(x)', 'GET', '/a.b/(x)', true],
    ['GET /a.b/(x)', 'GET', '/aXb/(x)', false],
  ])('%s matches %s %s: %s', (route, method, path, expected) => {
    expect(routeMatches(route, method, path)).toBe(expected);
  });
});
