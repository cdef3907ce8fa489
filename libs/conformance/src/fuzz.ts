import { Agent, request as httpRequest } from 'node:http';
import { deref, resolvePointer, type Contract, type Operation } from './contract.js';

/**
 * A contract-driven fuzzer: for every operation of a contract it sends malformed requests (wrong types,
 * huge and unicode strings, nested arrays, wrong content types, broken JSON and multipart, bad
 * escapes, long segments, missing or garbage credentials) and checks each answer: never a 5xx, never
 * a hang, and always a response the contract declares for the route (status, content type and body
 * schema; an unlisted route its `x-unknown-route` answer).
 *
 * Requests are made from a seeded generator, so a seed gives the same requests every run and a
 * finding can be replayed.
 */

export interface FuzzOptions {
  contract: Contract;
  /** The parsed OpenAPI document behind `contract`: parameters and request bodies are read from it. */
  document: unknown;
  /** The provider's base url, e.g. http://127.0.0.1:4000/wamm. */
  baseUrl: string;
  requestsPerOperation?: number;
  seed?: number;
  /** An answer not complete by then is a hang. */
  timeoutMs?: number;
  /** Valid credentials, sent with most requests so they reach the provider's validation. */
  headers?: Record<string, string>;
  /** Valid values of path parameters, by name (`apikey`, `product_id`…). */
  pathValues?: Record<string, string>;
  /** Requests in flight at once. */
  concurrency?: number;
}

export interface FuzzRequest {
  method: string;
  /** The request target after the base url's path, written as sent (escapes and raw bytes kept). */
  target: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** What was broken, for the report. */
  mutation: string;
}

export interface FuzzFinding {
  operationId: string;
  mutation: string;
  request: string;
  problem: string;
}

export interface FuzzReport {
  sent: number;
  /** Answers by status, over every operation. */
  statuses: Record<string, number>;
  findings: FuzzFinding[];
  durationMs: number;
  /** The slowest answer, to see how close anything came to a hang. */
  slowest: { ms: number; operationId: string; request: string } | undefined;
}

const DEFAULTS = { requestsPerOperation: 200, seed: 1, timeoutMs: 10_000, concurrency: 8 };

export async function fuzz(options: FuzzOptions): Promise<FuzzReport> {
  const settings = { ...DEFAULTS, ...withoutUndefined(options) };
  const base = new URL(settings.baseUrl);
  const basePath = base.pathname.replace(/\/$/, '');
  const agent = new Agent({ keepAlive: true, maxSockets: settings.concurrency });
  const report: FuzzReport = { sent: 0, statuses: {}, findings: [], durationMs: 0, slowest: undefined };
  const started = performance.now();
  try {
    for (const operation of settings.contract.operations) {
      const generator = new RequestGenerator(settings, operation, new Random(settings.seed ^ hash(operation.operationId)));
      const requests = Array.from({ length: settings.requestsPerOperation }, (_, i) => generator.next(i));
      await inParallel(requests, settings.concurrency, async (fuzzRequest) => {
        const finding = await check(settings, base, basePath, agent, operation, fuzzRequest, report);
        if (finding) report.findings.push(finding);
      });
    }
  } finally {
    agent.destroy();
  }
  report.durationMs = Math.round(performance.now() - started);
  return report;
}

