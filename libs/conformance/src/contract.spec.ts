import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { Contract, deref, essence, loadContract, resolvePointer } from './contract.js';

const CONTRACT = fileURLToPath(new URL('../../../contracts/wamessenger.openapi.yaml', import.meta.url));

type Node = Record<string, unknown>;
const isNode = (v: unknown): v is Node => typeof v === 'object' && v !== null && !Array.isArray(v);

function walk(node: unknown, visit: (n: Node, at: string) => void, at = ''): void {
  if (Array.isArray(node)) for (const [i, v] of node.entries()) walk(v, visit, `${at}/${i}`);
  else if (isNode(node)) {
    visit(node, at);
    for (const [k, v] of Object.entries(node)) walk(v, visit, `${at}/${k}`);
  }
}

/** A tiny contract for the machinery: one templated and one concrete path, a $ref'd response. */
const mini = {
  openapi: '3.1.0',
  info: { title: 'mini', version: '1' },
  paths: {
    '/items/{id}': {
      get: { operationId: 'getItem', responses: { '200': { $ref: '#/components/responses/Item' }, '4XX': { description: 'error' } } },
    },
    '/items/special': {
      get: { operationId: 'getSpecial', responses: { default: { description: 'anything', content: { '*/*': {} } } } },
    },
    '/a/{x}/b/{y}.json': {
      post: { operationId: 'twoParams', responses: { '204': { description: 'no body' } } },
    },
  },
  components: {
    responses: {
      Item: { description: 'an item', content: { 'application/json': { schema: { $ref: '#/components/schemas/Item' } } } },
    },
    schemas: {
      Item: { type: 'object', additionalProperties: false, required: ['flag'], properties: { flag: { $ref: '#/components/schemas/Flag' } } },
      Flag: { type: 'string', enum: ['true', 'false'] },
    },
  },
};

describe('loading the WaMessenger contract', () => {
  let contract: Contract;
  let doc: Node;
  beforeAll(async () => {
    contract = await loadContract(CONTRACT);
    doc = parse(await readFile(CONTRACT, 'utf8')) as Node;
  });

  it('declares every WaMessenger route with its operationId', () => {
    expect(contract.operations.map((o) => `${o.operationId} ${o.method} ${o.path}`).sort()).toEqual([
      'getStatus GET /getStatus/{apikey}',
      'pending GET /pending/{apikey}',
      'receive GET /receive/{apikey}',
      'sendMessage POST /sendMessage/{apikey}',
      'sendSeen GET /sendSeen/{apikey}',
      'showAllGetMessages GET /showAllGetMessages/{apikey}',
      'showAllMessages GET /showAllMessages/{apikey}',
      'webhookPending GET /webhook/pending/{apikey}',
      'webhookRemove GET /webhook/remove/{apikey}',
      'webhookResend GET /webhook/resend/{apikey}',
      'webhookSet GET /webhook/set/{apikey}',
    ]);
    expect(contract.servers).toEqual(['http://localhost:4000/wamessenger', 'https://api.wamessenger.ir']);
    expect(contract.webhooks.map((w) => w.name)).toEqual(['deliveryReport', 'receivedMessage']);
    expect(contract.unknownRoute?.status).toBe('404');
  });

  it('resolves every $ref in the file', () => {
    const refs: string[] = [];
    walk(doc, (n) => {
      if (typeof n.$ref === 'string') refs.push(n.$ref);
    });
    expect(refs.length).toBeGreaterThan(20);
    for (const ref of refs) expect([ref, resolvePointer(doc, ref) !== undefined]).toEqual([ref, true]);
  });

  it('has schemas that all compile in Ajv 2020', () => {
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    ajv.addSchema(doc, 'urn:wa:test', undefined, false);
    const schemas = doc.components as { schemas: Node };
    for (const name of Object.keys(schemas.schemas)) {
      expect([name, typeof ajv.getSchema(`urn:wa:test#/components/schemas/${name}`)]).toEqual([name, 'function']);
    }
  });

  it('gives every inferred item a one-line reason', () => {
    const inferred: string[] = [];
    walk(doc, (n, at) => {
      if (n['x-inferred'] === undefined) return;
      inferred.push(at);
      expect([at, n['x-inferred']]).toEqual([at, true]);
      expect(typeof n['x-inferred-why']).toBe('string');
      expect(String(n['x-inferred-why'])).not.toContain('\n');
    });
    expect(inferred).toEqual(
      expect.arrayContaining([
        '/webhooks/deliveryReport/post',
        '/webhooks/receivedMessage/post',
        '/paths//getStatus/{apikey}/get/responses/400',
        '/components/schemas/Phone',
        '/components/parameters/PhonePrefix',
      ]),
    );
  });

  it('accepts every example it shows', () => {
    for (const operation of contract.operations) {
      for (const response of operation.responses) {
        const node = deref(doc, resolvePointer(doc, response.pointer), response.pointer).node as Node;
        for (const [mediaType, media] of Object.entries((node.content ?? {}) as Record<string, Node>)) {
          for (const [name, example] of Object.entries((media.examples ?? {}) as Record<string, { value: unknown }>)) {
            const body = mediaType === 'text/plain' ? String(example.value) : JSON.stringify(example.value);
            const result = contract.validateResponse(operation, { status: Number(response.status), contentType: mediaType, body });
            expect([operation.operationId, response.status, name, result.errors]).toEqual([operation.operationId, response.status, name, []]);
          }
        }
      }
    }
  });
});

