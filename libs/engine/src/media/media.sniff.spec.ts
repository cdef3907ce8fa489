import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { sniffMedia, type MediaInfo } from './index.js';
import { seededRandom } from '../random.js';

const FIXTURES = join(process.cwd(), 'fixtures', 'media');
const load = (name: string): Uint8Array => new Uint8Array(readFileSync(join(FIXTURES, name)));

type Expected = Partial<MediaInfo> & Pick<MediaInfo, 'format' | 'kind' | 'mime'>;

const EXPECTED: Record<string, Expected> = {
  'sample.jpg': { format: 'jpeg', kind: 'image', mime: 'image/jpeg' },
  'sample.png': { format: 'png', kind: 'image', mime: 'image/png' },
  'sample.gif': { format: 'gif', kind: 'image', mime: 'image/gif' },
  'sample.webp': { format: 'webp', kind: 'image', mime: 'image/webp' },
  'sample.pdf': { format: 'pdf', kind: 'document', mime: 'application/pdf' },
  'sample.mp3': { format: 'mp3', kind: 'audio', mime: 'audio/mpeg' },
  'sample.aac': { format: 'aac', kind: 'audio', mime: 'audio/aac' },
  'sample-opus.ogg': { format: 'ogg', kind: 'audio', mime: 'audio/ogg', audioCodec: 'opus' },
  'sample-vorbis.ogg': { format: 'ogg', kind: 'audio', mime: 'audio/ogg', audioCodec: 'vorbis' },
  'sample.amr': { format: 'amr', kind: 'audio', mime: 'audio/amr' },
  'sample.wav': { format: 'wav', kind: 'audio', mime: 'audio/wav' },
  'sample.mp4': {
    format: 'mp4',
    kind: 'video',
    mime: 'video/mp4',
    hasVideoTrack: true,
    hasAudioTrack: true,
    videoCodec: 'h264',
    audioCodec: 'aac',
  },
  'sample-no-audio.mp4': { format: 'mp4', kind: 'video', mime: 'video/mp4', hasVideoTrack: true, hasAudioTrack: false, videoCodec: 'h264' },
  'sample-audio-only.m4a': { format: 'mp4', kind: 'audio', mime: 'audio/mp4', hasVideoTrack: false, hasAudioTrack: true, audioCodec: 'aac' },
  'sample.3gp': {
    format: '3gp',
    kind: 'video',
    mime: 'video/3gpp',
    hasVideoTrack: true,
    hasAudioTrack: true,
    videoCodec: 'h263',
    audioCodec: 'aac',
  },
  'sample.docx': { format: 'docx', kind: 'document', mime: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document' },
  'sample.xlsx': { format: 'xlsx', kind: 'document', mime: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' },
  'sample.pptx': { format: 'pptx', kind: 'document', mime: 'application/vnd.openxmlformats-officedocument.presentationml.presentation' },
  'sample.doc': { format: 'doc', kind: 'document', mime: 'application/msword' },
  'sample.xls': { format: 'xls', kind: 'document', mime: 'application/vnd.ms-excel' },
  'sample.ppt': { format: 'ppt', kind: 'document', mime: 'application/vnd.ms-powerpoint' },
  'sample.zip': { format: 'zip', kind: 'other', mime: 'application/zip' },
  'sample.rar': { format: 'rar', kind: 'other', mime: 'application/vnd.rar' },
  'sample.exe': { format: 'exe', kind: 'other', mime: 'application/vnd.microsoft.portable-executable' },
  'sample.apk': { format: 'apk', kind: 'other', mime: 'application/vnd.android.package-archive' },
  'sample.txt': { format: 'unknown', kind: 'other', mime: 'application/octet-stream' },
  'really-a-png.jpg': { format: 'png', kind: 'image', mime: 'image/png' },
};

describe('sniffMedia', () => {
  test('every fixture is covered by this table', () => {
    const names = readdirSync(FIXTURES).filter((name) => name !== 'README.md');
    expect(names.sort()).toEqual(Object.keys(EXPECTED).sort());
  });

  test.each(Object.entries(EXPECTED))('%s', (name, expected) => {
    const bytes = load(name);
    expect(sniffMedia(bytes)).toEqual({ size: bytes.length, ...expected });
  });

  test('a file with a .jpg name and PNG bytes is a PNG', () => {
    expect(sniffMedia(load('really-a-png.jpg')).format).toBe('png');
  });

  test('an MP3 without an ID3 tag is found by its frame sync', () => {
    const tagged = load('sample.mp3');
    const tagSize = 10 + ((tagged[6]! << 21) | (tagged[7]! << 14) | (tagged[8]! << 7) | tagged[9]!);
    const bare = tagged.subarray(tagSize);
    expect(bare[0]).toBe(0xff);
    expect(sniffMedia(bare).format).toBe('mp3');
  });

  test('an ID3 tag in front of ADTS still makes AAC', () => {
    const tag = new Uint8Array([0x49, 0x44, 0x33, 4, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0]);
    const bytes = new Uint8Array([...tag, ...load('sample.aac')]);
    expect(sniffMedia(bytes).format).toBe('aac');
  });

  test('the bytes slice is read where it lies, not from the start of its buffer', () => {
    const pdf = load('sample.pdf');
    const backing = new Uint8Array(pdf.length + 7);
    backing.set(pdf, 7);
    expect(sniffMedia(backing.subarray(7))).toMatchObject({ format: 'pdf', size: pdf.length });
  });

  test('trailing zero padding does not change the answer', () => {
    for (const name of ['sample.mp4', 'sample-opus.ogg', 'sample.docx', 'sample.doc']) {
      const bytes = load(name);
      const padded = new Uint8Array(bytes.length + 100_000);
      padded.set(bytes);
      expect(sniffMedia(padded)).toEqual({ ...sniffMedia(bytes), size: padded.length });
    }
  });

  test('an OOXML type needs its part folder and [Content_Types].xml; the first part folder met wins', () => {
    const zip = (...names: string[]): Uint8Array => new Uint8Array(Buffer.concat(names.map(localHeader)));
    expect(sniffMedia(zip('xl/report.csv')).format).toBe('zip');
    expect(sniffMedia(zip('[Content_Types].xml', 'xl/workbook.xml')).format).toBe('xlsx');
    expect(sniffMedia(zip('[Content_Types].xml', 'word/document.xml', 'xl/workbook.xml')).format).toBe('docx');
    expect(sniffMedia(zip('META-INF/MANIFEST.MF', 'res/a.xml', 'classes.dex')).format).toBe('apk');
  });

  test('an empty buffer is unknown', () => {
    expect(sniffMedia(new Uint8Array(0))).toEqual({ format: 'unknown', kind: 'other', mime: 'application/octet-stream', size: 0 });
  });

  describe('never throws', () => {
    // A fixed seed keeps failures reproducible.
    const random = seededRandom(0x5eed, 'sniff fuzz');

    test('on random bytes, including ones that start with a real signature', () => {
      const signatures = Object.keys(EXPECTED).map((name) => load(name).subarray(0, 16));
      for (let i = 0; i < 1000; i++) {
        const bytes = randomBytes(random, Math.floor(random() * 2048));
        if (i % 2 === 0) {
          const signature = signatures[i % signatures.length]!;
          bytes.set(signature.subarray(0, Math.min(signature.length, bytes.length)));
        }
        expect(sniffMedia(bytes).size).toBe(bytes.length);
      }
    });

    test.each(Object.keys(EXPECTED))('on %s truncated at every length and corrupted at random', (name) => {
      const bytes = load(name);
      for (let length = 0; length <= bytes.length; length += length < 1024 ? 1 : 97) {
        expect(sniffMedia(bytes.subarray(0, length)).size).toBe(length);
      }
      for (let i = 0; i < 200; i++) {
        const corrupted = bytes.slice();
        for (let k = 0; k < 8; k++) corrupted[Math.floor(random() * corrupted.length)] = Math.floor(random() * 256);
        expect(() => sniffMedia(corrupted)).not.toThrow();
      }
    });
  });
});

/** A zip local file header for an empty stored entry. */
function localHeader(name: string): Buffer {
  const header = Buffer.alloc(30);
  header.write('PK\x03\x04', 0, 'latin1');
  header.writeUInt16LE(20, 4);
  header.writeUInt16LE(Buffer.byteLength(name), 26);
  return Buffer.concat([header, Buffer.from(name)]);
}

function randomBytes(random: () => number, length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = Math.floor(random() * 256);
  return bytes;
}