async function check(
  settings: FuzzOptions & typeof DEFAULTS,
  base: URL,
  basePath: string,
  agent: Agent,
  operation: Operation,
  fuzzRequest: FuzzRequest,
  report: FuzzReport,
): Promise<FuzzFinding | undefined> {
  const finding = (problem: string): FuzzFinding => ({
    operationId: operation.operationId,
    mutation: fuzzRequest.mutation,
    request: describeRequest(fuzzRequest),
    problem,
  });
  let response: RawAnswer;
  const started = performance.now();
  try {
    response = await send(base, basePath + fuzzRequest.target, fuzzRequest, agent, settings.timeoutMs);
  } catch (error) {
    return finding((error as Error).message);
  } finally {
    report.sent++;
    const ms = Math.round(performance.now() - started);
    if (ms > (report.slowest?.ms ?? -1)) report.slowest = { ms, operationId: operation.operationId, request: describeRequest(fuzzRequest) };
  }
  report.statuses[response.status] = (report.statuses[response.status] ?? 0) + 1;
  if (response.status >= 500) return finding(`answered ${response.status}: ${preview(response.body)}`);
  // A broken path may no longer name the operation (an empty segment, a slash in a value): the answer
  // is then right if it is what the route it now names, the operation meant, or an unlisted route answers.
  const route = settings.contract.match(fuzzRequest.method, pathOnly(fuzzRequest.target));
  const candidates = route ? [...new Set([route.operation, operation])] : [operation, undefined];
  const validations = candidates.map((candidate) => settings.contract.validateResponse(candidate, response));
  if (!validations.some((validation) => validation.ok)) {
    const first = validations[0]!;
    const where = route ? route.operation.operationId : `an unknown route (meant: ${operation.operationId})`;
    return finding(
      `${response.status} ${response.contentType ?? '(no type)'} is not what the contract declares for ${where}: ${first.errors.join('; ')}; body ${preview(response.body)}`,
    );
  }
  return undefined;
}

interface RawAnswer {
  status: number;
  contentType: string | null;
  body: string;
}

function send(base: URL, path: string, fuzzRequest: FuzzRequest, agent: Agent, timeoutMs: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const headers = { ...fuzzRequest.headers };
    if (fuzzRequest.body) headers['content-length'] = String(fuzzRequest.body.length);
    const outgoing = httpRequest({ host: base.hostname, port: base.port, method: fuzzRequest.method, path, headers, agent }, (incoming) => {
      const chunks: Buffer[] = [];
      incoming.on('data', (chunk: Buffer) => chunks.push(chunk));
      incoming.on('end', () => {
        clearTimeout(timer);
        resolve({ status: incoming.statusCode ?? 0, contentType: incoming.headers['content-type'] ?? null, body: Buffer.concat(chunks).toString('utf8') });
      });
      incoming.on('error', fail);
    });
    const timer = setTimeout(() => {
      outgoing.destroy();
      reject(new Error(`no complete answer within ${timeoutMs} ms (a hang)`));
    }, timeoutMs);
    function fail(error: Error): void {
      clearTimeout(timer);
      reject(new Error(`the connection failed: ${error.message}`));
    }
    outgoing.on('error', fail);
    outgoing.end(fuzzRequest.body);
  });
}

// ---------------------------------------------------------------------------------------------------
// Generating requests

/** Strings that break naive parsing: empty, numbers as text, markup, control bytes, unicode, sheer size. */
const NASTY_STRINGS = [
  '',
  ' ',
  '0',
  '-1',
  '1e309',
  'NaN',
  'null',
  'true',
  '[]',
  '{}',
  '<a href="x">',
  "'; DROP TABLE messages; --",
  '\u0000',
  '\r\n\r\n',
  '../../etc/passwd',
  '%s%n',
  'ж'.repeat(300),
  '😀'.repeat(2000),
  '\u202e\u0301\ufeff',
  'a'.repeat(100_000),
  '9'.repeat(40),
  '+98 (912) 123-45-67',
  'http://127.0.0.1:1/refused.jpg',
];

/** Values of the wrong JSON type for any field. */
const WRONG_TYPES: unknown[] = [
  123,
  -1,
  1.5,
  1e308,
  true,
  false,
  null,
  [],
  [[[]]],
  {},
  { a: { b: { c: [1, { d: null }] } } },
  ['x', 1, null, { y: [] }],
  nestedArrays(64),
  Array.from({ length: 5_000 }, (_, i) => i),
];

const BAD_ESCAPES = ['%', '%zz', '%E0%A4%A', '%C0%AF', '%FF%FE', '%00', '%%41', '%u0041'];

const BAD_CONTENT_TYPES = [
  'text/xml',
  'application/octet-stream',
  'image/png',
  'multipart/form-data',
  'multipart/form-data; boundary=',
  'application/json; charset=klingon',
  ';;;',
  'application/x-www-form-urlencoded; charset=utf-7',
  'text/plain',
  '',
];

type Mutation = (generator: RequestGenerator) => FuzzRequest;

