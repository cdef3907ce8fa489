/**
 * Lenient, provider-faithful request body parsing for the Fastify app under Nest.
 *
 * Wiring (the order matters):
 *   const app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), { bodyParser: false });
 *   await registerBodyParsers(app.getHttpAdapter().getInstance(), { bodyLimit: (request) => … });   // before app.init()
 *   await app.init();                                                // or app.listen(), which inits
 *
 * - `bodyParser: false` is required: otherwise `app.init()` registers Nest's JSON and form parsers,
 *   which Fastify refuses (FST_ERR_CTP_ALREADY_PRESENT) since ours hold those content types.
 *   For the same reason, do not call `app.useBodyParser()`.
 * - Before `app.init()`: parsers and hooks cannot be added once Fastify has started, and hooks
 *   added to the root instance only reach routes registered after them (Nest adds its routes in init).
 * - Await it: @fastify/multipart is registered inside, unless something registered it already
 *   (Nest's adapter does for `multipart: true` or its upload interceptors; this reuses it then).
 *
 * In handlers, with `@Req() req: FastifyRequest`: `bodyOf(req)` (also what `@Body()` gives for a
 * good body) and `bodyProblem(req)`. A problem always comes with `{}`.
 *
 * Behaviour: JSON (`application/json`, `…+json`, `text/json`, any case/charset) must be an object;
 * forms and multipart fields are assembled PHP-style in one pass (`a[0]`, `a[]`, `a[b]`; a repeated plain
 * name keeps its last value). Any other type, no type, or a type Fastify deems invalid (hidden from
 * `request.headers` so Fastify does not answer 415) is read as a form when it looks like one.
 * GET and HEAD bodies are not read (Fastify's rule, and PHP's: $_POST is for POST); DELETE, PUT,
 * PATCH and OPTIONS bodies are. A JSON/form/other body past `bodyLimit` is answered at once, the rest
 * of the upload drained unread; a multipart body is read to its end, keeping nothing past a limit.
 */
export { registerBodyParsers } from './body.parsers.js';
export {
  bodyOf,
  bodyProblem,
  BODY_TOO_LARGE,
  DEFAULT_BODY_PARSING_OPTIONS,
  type BodyParsingOptions,
  type ParsedBody,
  type UploadedFile,
} from './body.state.js';
