import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { parse } from 'yaml';
import { Ajv2020 } from 'ajv/dist/2020.js';
import type { ErrorObject, ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';

// ajv-formats is CommonJS: under NodeNext the default import is module.exports, whose `default` is the plugin.
const addFormats = addFormatsModule.default;

const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const;
// Ajv resolves `<DOC_ID>#/json/pointer` into the document registered under DOC_ID, so every schema
// keeps its `#/components/...` references intact instead of being copied (and recursion still works).
const DOC_ID = 'urn:wa-conformance:contract';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type JsonObject = { [key: string]: Json };

export interface MediaSpec {
  /** The media type as declared, e.g. `text/plain`. */
  mediaType: string;
  /** JSON pointer of the schema, if the media type declares one. */
  schemaPointer?: string;
  validate?: ValidateFunction;
}

export interface ResponseSpec {
  /** The key it is declared under: `200`, `4XX` or `default`. */
  status: string;
  pointer: string;
  description: string;
  inferred: boolean;
  /** Undefined when the response declares no body. */
  media?: MediaSpec[];
}

export interface Operation {
  operationId: string;
  method: string;
  /** The path template, e.g. `/getStatus/{apikey}`. */
  path: string;
  pointer: string;
  inferred: boolean;
  responses: ResponseSpec[];
  matcher: RegExp;
  paramNames: string[];
  literalSegments: number;
}

export interface WebhookSpec {
  name: string;
  media: MediaSpec[];
}

export interface RouteMatch {
  operation: Operation;
  params: Record<string, string>;
}

export interface ResponseLike {
  status: number;
  contentType: string | null;
  body: string;
}

export interface ValidationResult {
  ok: boolean;
  errors: string[];
  /** The essence of the response's content type (`text/plain`), or null when it had none. */
  mediaType: string | null;
  response?: ResponseSpec;
}

export class Contract {
  private constructor(
    readonly file: string,
    readonly title: string,
    readonly servers: string[],
    readonly operations: Operation[],
    readonly webhooks: WebhookSpec[],
    /** Declared by the top-level `x-unknown-route` response: what any unlisted route answers. */
    readonly unknownRoute: ResponseSpec | undefined,
  ) {}

  /** Builds a contract from an already parsed OpenAPI 3.1 document; throws on unresolved `$ref`s or bad schemas. */
  static fromDocument(document: unknown, file = '<memory>'): Contract {
    if (!isObject(document)) throw new Error(`${file}: not an OpenAPI document (expected an object)`);
    const doc = document;
    if (typeof doc.openapi !== 'string' || !doc.openapi.startsWith('3.1')) {
      throw new Error(`${file}: expected openapi 3.1.x, got ${JSON.stringify(doc.openapi)}`);
    }
    const unresolved = findUnresolvedRefs(doc);
    if (unresolved.length > 0) throw new Error(`${file}: unresolved $ref: ${unresolved.join('; ')}`);

    const ajv = new Ajv2020({ strict: false, allErrors: true });
    addFormats(ajv);
    ajv.addSchema(doc, DOC_ID, undefined, false);
    const compile = (pointer: string): ValidateFunction => {
      const schema = resolvePointer(doc, pointer);
      if (!ajv.validateSchema(schema as object)) {
        throw new Error(`${file}: invalid schema at ${pointer}: ${ajv.errorsText(ajv.errors)}`);
      }
      const validate = ajv.getSchema(`${DOC_ID}#${encodePointerForUri(pointer)}`);
      if (!validate) throw new Error(`${file}: cannot compile the schema at ${pointer}`);
      return validate;
    };
    const readMedia = (content: Json | undefined, at: string): MediaSpec[] | undefined => {
      if (content === undefined) return undefined;
      const c = deref(doc, content, at);
      if (!isObject(c.node)) throw new Error(`${file}: ${c.pointer} is not a content map`);
      return Object.entries(c.node).map(([mediaType, value]) => {
        const m = deref(doc, value, `${c.pointer}/${escapeToken(mediaType)}`);
        if (!isObject(m.node) || m.node.schema === undefined) return { mediaType };
        const schemaPointer = `${m.pointer}/schema`;
        return { mediaType, schemaPointer, validate: compile(schemaPointer) };
      });
    };
    const readResponse = (status: string, value: Json, at: string): ResponseSpec => {
      const r = deref(doc, value, at);
      if (!isObject(r.node)) throw new Error(`${file}: ${r.pointer} is not a response`);
      return {
        status,
        pointer: r.pointer,
        description: typeof r.node.description === 'string' ? r.node.description : '',
        inferred: r.node['x-inferred'] === true,
        media: readMedia(r.node.content, `${r.pointer}/content`),
      };
    };

    const operations: Operation[] = [];
    const paths = isObject(doc.paths) ? doc.paths : {};
    for (const [path, itemValue] of Object.entries(paths)) {
      const item = deref(doc, itemValue, `/paths/${escapeToken(path)}`);
      if (!isObject(item.node)) continue;
      for (const method of HTTP_METHODS) {
        const opValue = item.node[method];
        if (!isObject(opValue)) continue;
        const pointer = `${item.pointer}/${method}`;
        if (typeof opValue.operationId !== 'string') throw new Error(`${file}: ${pointer} has no operationId`);
        const responses = isObject(opValue.responses) ? opValue.responses : {};
        operations.push({
          operationId: opValue.operationId,
          method: method.toUpperCase(),
          path,
          pointer,
          inferred: opValue['x-inferred'] === true,
          responses: Object.entries(responses).map(([status, r]) => readResponse(status, r, `${pointer}/responses/${escapeToken(status)}`)),
          ...compileTemplate(path),
        });
      }
    }
    // A concrete path wins over a templated one that also matches (OpenAPI's path matching rule).
    operations.sort((a, b) => b.literalSegments - a.literalSegments);

    const webhooks: WebhookSpec[] = [];
    const hooks = isObject(doc.webhooks) ? doc.webhooks : {};
    for (const [name, itemValue] of Object.entries(hooks)) {
      const item = deref(doc, itemValue, `/webhooks/${escapeToken(name)}`);
      if (!isObject(item.node) || !isObject(item.node.post)) continue;
      const body = item.node.post.requestBody;
      if (body === undefined) continue;
      const b = deref(doc, body, `${item.pointer}/post/requestBody`);
      if (!isObject(b.node)) continue;
      webhooks.push({ name, media: readMedia(b.node.content, `${b.pointer}/content`) ?? [] });
    }

    for (const pointer of otherSchemaPointers(doc)) compile(pointer);

    const info = isObject(doc.info) ? doc.info : {};
    const servers = Array.isArray(doc.servers) ? doc.servers.flatMap((s) => (isObject(s) && typeof s.url === 'string' ? [s.url] : [])) : [];
    const unknownRoute = doc['x-unknown-route'] === undefined ? undefined : readResponse('404', doc['x-unknown-route'], '/x-unknown-route');
    return new Contract(file, typeof info.title === 'string' ? info.title : file, servers, operations, webhooks, unknownRoute);
  }

  operation(operationId: string): Operation | undefined {
    return this.operations.find((o) => o.operationId === operationId);
  }

  /** Finds the operation for a method and a concrete path relative to the server base (query ignored). */
  match(method: string, path: string): RouteMatch | undefined {
    const bare = path.split('?')[0] ?? '';
    const upper = method.toUpperCase();
    for (const operation of this.operations) {
      if (operation.method !== upper) continue;
      const m = operation.matcher.exec(bare);
      if (!m) continue;
      const params: Record<string, string> = {};
      operation.paramNames.forEach((name, i) => {
        params[name] = safeDecode(m[i + 1] ?? '');
      });
      return { operation, params };
    }
    return undefined;
  }

  /**
   * Checks a response against an operation (or, with no operation, against `x-unknown-route`):
   * the status must be declared, the content type must match a declared media type by essence,
   * and the body must satisfy that media type's schema (JSON types parsed, text types as the raw string).
   */
  validateResponse(operation: Operation | undefined, res: ResponseLike): ValidationResult {
    const mediaType = res.contentType === null ? null : essence(res.contentType);
    let response: ResponseSpec | undefined;
    if (operation) {
      response = findResponse(operation.responses, res.status);
      if (!response) {
        const declared = operation.responses.map((r) => r.status).join(', ');
        return { ok: false, mediaType, errors: [`status ${res.status} is not declared (declared: ${declared})`] };
      }
    } else {
      if (!this.unknownRoute) {
        return { ok: false, mediaType, errors: ['no operation matches this route and the contract declares no x-unknown-route response'] };
      }
      response = this.unknownRoute;
      if (res.status !== Number(response.status)) {
        return { ok: false, mediaType, response, errors: [`status ${res.status}: an unknown route must answer ${response.status}`] };
      }
    }
    return { ...checkBody(response.media, mediaType, res.body), mediaType, response };
  }

  /** Checks a payload the target posted to a webhook receiver against `webhooks.<name>`. */
  validateWebhook(name: string, contentType: string | null, body: string): ValidationResult {
    const mediaType = contentType === null ? null : essence(contentType);
    const hook = this.webhooks.find((w) => w.name === name);
    if (!hook) return { ok: false, mediaType, errors: [`the contract declares no webhook named ${name}`] };
    return { ...checkBody(hook.media, mediaType, body), mediaType };
  }
}

export async function loadContract(file: string): Promise<Contract> {
  const path = resolve(file);
  const text = await readFile(path, 'utf8');
  let document: unknown;
  try {
    document = parse(text);
  } catch (err) {
    throw new Error(`${path}: not valid YAML/JSON: ${(err as Error).message}`);
  }
  return Contract.fromDocument(document, path);
}

/** `text/plain; charset=utf-8` → `text/plain`. */
export function essence(contentType: string): string {
  return (contentType.split(';')[0] ?? '').trim().toLowerCase();
}

export function isJsonMediaType(mediaType: string): boolean {
  const e = essence(mediaType);
  return e === 'application/json' || e.endsWith('+json');
}

/** Resolves a local JSON pointer (`/components/schemas/X` or `#/components/schemas/X`). */
export function resolvePointer(doc: unknown, pointer: string): unknown {
  const p = pointer.startsWith('#') ? pointer.slice(1) : pointer;
  if (p === '') return doc;
  if (!p.startsWith('/')) return undefined;
  let node: unknown = doc;
  for (const raw of p.slice(1).split('/')) {
    const token = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(node)) node = node[Number(token)];
    else if (isObject(node)) node = Object.hasOwn(node, token) ? node[token] : undefined;
    else return undefined;
    if (node === undefined) return undefined;
  }
  return node;
}