describe('$ref resolution', () => {
  it('follows JSON pointers with escaped tokens and chains of $refs', () => {
    const doc = { paths: { '/a/{b}': { x: 1 } }, c: { $ref: '#/d' }, d: { $ref: '#/paths/~1a~1{b}' } };
    expect(resolvePointer(doc, '#/paths/~1a~1{b}/x')).toBe(1);
    expect(resolvePointer(doc, '/nope/x')).toBeUndefined();
    expect(deref(doc, doc.c, '/c')).toEqual({ node: { x: 1 }, pointer: '/paths/~1a~1{b}' });
  });

  it('refuses a contract with a dangling $ref, naming it', () => {
    const broken = structuredClone(mini) as typeof mini;
    broken.components.schemas.Item.properties.flag.$ref = '#/components/schemas/Missing';
    expect(() => Contract.fromDocument(broken, 'broken.yaml')).toThrow(
      /unresolved \$ref: #\/components\/schemas\/Missing at \/components\/schemas\/Item\/properties\/flag/,
    );
  });

  it("validates through a $ref'd response and $ref'd schemas", () => {
    const contract = Contract.fromDocument(mini);
    const op = contract.operation('getItem');
    expect(contract.validateResponse(op, { status: 200, contentType: 'application/json', body: '{"flag":"true"}' }).ok).toBe(true);
    expect(contract.validateResponse(op, { status: 200, contentType: 'application/json', body: '{"flag":"true","x":1}' }).errors).toEqual([
      'body: must NOT have additional properties (x)',
    ]);
  });
});

describe('path template matching', () => {
  const contract = Contract.fromDocument(mini);

  it('matches a concrete path and extracts decoded parameters, ignoring the query', () => {
    const m = contract.match('get', '/items/a%2Fb?page=2');
    expect(m?.operation.operationId).toBe('getItem');
    expect(m?.params).toEqual({ id: 'a/b' });
    expect(contract.match('POST', '/a/1/b/two.json')?.params).toEqual({ x: '1', y: 'two' });
  });

  it('prefers a concrete path over a template that also matches', () => {
    expect(contract.match('GET', '/items/special')?.operation.operationId).toBe('getSpecial');
  });

  it('does not match another method, an extra segment or an empty parameter', () => {
    expect(contract.match('POST', '/items/1')).toBeUndefined();
    expect(contract.match('GET', '/items/1/more')).toBeUndefined();
    expect(contract.match('GET', '/items/')).toBeUndefined();
    expect(contract.match('POST', '/a/1/b/two.xml')).toBeUndefined();
  });

  it('finds WaMessenger operations from concrete paths', async () => {
    const wa = await loadContract(CONTRACT);
    expect(wa.match('GET', '/webhook/set/KEY?url=https://test.com')?.operation.operationId).toBe('webhookSet');
    expect(wa.match('GET', '/webhook/set/KEY')?.params).toEqual({ apikey: 'KEY' });
    expect(wa.match('POST', '/sendMessage/KEY')?.operation.operationId).toBe('sendMessage');
    expect(wa.match('GET', '/sendMessage/KEY')).toBeUndefined();
  });
});

