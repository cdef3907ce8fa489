import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { assembleFields } from './body.form.js';
import { BODY_TOO_LARGE, recordProblem, type BodyParsingOptions, type UploadedFile } from './body.state.js';

/**
 * Reads a multipart request (which @fastify/multipart's content-type parser only flagged) into
 * `request.body`. Never throws: a problem leaves `{}` and is recorded. The whole body is still
 * read, past a problem without keeping anything, so the connection ends in a clean state.
 */
export async function readMultipart(request: FastifyRequest, options: BodyParsingOptions): Promise<void> {
  // A variable, not a literal: `throwFileSizeLimit` is read by `parts()` but missing from its type.
  const partsOptions: Parameters<FastifyRequest['parts']>[0] & { throwFileSizeLimit: boolean } = {
    throwFileSizeLimit: false,
    limits: {
      fieldSize: options.bodyLimit,
      fileSize: options.fileSizeLimit,
      fields: Infinity,
      files: Infinity,
      parts: Infinity,
    },
  };
  const fields: Array<readonly [string, unknown]> = [];
  let problem: string | undefined;
  let fieldBytes = 0;
  let fileBytes = 0;
  try {
    for await (const part of request.parts(partsOptions)) {
      // A part without a name (busboy gives undefined despite the type) is skipped, as PHP does.
      const name: string | undefined = part.fieldname;
      if (!name) {
        if (part.type === 'file') await readFile(part, 0);
        continue;
      }
      if (part.type === 'file') {
        const data = await readFile(part, problem === undefined ? options.fileSizeLimit - fileBytes : 0);
        if (problem !== undefined) continue;
        if (data === undefined) {
          problem = 'file too large';
          continue;
        }
        fileBytes += data.length;
        const file: UploadedFile = {
          fieldName: name,
          filename: part.filename ?? '',
          mimetype: part.mimetype,
          data,
        };
        fields.push([name, file]);
      } else {
        if (problem !== undefined) continue;
        fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(String(part.value));
        if (part.valueTruncated || part.fieldnameTruncated || fieldBytes > options.bodyLimit) {
          problem = BODY_TOO_LARGE;
          continue;
        }
        fields.push([name, part.value]);
      }
    }
  } catch (error) {
    problem ??= `malformed multipart: ${(error as Error).message}`;
  } finally {
    // After a parse error busboy is unpiped with the rest of the body unread, which would leave the
    // connection stalled: drain it.
    if (!request.raw.readableEnded) {
      request.raw.unpipe();
      request.raw.resume();
    }
  }
  request.body = problem === undefined ? await assembleFields(fields) : recordProblem(request, problem);
}

/** The file's bytes, or undefined when they exceed `room` (the rest of it is then discarded). */
async function readFile(part: MultipartFile, room: number): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of part.file as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size <= room) chunks.push(chunk);
    else chunks.length = 0;
  }
  return size > room || part.file.truncated ? undefined : Buffer.concat(chunks, size);
}