/** Follows `$ref` chains from a node; returns the target and where it lives. */
export function deref(doc: unknown, node: unknown, pointer: string): { node: Json; pointer: string } {
  const seen = new Set<string>();
  let current = node as Json;
  let at = pointer;
  while (isObject(current) && typeof current.$ref === 'string') {
    const ref = current.$ref;
    if (!ref.startsWith('#')) throw new Error(`only local $refs are supported, got ${ref} at ${at}`);
    if (seen.has(ref)) throw new Error(`$ref loop at ${at}: ${[...seen, ref].join(' → ')}`);
    seen.add(ref);
    at = safeDecode(ref.slice(1));
    const target = resolvePointer(doc, at);
    if (target === undefined) throw new Error(`unresolved $ref ${ref} at ${at}`);
    current = target as Json;
  }
  return { node: current, pointer: at };
}

function findUnresolvedRefs(doc: JsonObject): string[] {
  const bad: string[] = [];
  const walk = (node: Json, at: string): void => {
    if (Array.isArray(node)) {
      for (const [i, v] of node.entries()) walk(v, `${at}/${i}`);
      return;
    }
    if (!isObject(node)) return;
    for (const [k, v] of Object.entries(node)) {
      if (k === '$ref' && typeof v === 'string') {
        if (!v.startsWith('#')) bad.push(`${v} at ${at} (only local references are supported)`);
        else if (resolvePointer(doc, safeDecode(v)) === undefined) bad.push(`${v} at ${at}`);
      } else {
        walk(v, `${at}/${escapeToken(k)}`);
      }
    }
  };
  walk(doc, '');
  return bad;
}