/** Every kind of breakage, taken in turn so that each operation meets each of them. */
const MUTATIONS: Array<[name: string, mutate: Mutation]> = [
  ['a nasty path parameter', (g) => g.request({ path: { [g.pick(g.pathParams, 'id')]: g.pick(NASTY_STRINGS).slice(0, 4_000) } })],
  ['nasty query values', (g) => g.request({ query: g.queryPairs((name) => [[name, g.pick(NASTY_STRINGS)]]) })],
  [
    'query arrays and nesting',
    (g) =>
      g.request({
        query: g.queryPairs((name) => [
          [`${name}[]`, '1'],
          [`${name}[]`, '2'],
          [`${name}[a][b][c]`, 'x'],
        ]),
      }),
  ],
  [
    'raw UTF-8 in the query',
    (g) =>
      g.request({
        rawQuery: g
          .queryNames()
          .map((name) => `${name}=${rawUtf8('привет+мир+😀')}`)
          .join('&'),
      }),
  ],
  [
    'bad percent-escapes',
    (g) =>
      g.request({
        path: { [g.pick(g.pathParams, 'id')]: g.pick(BAD_ESCAPES) },
        rawQuery: g
          .queryNames()
          .map((name) => `${name}=${g.pick(BAD_ESCAPES)}`)
          .join('&'),
      }),
  ],
  ['a long path segment', (g) => g.request({ path: { [g.pick(g.pathParams, 'id')]: 'x'.repeat(g.int(100, 20_000)) } })],
  ['JSON of the wrong types', (g) => g.request({ json: g.fields(() => g.pick(WRONG_TYPES)) })],
  ['JSON with huge and unicode strings', (g) => g.request({ json: g.fields(() => g.pick(NASTY_STRINGS)) })],
  [
    'broken JSON',
    (g) =>
      g.request({
        raw: g.pick(['{', '{"a":', '{"a":"b"', '[1,2', '{"a":1}}', 'nul', '{"__proto__":{"x":1}}', '\ufeff{}', '{"a":"\\ud800"}']),
        contentType: 'application/json',
      }),
  ],
  ['JSON that is not an object', (g) => g.request({ raw: g.pick(['[]', '"text"', '42', 'null', 'true', '[{"a":1}]']), contentType: 'application/json' })],
  [
    'a form with nested arrays',
    (g) =>
      g.request({
        form: g
          .fields(() => '1')
          .flatMap(([name]) => [
            [`${name}[]`, 'a'],
            [`${name}[0][1][2]`, 'b'],
            [`${name}[x]`, g.pick(NASTY_STRINGS)],
          ]),
      }),
  ],
  [
    'a form with a huge array',
    (g) => g.request({ form: Array.from({ length: g.int(1_000, 20_000) }, (_, i) => [`${g.pick(g.fieldNames, 'phone')}[]`, `98912${i}`] as [string, string]) }),
  ],
  [
    'broken multipart',
    (g) =>
      g.request({
        raw: g.pick([
          '--X\r\nContent-Disposition: form-data; name="a"\r\n\r\n1',
          '--X\r\n\r\n--X--',
          'no boundary at all',
          `--X\r\nContent-Disposition: form-data; name="a"; filename="f"\r\n\r\n${'z'.repeat(5_000)}`,
        ]),
        contentType: g.pick(['multipart/form-data; boundary=X', 'multipart/form-data; boundary=Y', 'multipart/form-data']),
      }),
  ],
  ['multipart with files where fields go', (g) => g.request({ multipart: g.fieldNames.map((name) => ({ name, file: g.randomBytes(g.int(0, 4_096)) })) })],
  [
    'a wrong content type',
    (g) => g.request({ raw: JSON.stringify(Object.fromEntries(g.fields(() => g.pick(NASTY_STRINGS).slice(0, 200)))), contentType: g.pick(BAD_CONTENT_TYPES) }),
  ],
  ['no credentials', (g) => g.request({ credentials: 'none' })],
  ['garbage credentials', (g) => g.request({ credentials: g.pick(['Bearer', 'Bearer x.y.z', 'Key', 'Basic Og==', 'ж', 'a'.repeat(8_000)]) })],
];

