import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { sniffMedia, sniffMediaFile } from './index.js';
import { MB } from '../units.js';

const FIXTURES = join(process.cwd(), 'fixtures', 'media');
const fixture = (name: string): Buffer => readFileSync(join(FIXTURES, name));

/** Top-level ISO boxes of a file, as [type, bytes]. */
function boxes(file: Buffer): Array<[string, Buffer]> {
  const out: Array<[string, Buffer]> = [];
  for (let o = 0; o + 8 <= file.length; ) {
    const size = file.readUInt32BE(o);
    out.push([file.toString('latin1', o + 4, o + 8), file.subarray(o, o + size)]);
    o += size;
  }
  return out;
}

function box(type: string, payload: Buffer): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32BE(8 + payload.length, 0);
  header.write(type, 4, 'latin1');
  return Buffer.concat([header, payload]);
}

/** A stored (uncompressed) ZIP with the given entries in this order, CRCs left at zero (nothing here checks them). */
function zip(entries: Array<[string, Buffer]>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, data] of entries) {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, Buffer.from(name, 'latin1'), data);
    centrals.push(central, Buffer.from(name, 'latin1'));
    offset += 30 + name.length + data.length;
  }
  const directory = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(entries.length, 8);
  end.writeUInt16LE(entries.length, 10);
  end.writeUInt32LE(directory.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, directory, end]);
}

describe('sniffMediaFile', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sniff-file-spec-'));
  let count = 0;
  const write = (bytes: Buffer): string => {
    const path = join(dir, `file-${++count}`);
    writeFileSync(path, bytes);
    return path;
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  test('a file up to 16 MB is judged exactly as its bytes are', async () => {
    for (const name of ['sample.mp4', 'sample.docx', 'sample.xls', 'sample-opus.ogg', 'sample.apk']) {
      expect(await sniffMediaFile(write(fixture(name)))).toEqual(sniffMedia(fixture(name)));
    }
  });

  test('a large MP4 whose moov box comes after 20 MB of media data still shows its tracks and codecs', async () => {
    const parts = boxes(fixture('sample.mp4'));
    const ftyp = parts.find(([type]) => type === 'ftyp')![1];
    const rest = parts.filter(([type]) => type !== 'ftyp').map(([, bytes]) => bytes);
    const large = Buffer.concat([ftyp, box('free', Buffer.alloc(20 * MB)), ...rest]);
    expect(rest.some((bytes) => bytes.toString('latin1', 4, 8) === 'moov')).toBe(true);
    expect(await sniffMediaFile(write(large))).toEqual({ ...sniffMedia(fixture('sample.mp4')), size: large.length });
  });

  test('a large Office package is named from its central directory, though its parts lie beyond the head', async () => {
    const parts: Array<[string, Buffer]> = [
      ['word/media/video.bin', Buffer.alloc(17 * MB)],
      ['[Content_Types].xml', Buffer.from('<Types/>')],
      ['word/document.xml', Buffer.from('<w:document/>')],
    ];
    expect(await sniffMediaFile(write(zip(parts)))).toMatchObject({ format: 'docx', kind: 'document' });
    expect(
      await sniffMediaFile(
        write(
          zip([
            ['big.bin', Buffer.alloc(17 * MB)],
            ['AndroidManifest.xml', Buffer.alloc(4)],
          ]),
        ),
      ),
    ).toMatchObject({ format: 'apk' });
    expect(
      await sniffMediaFile(
        write(
          zip([
            ['big.bin', Buffer.alloc(17 * MB)],
            ['notes.txt', Buffer.alloc(4)],
          ]),
        ),
      ),
    ).toMatchObject({ format: 'zip' });
  });

  test('a large PDF is named from its head and keeps its full size', async () => {
    const large = Buffer.concat([fixture('sample.pdf'), Buffer.alloc(20 * MB)]);
    expect(await sniffMediaFile(write(large))).toEqual({ format: 'pdf', kind: 'document', mime: 'application/pdf', size: large.length });
  });
});