/** Schemas not reached through responses or webhooks, compiled at load so a broken one fails early. */
function otherSchemaPointers(doc: JsonObject): string[] {
  const pointers: string[] = [];
  const components = isObject(doc.components) ? doc.components : {};
  const schemas = isObject(components.schemas) ? components.schemas : {};
  for (const name of Object.keys(schemas)) pointers.push(`/components/schemas/${escapeToken(name)}`);
  const withSchema = (node: Json | undefined, at: string): void => {
    if (isObject(node) && node.$ref === undefined && node.schema !== undefined) pointers.push(`${at}/schema`);
  };
  for (const section of ['parameters', 'headers'] as const) {
    const group = components[section];
    if (isObject(group)) for (const [name, v] of Object.entries(group)) withSchema(v, `/components/${section}/${escapeToken(name)}`);
  }
  const paths = isObject(doc.paths) ? doc.paths : {};
  for (const [path, item] of Object.entries(paths)) {
    if (!isObject(item)) continue;
    const itemAt = `/paths/${escapeToken(path)}`;
    const params = (list: Json | undefined, at: string): void => {
      if (Array.isArray(list)) for (const [i, p] of list.entries()) withSchema(p, `${at}/${i}`);
    };
    params(item.parameters, `${itemAt}/parameters`);
    for (const method of HTTP_METHODS) {
      const op = item[method];
      if (!isObject(op)) continue;
      params(op.parameters, `${itemAt}/${method}/parameters`);
      const body = op.requestBody;
      if (isObject(body) && body.$ref === undefined && isObject(body.content)) {
        for (const [mt, media] of Object.entries(body.content)) withSchema(media, `${itemAt}/${method}/requestBody/content/${escapeToken(mt)}`);
      }
    }
  }
  return pointers;
}