interface RequestShape {
  path?: Record<string, string>;
  query?: Array<[string, string]>;
  rawQuery?: string;
  json?: Array<[string, unknown]>;
  form?: Array<[string, string]>;
  multipart?: Array<{ name: string; file?: Buffer; value?: string }>;
  raw?: string;
  contentType?: string;
  /** 'valid' (the default), 'none', or a garbage value for every credential header. */
  credentials?: string;
}

class RequestGenerator {
  readonly pathParams: string[];
  readonly fieldNames: string[];
  private readonly queryParams: string[];
  private mutation = '';

  constructor(
    private readonly settings: FuzzOptions,
    private readonly operation: Operation,
    private readonly random: Random,
  ) {
    this.pathParams = operation.paramNames;
    const declared = declaredParameters(settings.document, operation);
    this.queryParams = declared.filter((p) => p.in === 'query').map((p) => p.name);
    this.fieldNames = bodyFieldNames(settings.document, operation);
  }

  next(index: number): FuzzRequest {
    const [name, mutate] = MUTATIONS[index % MUTATIONS.length]!;
    this.mutation = name;
    return mutate(this);
  }

  pick<T>(items: readonly T[], fallback?: T): T {
    if (items.length === 0) return fallback as T;
    return items[this.random.below(items.length)]!;
  }

  int(min: number, max: number): number {
    return min + this.random.below(max - min + 1);
  }

  randomBytes(length: number): Buffer {
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = this.random.below(256);
    return bytes;
  }

  /** The body's declared fields (and one undeclared), each with a value from `value`. */
  fields(value: () => unknown): Array<[string, unknown]> {
    return [...this.fieldNames, 'undeclared'].map((name) => [name, value()] as [string, unknown]);
  }

  queryNames(): string[] {
    return this.queryParams.length > 0 ? this.queryParams : ['q'];
  }

  queryPairs(pairs: (name: string) => Array<[string, string]>): Array<[string, string]> {
    return this.queryNames().flatMap(pairs);
  }

  request(shape: RequestShape): FuzzRequest {
    const values = { ...this.validPathValues(), ...shape.path };
    const path = this.operation.path.replace(/\{([^}]+)\}/g, (_, name: string) => {
      const value = values[name] ?? 'x';
      // Path values given raw (bad escapes) stay as written; others are encoded as a client would.
      return shape.path && name in shape.path && (BAD_ESCAPES.includes(value) || value.length > 4_000) ? value : encodeURIComponent(value);
    });
    const query = shape.rawQuery ?? (shape.query ?? []).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
    const headers = this.credentialHeaders(shape.credentials ?? 'valid');
    let body: Buffer | undefined;
    if (shape.json) {
      body = Buffer.from(JSON.stringify(Object.fromEntries(shape.json)));
      headers['content-type'] = 'application/json';
    } else if (shape.form) {
      body = Buffer.from(shape.form.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&'));
      headers['content-type'] = 'application/x-www-form-urlencoded';
    } else if (shape.multipart) {
      const boundary = `fuzz${this.random.below(1e9)}`;
      body = multipart(boundary, shape.multipart);
      headers['content-type'] = `multipart/form-data; boundary=${boundary}`;
    } else if (shape.raw !== undefined) {
      body = Buffer.from(shape.raw);
      if (shape.contentType) headers['content-type'] = shape.contentType;
    }
    // A body goes with any method: GET bodies must be ignored, not choked on.
    return { method: this.operation.method, target: query === '' ? path : `${path}?${query}`, headers, body, mutation: this.mutation };
  }

  private validPathValues(): Record<string, string> {
    const values: Record<string, string> = {};
    for (const name of this.pathParams) values[name] = this.settings.pathValues?.[name] ?? '1';
    return values;
  }

  private credentialHeaders(credentials: string): Record<string, string> {
    const valid = this.settings.headers ?? {};
    if (credentials === 'valid') return { ...valid };
    if (credentials === 'none') return {};
    const names = Object.keys(valid).length > 0 ? Object.keys(valid) : ['authorization'];
    return Object.fromEntries(names.map((name) => [name, headerSafe(credentials)]));
  }
}

