import { rm } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import fastifyMultipart from '@fastify/multipart';
import { decodeText, looksLikeForm, parseForm, resolveCharset } from './body.form.js';
import { readMultipart } from './body.multipart.js';
import { readLimited } from './body.read.js';
import { BODY_TOO_LARGE, DEFAULT_BODY_PARSING_OPTIONS, isRecord, recordProblem, takeUploads, type BodyParsingOptions, type ParsedBody } from './body.state.js';

// Tested against Fastify's normalised (lower-cased) content type, parameters included.
const JSON_TYPES = /^(?:application|text)\/(?:[^;\s]*\+)?json(?:;|$)/;
const FORM_TYPE = 'application/x-www-form-urlencoded';

// Fastify's own validity rule for a media type: a header failing it is answered 415 before any parser.
const TOKEN = "[\\w!#$%&'*+.^`|~-]+";
const VALID_MEDIA_TYPE = new RegExp(`^\\s*${TOKEN}/${TOKEN}\\s*$`);

/** Content types Fastify would have refused, as the client sent them (see the preParsing hook). */
const invalidContentTypes = new WeakMap<FastifyRequest, string>();

function mediaTypeOf(header: string): string {
  return (header.split(';')[0] ?? '').trim().toLowerCase();
}

function charsetOf(header: string | undefined): string {
  const match = /;\s*charset\s*=\s*"?([^";\s]+)/i.exec(header ?? '');
  return resolveCharset(match?.[1]);
}

/**
 * Registers @fastify/multipart unless it is by the time plugins load: Nest's adapter queues its own
 * registration for `multipart: true` or its upload interceptors. Our limits go with each `parts()`
 * call, so either registration serves. Skips encapsulation (as fastify-plugin does) to act on the root.
 */
const multipartOnce = Object.assign(
  async (instance: FastifyInstance): Promise<void> => {
    if (!instance.hasRequestDecorator('isMultipart')) await instance.register(fastifyMultipart);
  },
  { [Symbol.for('skip-override')]: true },
);

/**
 * Replaces Fastify's body parsing with one that never fails a request: whatever the body, the route
 * handler runs, `bodyOf(request)` is an object and `bodyProblem(request)` says what was wrong, so
 * each provider answers in its own error format. Call it before `app.init()` (see index.ts).
 */
export async function registerBodyParsers(
  fastify: FastifyInstance,
  options: Pick<BodyParsingOptions, 'bodyLimit'> & Partial<BodyParsingOptions>,
): Promise<void> {
  const settings: BodyParsingOptions = { ...DEFAULT_BODY_PARSING_OPTIONS, ...options };

  await fastify.register(multipartOnce);
  fastify.removeContentTypeParser(['application/json', 'text/plain']);

  fastify.addHook('preParsing', (request, _reply, payload, done) => {
    const header = request.headers['content-type'];
    if (header !== undefined && !VALID_MEDIA_TYPE.test(header.split(';')[0] ?? '')) {
      // Hidden from Fastify (the raw request keeps it), the body then goes to the catch-all parser.
      invalidContentTypes.set(request, header);
      request.headers = { 'content-type': undefined };
    }
    done(null, payload);
  });

  /** The body as text, or `{}` with the problem recorded. */
  const readText = async (request: FastifyRequest, payload: Readable, charset: string): Promise<string | ParsedBody> => {
    const read = await readLimited(payload, settings.bodyLimit(request), request.headers['content-length']);
    if (read.kind === 'too-large') return recordProblem(request, BODY_TOO_LARGE);
    if (read.kind === 'failed') return recordProblem(request, read.reason);
    return decodeText(read.data, charset);
  };

  fastify.addContentTypeParser(JSON_TYPES, async (request: FastifyRequest, payload: Readable) => {
    const text = await readText(request, payload, charsetOf(request.headers['content-type']));
    if (typeof text !== 'string') return text;
    if (text.trim() === '') return {};
    let value: unknown;
    try {
      // `__proto__` keys are dropped: a handler's Object.assign would otherwise set the prototype.
      value = JSON.parse(text, (key, item: unknown) => (key === '__proto__' ? undefined : item));
    } catch (error) {
      return recordProblem(request, `malformed JSON: ${(error as Error).message}`);
    }
    return isRecord(value) ? value : recordProblem(request, 'JSON body is not an object');
  });

  fastify.addContentTypeParser(FORM_TYPE, async (request: FastifyRequest, payload: Readable) => {
    const charset = charsetOf(request.headers['content-type']);
    const text = await readText(request, payload, charset);
    return typeof text === 'string' ? parseForm(text, charset) : text;
  });

  // Everything else, and bodies sent without a content type: clients that forget the header send
  // form strings, so those are read as forms.
  fastify.addContentTypeParser('*', async (request: FastifyRequest, payload: Readable) => {
    const header = invalidContentTypes.get(request) ?? request.headers['content-type'];
    const charset = charsetOf(header);
    const text = await readText(request, payload, charset);
    if (typeof text !== 'string') return text;
    if (text.trim() === '') return {};
    if (looksLikeForm(text)) return parseForm(text, charset);
    return recordProblem(request, header === undefined || header.trim() === '' ? 'missing content type' : `unsupported content type ${mediaTypeOf(header)}`);
  });

  // A callback hook, not an async one: it runs on every request, and most have nothing to do here.
  fastify.addHook('preValidation', (request, _reply, done) => {
    if (!request.isMultipart()) return done();
    readMultipart(request, settings).then(() => done(), done);
  });

  // Uploaded files live as long as their request: whatever a handler did not move away goes.
  const removeUploads = (request: FastifyRequest): void => {
    for (const path of takeUploads(request)) void rm(path, { force: true });
  };
  fastify.addHook('onResponse', (request, _reply, done) => {
    removeUploads(request);
    done();
  });
  fastify.addHook('onRequestAbort', (request, done) => {
    removeUploads(request);
    done();
  });
}
