import { createWriteStream } from 'node:fs';
import { rm } from 'node:fs/promises';
import { Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { FastifyRequest } from 'fastify';
import type { MultipartFile } from '@fastify/multipart';
import { assembleFields } from './form.assembly.js';
import { BODY_TOO_LARGE, recordProblem, trackUpload, type BodyParsingOptions, type UploadedFile } from './body.state.js';

/**
 * Reads a multipart request (which @fastify/multipart's content-type parser only flagged) into
 * `request.body`. Never throws: a problem leaves `{}` and is recorded. The whole body is still
 * read, past a problem without keeping anything, so the connection ends in a clean state. Files
 * are streamed to disk (`uploadPath`), never held in memory; they are removed when the response
 * is sent unless a handler moved them away.
 */
export async function readMultipart(request: FastifyRequest, options: BodyParsingOptions): Promise<void> {
  const bodyLimit = options.bodyLimit(request);
  // A variable, not a literal: `throwFileSizeLimit` is read by `parts()` but missing from its type.
  const partsOptions: Parameters<FastifyRequest['parts']>[0] & { throwFileSizeLimit: boolean } = {
    throwFileSizeLimit: false,
    limits: {
      fieldSize: bodyLimit,
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
        if (part.type === 'file') await discardFile(part);
        continue;
      }
      if (part.type === 'file') {
        if (problem !== undefined) {
          await discardFile(part);
          continue;
        }
        const path = options.uploadPath();
        trackUpload(request, path);
        const size = await saveFile(part, options.fileSizeLimit - fileBytes, path);
        if (size === undefined) {
          problem = 'file too large';
          continue;
        }
        fileBytes += size;
        const file: UploadedFile = {
          fieldName: name,
          filename: part.filename ?? '',
          mimetype: part.mimetype,
          path,
          size,
        };
        fields.push([name, file]);
      } else {
        if (problem !== undefined) continue;
        fieldBytes += Buffer.byteLength(name) + Buffer.byteLength(String(part.value));
        if (part.valueTruncated || part.fieldnameTruncated || fieldBytes > bodyLimit) {
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
  request.body = problem === undefined ? assembleFields(fields) : recordProblem(request, problem);
}

/** Writes the file to `path` and answers its size, or undefined when it exceeds `room` (nothing is kept then). */
async function saveFile(part: MultipartFile, room: number, path: string): Promise<number | undefined> {
  let size = 0;
  const limiter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      size += chunk.length;
      // Past the room the rest is read and dropped, so the request still ends cleanly.
      done(null, size <= room ? chunk : undefined);
    },
  });
  await pipeline(part.file, limiter, createWriteStream(path));
  if (size <= room && !part.file.truncated) return size;
  await rm(path, { force: true });
  return undefined;
}

async function discardFile(part: MultipartFile): Promise<void> {
  for await (const _chunk of part.file as AsyncIterable<Buffer>);
}