function compileTemplate(path: string): Pick<Operation, 'matcher' | 'paramNames' | 'literalSegments'> {
  const paramNames: string[] = [];
  let literalSegments = 0;
  const pattern = path
    .split('/')
    .map((segment) => {
      if (!segment.includes('{')) {
        if (segment !== '') literalSegments++;
        return escapeRegExp(segment);
      }
      return segment
        .split(/(\{[^}]+\})/)
        .map((part) => {
          const m = /^\{([^}]+)\}$/.exec(part);
          if (!m) return escapeRegExp(part);
          paramNames.push(m[1] ?? '');
          return '([^/]+)';
        })
        .join('');
    })
    .join('/');
  return { matcher: new RegExp(`^${pattern}$`), paramNames, literalSegments };
}

function findResponse(responses: ResponseSpec[], status: number): ResponseSpec | undefined {
  const code = String(status);
  return (
    responses.find((r) => r.status === code) ??
    responses.find((r) => r.status.toUpperCase() === `${code[0]}XX`) ??
    responses.find((r) => r.status === 'default')
  );
}

function findMedia(media: MediaSpec[], mediaType: string): MediaSpec | undefined {
  const [type] = mediaType.split('/');
  return (
    media.find((m) => essence(m.mediaType) === mediaType) ??
    media.find((m) => essence(m.mediaType) === `${type}/*`) ??
    media.find((m) => essence(m.mediaType) === '*/*')
  );
}

function checkBody(media: MediaSpec[] | undefined, mediaType: string | null, body: string): { ok: boolean; errors: string[] } {
  if (media === undefined || media.length === 0) {
    return body.length === 0 ? { ok: true, errors: [] } : { ok: false, errors: [`no body is declared, got ${body.length} bytes: ${preview(body)}`] };
  }
  const declared = media.map((m) => m.mediaType).join(', ');
  if (mediaType === null) return { ok: false, errors: [`no Content-Type header (declared: ${declared})`] };
  const spec = findMedia(media, mediaType);
  if (!spec) return { ok: false, errors: [`content type ${mediaType} is not declared (declared: ${declared})`] };
  if (!spec.validate) return { ok: true, errors: [] };
  let instance: unknown;
  if (isJsonMediaType(mediaType)) {
    try {
      instance = JSON.parse(body);
    } catch {
      return { ok: false, errors: [`body is not valid JSON: ${preview(body)}`] };
    }
  } else if (mediaType.startsWith('text/')) {
    instance = body;
  } else {
    // Binary bodies (images, files) are checked by content type only.
    return { ok: true, errors: [] };
  }
  if (spec.validate(instance)) return { ok: true, errors: [] };
  return { ok: false, errors: describeErrors(spec.validate.errors ?? [], instance) };
}

/** Ajv errors as `body/set: must be equal to one of the allowed values ("true","false"); got true (boolean)`. */
export function describeErrors(errors: ErrorObject[], instance: unknown): string[] {
  const lines: string[] = [];
  for (const e of errors) {
    // An `if` failure only says "must match then"; the `then` errors it wraps say what is wrong.
    if (e.keyword === 'if') continue;
    let line = `body${e.instancePath}: ${e.message ?? e.keyword}`;
    const p = e.params as Record<string, unknown>;
    if (e.keyword === 'enum' && Array.isArray(p.allowedValues)) {
      line += ` (${p.allowedValues.map((v) => JSON.stringify(v)).join(',')})`;
    } else if (e.keyword === 'const') {
      line += ` (${JSON.stringify(p.allowedValue)})`;
    } else if (e.keyword === 'additionalProperties' || e.keyword === 'unevaluatedProperties') {
      const extra = String(p.additionalProperty ?? p.unevaluatedProperty);
      line += ` (${extra})`;
    }
    if (!['required', 'additionalProperties', 'unevaluatedProperties', 'dependentRequired'].includes(e.keyword)) {
      line += `; got ${render(valueAt(instance, e.instancePath))}`;
    }
    if (!lines.includes(line)) lines.push(line);
  }
  return lines;
}

/** A value for a report line: `true (boolean)`, `"abc" (string)`, `[…] (array)`. */
export function render(value: unknown): string {
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const text = value === undefined ? 'nothing' : JSON.stringify(value);
  return `${text.length > 80 ? `${text.slice(0, 77)}...` : text} (${kind})`;
}

export function preview(body: string, max = 120): string {
  const text = JSON.stringify(body);
  return text.length > max ? `${text.slice(0, max - 4)}..."` : text;
}

function valueAt(instance: unknown, instancePath: string): unknown {
  if (instancePath === '') return instance;
  return resolvePointer(instance, instancePath);
}

function encodePointerForUri(pointer: string): string {
  return pointer
    .split('/')
    .map((t) => encodeURIComponent(t))
    .join('/');
}

function escapeToken(token: string): string {
  return token.replace(/~/g, '~0').replace(/\//g, '~1');
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

function isObject(v: unknown): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
