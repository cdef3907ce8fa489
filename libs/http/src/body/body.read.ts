import type { Readable } from 'node:stream';

export type ReadResult = { kind: 'ok'; data: Buffer } | { kind: 'too-large' } | { kind: 'failed'; reason: string };

function ignore(): void {}

/**
 * Reads a request body of at most `limit` bytes. Past the limit nothing more is kept and the
 * result is known at once, so the provider can answer while the rest of the upload is drained
 * to nowhere: memory stays bounded, and the connection stays usable (no reset in the client's
 * face, as closing it mid-upload would cause).
 */
export function readLimited(stream: Readable, limit: number, declaredLength: string | undefined): Promise<ReadResult> {
  // An error after we stopped listening (client gone mid-drain) must not become an uncaught one.
  stream.on('error', ignore);
  return new Promise((resolve) => {
    if (declaredLength !== undefined && Number(declaredLength) > limit) {
      stream.resume();
      resolve({ kind: 'too-large' });
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: ReadResult): void => {
      stream.off('data', onData);
      stream.off('end', onEnd);
      stream.off('error', onError);
      stream.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer | string): void => {
      const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      size += buffer.length;
      if (size > limit) {
        chunks.length = 0;
        finish({ kind: 'too-large' });
        stream.resume();
        return;
      }
      chunks.push(buffer);
    };
    const onEnd = (): void => finish({ kind: 'ok', data: Buffer.concat(chunks, size) });
    const onError = (error: Error): void => finish({ kind: 'failed', reason: `request aborted: ${error.message}` });
    // 'close' without 'end' first: the client went away mid-body.
    const onClose = (): void => finish({ kind: 'failed', reason: 'request aborted' });
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}