describe('response validation', () => {
  let wa: Contract;
  beforeAll(async () => {
    wa = await loadContract(CONTRACT);
  });
  const op = (id: string) => {
    const o = wa.operation(id);
    if (!o) throw new Error(`no operation ${id}`);
    return o;
  };

  it('catches "set": true (a boolean) where the string "true" is declared, showing the value', () => {
    const result = wa.validateResponse(op('webhookSet'), {
      status: 200,
      contentType: 'application/json; charset=utf-8',
      body: JSON.stringify({ set: true, url: 'https://test.com', message: 'Webhook has been set successfully' }),
    });
    expect(result.ok).toBe(false);
    expect(result.errors).toContain('body/set: must be equal to one of the allowed values ("true","false"); got true (boolean)');
    expect(
      wa.validateResponse(op('sendSeen'), { status: 200, contentType: 'application/json', body: '{"set":"true","message":"sendSeen changed to on"}' }).errors,
    ).toEqual(['body/set: must be equal to one of the allowed values ("True","False"); got "true" (string)']);
  });

  it('catches a JSON body where only text/plain is declared', () => {
    const asJson = wa.validateResponse(op('getStatus'), { status: 400, contentType: 'application/json', body: '{"error":"Bad Request"}' });
    expect(asJson.errors).toEqual(['content type application/json is not declared (declared: text/plain)']);
    const jsonText = wa.validateResponse(op('sendMessage'), { status: 200, contentType: 'text/plain', body: '{"id":80379458}' });
    expect(jsonText.errors).toEqual(['body: must match pattern "^[0-9]+$"; got "{\\"id\\":80379458}" (string)']);
  });

  it('accepts plain text by its essence and checks the raw string', () => {
    expect(wa.validateResponse(op('sendMessage'), { status: 200, contentType: 'text/plain; charset=utf-8', body: '80379458' })).toMatchObject({
      ok: true,
      mediaType: 'text/plain',
    });
    expect(wa.validateResponse(op('pending'), { status: 200, contentType: 'TEXT/PLAIN;charset=UTF-8', body: 'No Pending Message' }).ok).toBe(true);
    expect(wa.validateResponse(op('pending'), { status: 200, contentType: 'text/plain', body: 'No pending message' }).errors).toEqual([
      'body: must be equal to constant ("No Pending Message"); got "No pending message" (string)',
    ]);
  });

  it('catches a status code the operation does not declare', () => {
    expect(wa.validateResponse(op('getStatus'), { status: 500, contentType: 'text/plain', body: 'oops' }).errors).toEqual([
      'status 500 is not declared (declared: 200, 400)',
    ]);
  });

  it('matches range and default status keys', () => {
    const mini4 = Contract.fromDocument(mini);
    expect(mini4.validateResponse(mini4.operation('getItem'), { status: 418, contentType: null, body: '' }).ok).toBe(true);
    expect(mini4.validateResponse(mini4.operation('getSpecial'), { status: 503, contentType: 'image/png', body: 'PNG' }).ok).toBe(true);
    expect(mini4.validateResponse(mini4.operation('twoParams'), { status: 204, contentType: null, body: 'x' }).errors).toEqual([
      'no body is declared, got 1 bytes: "x"',
    ]);
  });

  it('catches a wrong or missing content type', () => {
    const body = JSON.stringify({ set: 'true', url: '', message: 'Webhook successfully removed' });
    expect(wa.validateResponse(op('webhookRemove'), { status: 200, contentType: 'application/json', body }).ok).toBe(true);
    expect(wa.validateResponse(op('webhookRemove'), { status: 200, contentType: 'text/html; charset=UTF-8', body }).errors).toEqual([
      'content type text/html is not declared (declared: application/json)',
    ]);
    expect(wa.validateResponse(op('webhookRemove'), { status: 200, contentType: null, body }).errors).toEqual([
      'no Content-Type header (declared: application/json)',
    ]);
    expect(wa.validateResponse(op('webhookRemove'), { status: 200, contentType: 'application/json', body: 'Bad Request' }).errors).toEqual([
      'body is not valid JSON: "Bad Request"',
    ]);
  });

  it('pins the documented quirks', () => {
    const status = {
      status: 'OK',
      statusInfo: 'Message successfully sent',
      id: '80406105',
      phonenumber: '989121234567',
      text: 'test',
      created: '2022-08-29 21:52:05',
      execute: '2022-08-29 21:52:05',
      delivery: 'read',
    };
    const check = (id: string, value: unknown, code = 200) =>
      wa.validateResponse(op(id), { status: code, contentType: 'application/json', body: JSON.stringify(value) }).errors;
    expect(check('getStatus', status)).toEqual([]);
    expect(check('getStatus', { ...status, id: 80406105 })).toEqual(['body/id: must be string; got 80406105 (number)']);
    expect(check('getStatus', { ...status, delivery: 'delivered' })).toContain(
      'body/delivery: must be equal to one of the allowed values ("server","phone","read",""); got "delivered" (string)',
    );
    expect(check('getStatus', { ...status, created: '2022/08/29 21:52:05' })[0]).toMatch(/^body\/created: must match pattern/);
    expect(check('sendMessage', [{ phonenumber: '989121234567', tracking_code: 80461451 }])).toEqual([
      "body/0: must have required property 'tracking_Code'",
      'body/0: must NOT have additional properties (tracking_code)',
    ]);
    expect(check('sendMessage', [{ phonenumber: '989121234567', tracking_Code: '80461451' }])).toEqual([
      'body/0/tracking_Code: must be integer; got "80461451" (string)',
    ]);
    expect(check('showAllMessages', { count: 0, pageCount: 1, page: 'page 1 of 1', data: [] })[0]).toMatch(/^body\/page: must match pattern/);
    expect(check('webhookPending', { pending: '3', hash: 'K', message: 'You have 3 pending messages', url: '' })).toEqual([
      'body/pending: must be integer; got "3" (string)',
    ]);
    expect(
      check('showAllGetMessages', {
        count: 1,
        pageCount: 1,
        page: 'page 1 from 1',
        data: [{ id: '1', type: 'chat', from: '98912', to: '98912', date: '2022-08-29 21:54:18', chat: 'x' }],
      }).some((e) => e.startsWith('body/data/0/date: must match pattern')),
    ).toBe(true);
  });

  it('judges unknown routes by x-unknown-route', () => {
    expect(wa.validateResponse(undefined, { status: 404, contentType: 'text/plain; charset=utf-8', body: 'Not Found' }).ok).toBe(true);
    expect(wa.validateResponse(undefined, { status: 404, contentType: 'application/json', body: '{"message":"Not Found"}' }).ok).toBe(false);
    expect(wa.validateResponse(undefined, { status: 200, contentType: 'text/plain', body: 'Not Found' }).errors).toEqual([
      'status 200: an unknown route must answer 404',
    ]);
  });

  it('validates webhook payloads', () => {
    const event = { type: 'delivery', hash: 'K', id: '80379458', phonenumber: '989121234567', delivery: 3, status: 'read', date: '2022-08-29 21:52:05' };
    expect(wa.validateWebhook('deliveryReport', 'application/json', JSON.stringify(event)).ok).toBe(true);
    expect(wa.validateWebhook('deliveryReport', 'application/json', JSON.stringify({ ...event, status: 'phone' })).errors).toEqual([
      'body/status: must be equal to constant ("read"); got "phone" (string)',
    ]);
    expect(wa.validateWebhook('nope', 'application/json', '{}').errors).toEqual(['the contract declares no webhook named nope']);
  });

  it('reduces a content type to its essence', () => {
    expect(essence(' Text/Plain ; charset=utf-8')).toBe('text/plain');
  });
});
