import { open, type FileHandle } from 'node:fs/promises';
import { identify } from './media.sniff.js';
import type { MediaInfo } from './media.types.js';

/**
 * Files up to this size are read whole and sniffed as bytes. It is every image, audio and video limit
 * WhatsApp sets, so those formats are judged exactly as before; larger files (documents, archives) are
 * sampled, so judging a 100 MB file costs a few megabytes at most.
 */
const WHOLE_FILE_BYTES = 16 * 1024 * 1024;
const HEAD_BYTES = 64 * 1024;
/** A movie's index (moov) is a few hundred kilobytes for an hour of video; beyond this it is not read. */
const MAX_MOOV_BYTES = 16 * 1024 * 1024;
/** Central directories of archives with tens of thousands of entries still fit. */
const MAX_CENTRAL_DIRECTORY_BYTES = 8 * 1024 * 1024;

/**
 * Identifies a file on disk without reading all of it into memory. Larger files are sampled: the head
 * names the format; an MP4's tracks come from its moov box wherever it sits (found by walking the
 * top-level boxes); a ZIP's entry names from its central directory at the end. Legacy Office files (OLE)
 * over WHOLE_FILE_BYTES are judged by their head alone, which may not reach the directory naming Word,
 * Excel or PowerPoint: they are then taken for Word (all three are documents with one limit).
 */
export async function sniffMediaFile(path: string): Promise<MediaInfo> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    if (size <= WHOLE_FILE_BYTES) return identify(await file.readFile(), size);
    const head = await readAt(file, 0, HEAD_BYTES);
    if (ascii(head, 4, 4) === 'ftyp') return identify(await isoSample(file, head, size), size);
    if (ascii(head, 0, 4) === 'PK\x03\x04') {
      const entries = await centralDirectoryNames(file, size);
      return identify(head, size, entries);
    }
    return identify(head, size);
  } finally {
    await file.close();
  }
}

/** The ftyp and moov boxes, one after the other, as the sniffer walks them. */
async function isoSample(file: FileHandle, head: Buffer, size: number): Promise<Buffer> {
  const boxes: Buffer[] = [];
  for (let offset = 0; offset + 8 <= size; ) {
    const header = await readAt(file, offset, 16);
    let boxSize = header.readUInt32BE(0);
    const type = ascii(header, 4, 4);
    if (boxSize === 1 && header.length >= 16) boxSize = Number(header.readBigUInt64BE(8));
    else if (boxSize === 0) boxSize = size - offset;
    if (boxSize < 8) break;
    if (type === 'ftyp') boxes.push(head.subarray(offset, offset + Math.min(boxSize, head.length - offset)));
    if (type === 'moov') {
      if (boxSize <= MAX_MOOV_BYTES) boxes.push(await readAt(file, offset, boxSize));
      break;
    }
    offset += boxSize;
  }
  return boxes.length > 0 ? Buffer.concat(boxes) : head;
}

/** Entry names from the end-of-central-directory record; undefined when there is none (a truncated archive). */
async function centralDirectoryNames(file: FileHandle, size: number): Promise<string[] | undefined> {
  // The end record is 22 bytes plus a comment of up to 64 KB.
  const tailStart = Math.max(0, size - 22 - 0xffff);
  const tail = await readAt(file, tailStart, size - tailStart);
  const end = tail.lastIndexOf('PK\x05\x06', undefined, 'latin1');
  if (end < 0 || end + 22 > tail.length) return undefined;
  const directorySize = tail.readUInt32LE(end + 12);
  const directoryOffset = tail.readUInt32LE(end + 16);
  if (directorySize > MAX_CENTRAL_DIRECTORY_BYTES || directoryOffset + directorySize > size) return undefined;
  const directory = await readAt(file, directoryOffset, directorySize);
  const names: string[] = [];
  for (let o = 0; o + 46 <= directory.length && directory.readUInt32LE(o) === 0x02014b50; ) {
    const nameLength = directory.readUInt16LE(o + 28);
    const extraLength = directory.readUInt16LE(o + 30);
    const commentLength = directory.readUInt16LE(o + 32);
    names.push(directory.toString('latin1', o + 46, Math.min(o + 46 + nameLength, directory.length)));
    o += 46 + nameLength + extraLength + commentLength;
  }
  return names;
}

async function readAt(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  const { bytesRead } = await file.read(buffer, 0, length, position);
  return buffer.subarray(0, bytesRead);
}

function ascii(b: Buffer, o: number, n: number): string {
  return o + n <= b.length ? b.toString('latin1', o, o + n) : '';
}