function multipart(boundary: string, parts: NonNullable<RequestShape['multipart']>): Buffer {
  const chunks: Buffer[] = [];
  for (const part of parts) {
    const disposition = part.file ? `form-data; name="${part.name}"; filename="${part.name}.bin"` : `form-data; name="${part.name}"`;
    chunks.push(Buffer.from(`--${boundary}\r\nContent-Disposition: ${disposition}\r\nContent-Type: application/octet-stream\r\n\r\n`));
    chunks.push(part.file ?? Buffer.from(part.value ?? ''));
    chunks.push(Buffer.from('\r\n'));
  }
  chunks.push(Buffer.from(`--${boundary}--\r\n`));
  return Buffer.concat(chunks);
}

interface DeclaredParameter {
  name: string;
  in: string;
}

function declaredParameters(document: unknown, operation: Operation): DeclaredParameter[] {
  // The operation's pointer is where it lives (references already followed): its path item is its parent.
  const pathItem = asObject(resolvePointer(document, operation.pointer.replace(/\/[a-z]+$/, '')));
  const op = asObject(resolvePointer(document, operation.pointer));
  const lists = [pathItem?.parameters, op?.parameters];
  const found: DeclaredParameter[] = [];
  for (const list of lists) {
    if (!Array.isArray(list)) continue;
    for (const entry of list) {
      const parameter = asObject(deref(document, entry, operation.pointer).node);
      if (parameter && typeof parameter.name === 'string' && typeof parameter.in === 'string') found.push({ name: parameter.name, in: parameter.in });
    }
  }
  return found;
}

/** The property names of the operation's request body schemas, in every media type. */
function bodyFieldNames(document: unknown, operation: Operation): string[] {
  const op = asObject(resolvePointer(document, operation.pointer));
  const body = op?.requestBody === undefined ? undefined : asObject(deref(document, op.requestBody, operation.pointer).node);
  const content = asObject(body?.content);
  const names = new Set<string>();
  const collect = (schemaNode: unknown, depth: number): void => {
    if (depth > 5 || schemaNode === undefined) return;
    const schema = asObject(deref(document, schemaNode, operation.pointer).node);
    if (!schema) return;
    for (const name of Object.keys(asObject(schema.properties) ?? {})) names.add(name);
    for (const key of ['allOf', 'oneOf', 'anyOf']) {
      const list = schema[key];
      if (Array.isArray(list)) for (const item of list) collect(item, depth + 1);
    }
  };
  for (const media of Object.values(content ?? {})) collect(asObject(media)?.schema, 0);
  return [...names];
}

function asObject(value: unknown): Record<string, unknown> | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

// ---------------------------------------------------------------------------------------------------
// Small helpers

/** mulberry32: small, fast, and the same sequence for a seed everywhere. */
class Random {
  constructor(private state: number) {}

  below(limit: number): number {
    this.state = (this.state + 0x6d2b79f5) | 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return Math.floor((((t ^ (t >>> 14)) >>> 0) / 4_294_967_296) * limit);
  }
}

function withoutUndefined<T extends object>(options: T): T {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as T;
}

function hash(text: string): number {
  let h = 2_166_136_261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16_777_619);
  return h >>> 0;
}

function nestedArrays(depth: number): unknown {
  let value: unknown = [];
  for (let i = 0; i < depth; i++) value = [value];
  return value;
}

/** UTF-8 bytes as a latin-1 string: Node writes a request's path as latin-1, so the bytes go out raw. */
function rawUtf8(text: string): string {
  return Buffer.from(text, 'utf8').toString('latin1');
}

function headerSafe(text: string): string {
  return Buffer.from(text, 'utf8')
    .toString('latin1')
    .replace(/[\r\n]/g, ' ');
}

function pathOnly(target: string): string {
  const query = target.indexOf('?');
  return query === -1 ? target : target.slice(0, query);
}

function preview(text: string, max = 160): string {
  return JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
}

function describeRequest(request: FuzzRequest): string {
  const type = request.headers['content-type'];
  // The target holds raw bytes as latin-1 (see rawUtf8): shown as the UTF-8 they are.
  const target = Buffer.from(request.target, 'latin1').toString('utf8');
  const body = request.body ? ` body ${preview(request.body.toString('latin1'), 120)}` : '';
  return `${request.method} ${target.length > 200 ? `${target.slice(0, 200)}…` : target}${type === undefined ? '' : ` (${type})`}${body}`;
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await work(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}
