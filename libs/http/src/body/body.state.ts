import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyRequest } from 'fastify';

/** A multipart file, on disk at `path` until the response is sent (a handler may move it away first). */
export interface UploadedFile {
  fieldName: string;
  filename: string;
  mimetype: string;
  path: string;
  size: number;
}

/** Values: string | string[] | nested objects | UploadedFile | UploadedFile[] (JSON bodies keep their JSON types). */
export type ParsedBody = Record<string, unknown>;

export interface BodyParsingOptions {
  /**
   * Bytes of a JSON / form / unknown-type body, and of all multipart fields together, for this request
   * (each provider declares its own; see `bodyLimitByProvider`).
   */
  bodyLimit: (request: FastifyRequest) => number;
  /** Bytes of all files of one multipart request together. */
  fileSizeLimit: number;
  /** A fresh path for the next uploaded file. */
  uploadPath: () => string;
}

export const DEFAULT_BODY_PARSING_OPTIONS: Omit<BodyParsingOptions, 'bodyLimit'> = {
  fileSizeLimit: 110 * 1024 * 1024,
  uploadPath: () => join(tmpdir(), `wa-sandbox-upload-${randomBytes(8).toString('hex')}`),
};

const uploads = new WeakMap<FastifyRequest, string[]>();

/** Remembers a file written for the request, so it is removed once the response is sent. */
export function trackUpload(request: FastifyRequest, path: string): void {
  const paths = uploads.get(request);
  if (paths) paths.push(path);
  else uploads.set(request, [path]);
}

/** The request's upload files (removing those a handler moved away finds nothing, which is fine). */
export function takeUploads(request: FastifyRequest): string[] {
  const paths = uploads.get(request) ?? [];
  uploads.delete(request);
  return paths;
}

/** The problem recorded for a body over `bodyLimit`: providers that answer it specially compare with this. */
export const BODY_TOO_LARGE = 'body too large';

// Keyed by the Fastify request: the object `@Req()` hands to Nest controllers.
const problems = new WeakMap<FastifyRequest, string>();

/** The first problem found is the one reported: later ones are usually its consequences. */
export function recordProblem(request: FastifyRequest, problem: string): ParsedBody {
  if (!problems.has(request)) problems.set(request, problem);
  return {};
}

/** Why the body could not be read (then `bodyOf` is `{}`); undefined when it was fine or absent. */
export function bodyProblem(request: FastifyRequest): string | undefined {
  return problems.get(request);
}

/** The parsed body, always an object: `{}` when there was none, or when `bodyProblem` says why not. */
export function bodyOf(request: FastifyRequest): ParsedBody {
  const body: unknown = request.body;
  return isRecord(body) ? body : {};
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) && !Buffer.isBuffer(value);
}
