import type { MediaFormat, MediaInfo, MediaKind } from './media.types.js';

const KIND: Record<MediaFormat, MediaKind> = {
  jpeg: 'image',
  png: 'image',
  gif: 'image',
  webp: 'image',
  mp3: 'audio',
  aac: 'audio',
  ogg: 'audio',
  amr: 'audio',
  wav: 'audio',
  mp4: 'video',
  '3gp': 'video',
  pdf: 'document',
  doc: 'document',
  docx: 'document',
  xls: 'document',
  xlsx: 'document',
  ppt: 'document',
  pptx: 'document',
  zip: 'other',
  rar: 'other',
  exe: 'other',
  apk: 'other',
  unknown: 'other',
};

const MIME: Record<MediaFormat, string> = {
  jpeg: 'image/jpeg',
  png: 'image/png',
  gif: 'image/gif',
  webp: 'image/webp',
  mp3: 'audio/mpeg',
  aac: 'audio/aac',
  ogg: 'audio/ogg',
  amr: 'audio/amr',
  wav: 'audio/wav',
  mp4: 'video/mp4',
  '3gp': 'video/3gpp',
  pdf: 'application/pdf',
  doc: 'application/msword',
  docx: 'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
  xls: 'application/vnd.ms-excel',
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  ppt: 'application/vnd.ms-powerpoint',
  pptx: 'application/vnd.openxmlformats-officedocument.presentationml.presentation',
  zip: 'application/zip',
  rar: 'application/vnd.rar',
  exe: 'application/vnd.microsoft.portable-executable',
  apk: 'application/vnd.android.package-archive',
  unknown: 'application/octet-stream',
};

type Detected = Omit<MediaInfo, 'kind' | 'mime' | 'size'> & Partial<Pick<MediaInfo, 'kind' | 'mime'>>;

/**
 * Identifies a file from its bytes alone. Every read is bounds-checked, so truncated or hostile input yields a
 * best guess or 'unknown' rather than an exception.
 */
export function sniffMedia(bytes: Uint8Array): MediaInfo {
  return identify(bytes, bytes.length);
}

/**
 * Identifies a file from a sample of it: `bytes` holds the file's start (and, for MP4, its top-level boxes
 * that matter), `size` is the whole file's; a ZIP's entry names may come from its central directory.
 * See media.sniff-file.ts.
 */
export function identify(bytes: Uint8Array, size: number, zipEntries?: Iterable<string>): MediaInfo {
  const { kind, mime, ...rest } = detect(bytes, zipEntries);
  return { ...rest, kind: kind ?? KIND[rest.format], mime: mime ?? MIME[rest.format], size };
}

function detect(b: Uint8Array, zipEntries: Iterable<string> | undefined): Detected {
  if (startsWith(b, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return { format: 'png' };
  if (startsWith(b, [0xff, 0xd8, 0xff])) return { format: 'jpeg' };
  if (startsWith(b, 'GIF87a') || startsWith(b, 'GIF89a')) return { format: 'gif' };
  if (startsWith(b, 'RIFF')) {
    const form = ascii(b, 8, 4);
    if (form === 'WEBP') return { format: 'webp' };
    if (form === 'WAVE') return { format: 'wav' };
    return { format: 'unknown' };
  }
  if (startsWith(b, '%PDF-')) return { format: 'pdf' };
  if (startsWith(b, 'Rar!\x1a\x07')) return { format: 'rar' };
  if (startsWith(b, 'OggS')) return sniffOgg(b);
  // Covers both '#!AMR\n' (narrow band) and '#!AMR-WB\n'.
  if (startsWith(b, '#!AMR')) return { format: 'amr' };
  if (ascii(b, 4, 4) === 'ftyp') return sniffIsoMedia(b);
  if (startsWith(b, 'PK\x03\x04') || startsWith(b, 'PK\x05\x06')) return { format: zipFormat(zipEntries ?? localHeaderNames(b)) };
  if (startsWith(b, [0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1])) return { format: oleFormat(b) };
  if (startsWith(b, 'MZ')) return { format: 'exe' };
  if (startsWith(b, 'ID3')) {
    // An ID3 tag may also front an ADTS stream; what follows the tag decides.
    const flags = u8(b, 5);
    const tagEnd = 10 + syncsafe(b, 6) + (flags >= 0 && flags & 0x10 ? 10 : 0);
    return { format: isAdts(b, tagEnd) ? 'aac' : 'mp3' };
  }
  if (isAdts(b, 0)) return { format: 'aac' };
  if (isMp3Frame(b, 0)) return { format: 'mp3' };
  return { format: 'unknown' };
}

function isAdts(b: Uint8Array, o: number): boolean {
  // 12-bit sync word, then layer bits 00 (FFF1 for MPEG-4, FFF9 for MPEG-2; FFF0/FFF8 with a CRC).
  return u8(b, o) === 0xff && (u8(b, o + 1) & 0xf6) === 0xf0 && ((u8(b, o + 2) >> 2) & 0x0f) < 13;
}

function isMp3Frame(b: Uint8Array, o: number): boolean {
  const b1 = u8(b, o + 1);
  const b2 = u8(b, o + 2);
  if (u8(b, o) !== 0xff || b1 < 0 || b2 < 0 || (b1 & 0xe0) !== 0xe0) return false;
  const version = (b1 >> 3) & 3;
  const layer = (b1 >> 1) & 3;
  return version !== 1 && layer === 1 && b2 >> 4 !== 0x0f && ((b2 >> 2) & 3) !== 3;
}

function sniffOgg(b: Uint8Array): Detected {
  // The first page's segment table is followed by the stream's first packet, which names the codec.
  const segments = u8(b, 26);
  const packet = 27 + Math.max(segments, 0);
  if (ascii(b, packet, 8) === 'OpusHead') return { format: 'ogg', audioCodec: 'opus' };
  if (u8(b, packet) === 0x01 && ascii(b, packet + 1, 6) === 'vorbis') return { format: 'ogg', audioCodec: 'vorbis' };
  if (ascii(b, packet, 8) === 'Speex   ') return { format: 'ogg', audioCodec: 'speex' };
  if (u8(b, packet) === 0x7f && ascii(b, packet + 1, 4) === 'FLAC') return { format: 'ogg', audioCodec: 'flac' };
  if (u8(b, packet) === 0x80 && ascii(b, packet + 1, 6) === 'theora') {
    return { format: 'ogg', kind: 'video', mime: 'video/ogg', videoCodec: 'theora' };
  }
  return { format: 'ogg' };
}

/** HEIF/AVIF still images share the ISO box format but are not video; QuickTime is not MP4 either. */
const NON_MP4_BRANDS = new Set(['heic', 'heix', 'heim', 'heis', 'hevc', 'hevx', 'hevm', 'hevs', 'mif1', 'msf1', 'avif', 'avis', 'qt  ']);

const VIDEO_CODECS: Record<string, string> = {
  avc1: 'h264',
  avc3: 'h264',
  hvc1: 'hevc',
  hev1: 'hevc',
  mp4v: 'mpeg4',
  s263: 'h263',
  av01: 'av1',
  vp09: 'vp9',
};
const AUDIO_CODECS: Record<string, string> = {
  mp4a: 'aac',
  samr: 'amr',
  sawb: 'amr-wb',
  Opus: 'opus',
  '.mp3': 'mp3',
  'ac-3': 'ac3',
  'ec-3': 'eac3',
  fLaC: 'flac',
};

interface Box {
  type: string;
  start: number;
  payload: number;
  end: number;
}

function sniffIsoMedia(b: Uint8Array): Detected {
  const brand = ascii(b, 8, 4);
  if (NON_MP4_BRANDS.has(brand)) return { format: 'unknown' };
  const format = brand.startsWith('3g') ? '3gp' : 'mp4';

  let hasAudioTrack = false;
  let hasVideoTrack = false;
  let audioCodec: string | undefined;
  let videoCodec: string | undefined;
  const moov = child(b, 0, b.length, 'moov');
  for (const trak of moov ? children(b, moov.payload, moov.end) : []) {
    if (trak.type !== 'trak') continue;
    const mdia = child(b, trak.payload, trak.end, 'mdia');
    if (!mdia) continue;
    const hdlr = child(b, mdia.payload, mdia.end, 'hdlr');
    // hdlr is a full box: version/flags, pre_defined, then the handler type.
    const handler = hdlr ? ascii(b, hdlr.payload + 8, 4) : '';
    if (handler !== 'soun' && handler !== 'vide') continue;
    const stbl = path(b, mdia, ['minf', 'stbl']);
    const stsd = stbl && child(b, stbl.payload, stbl.end, 'stsd');
    // stsd is a full box with an entry count; the first sample entry's type is the codec.
    const entry = stsd ? children(b, stsd.payload + 8, stsd.end).next().value : undefined;
    if (handler === 'soun') {
      hasAudioTrack = true;
      if (entry && audioCodec === undefined) audioCodec = entry.type === 'mp4a' ? mp4aCodec(b, entry) : codecName(AUDIO_CODECS, entry.type);
    } else {
      hasVideoTrack = true;
      if (entry && videoCodec === undefined) videoCodec = codecName(VIDEO_CODECS, entry.type);
    }
  }

  const info: Detected = { format, hasAudioTrack, hasVideoTrack };
  if (audioCodec !== undefined) info.audioCodec = audioCodec;
  if (videoCodec !== undefined) info.videoCodec = videoCodec;
  const threeG2 = brand.startsWith('3g2');
  if (hasAudioTrack && !hasVideoTrack) {
    info.kind = 'audio';
    info.mime = format === '3gp' ? (threeG2 ? 'audio/3gpp2' : 'audio/3gpp') : 'audio/mp4';
  } else if (threeG2) {
    info.mime = 'video/3gpp2';
  }
  return info;
}

function codecName(table: Record<string, string>, fourcc: string): string {
  return table[fourcc] ?? fourcc.trim().toLowerCase();
}

/** 'mp4a' carries AAC or MP3; the esds decoder config's object type tells which. */
function mp4aCodec(b: Uint8Array, entry: Box): string {
  // Audio sample entry: 8 bytes of reserved/data-reference, then a QuickTime version that sets the field size.
  const version = u16be(b, entry.payload + 8);
  const childrenAt = entry.payload + 28 + (version === 1 ? 16 : version === 2 ? 36 : 0);
  const esds = child(b, childrenAt, entry.end, 'esds');
  if (!esds) return 'aac';
  const es = descriptor(b, esds.payload + 4, esds.end);
  if (es?.tag !== 0x03) return 'aac';
  const flags = u8(b, es.start + 2);
  let o = es.start + 3;
  if (flags & 0x80) o += 2;
  if (flags & 0x40) o += 1 + Math.max(u8(b, o), 0);
  if (flags & 0x20) o += 2;
  const config = descriptor(b, o, es.end);
  if (config?.tag !== 0x04) return 'aac';
  const objectType = u8(b, config.start);
  return objectType === 0x69 || objectType === 0x6b ? 'mp3' : 'aac';
}

function descriptor(b: Uint8Array, o: number, end: number): { tag: number; start: number; end: number } | undefined {
  const tag = u8(b, o);
  if (tag < 0) return undefined;
  let length = 0;
  let i = o + 1;
  for (let k = 0; k < 4; k++) {
    const c = u8(b, i++);
    if (c < 0) return undefined;
    length = length * 128 + (c & 0x7f);
    if (!(c & 0x80)) break;
  }
  return { tag, start: i, end: Math.min(i + length, end) };
}

function* children(b: Uint8Array, from: number, end: number): Generator<Box, void, undefined> {
  let o = from;
  while (o + 8 <= end) {
    let size = u32be(b, o);
    let header = 8;
    if (size === 1) {
      const high = u32be(b, o + 8);
      const low = u32be(b, o + 12);
      if (high < 0 || low < 0) return;
      size = high * 2 ** 32 + low;
      header = 16;
    } else if (size === 0) {
      size = end - o;
    }
    if (size < header) return;
    yield { type: ascii(b, o + 4, 4), start: o, payload: o + header, end: Math.min(o + size, end) };
    o += size;
  }
}

function child(b: Uint8Array, from: number, end: number, type: string): Box | undefined {
  for (const box of children(b, from, end)) if (box.type === type) return box;
  return undefined;
}

function path(b: Uint8Array, parent: Box, types: string[]): Box | undefined {
  let box: Box | undefined = parent;
  for (const type of types) {
    box = box && child(b, box.payload, box.end, type);
  }
  return box;
}

const OOXML_PARTS: Array<[string, MediaFormat]> = [
  ['word/', 'docx'],
  ['xl/', 'xlsx'],
  ['ppt/', 'pptx'],
];

function zipFormat(entries: Iterable<string>): MediaFormat {
  let office: MediaFormat | undefined;
  // Every OOXML package has this part; without it a folder that happens to be called 'xl/' is just a zip.
  let hasContentTypes = false;
  for (const name of entries) {
    if (name === 'AndroidManifest.xml' || name === 'classes.dex') return 'apk';
    if (name === '[Content_Types].xml') hasContentTypes = true;
    office ??= OOXML_PARTS.find(([prefix]) => name.startsWith(prefix))?.[1];
  }
  return office && hasContentTypes ? office : 'zip';
}

function* localHeaderNames(b: Uint8Array): Generator<string, void, undefined> {
  // Local headers are scanned for rather than walked, because streamed archives (data descriptors) leave the
  // sizes needed to hop from one to the next at zero. They appear in archive order, so the outer package's own
  // parts are met before those of any archive stored inside it.
  const buf = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  const signature = Buffer.from('PK\x03\x04', 'latin1');
  for (let o = buf.indexOf(signature); o >= 0; o = buf.indexOf(signature, o + 4)) {
    const nameLength = u16le(b, o + 26);
    if (nameLength > 0) yield ascii(b, o + 30, nameLength);
  }
}

function oleFormat(b: Uint8Array): MediaFormat {
  const names = new Set(oleRootNames(b));
  if (names.has('WordDocument')) return 'doc';
  if (names.has('PowerPoint Document')) return 'ppt';
  if (names.has('Workbook') || names.has('Book')) return 'xls';
  return 'doc';
}

const NO_SECTOR = 0xfffffffa; // this and above are end-of-chain / free / special markers

/**
 * Names of the compound file's top-level streams and storages. Only the root level counts: an Excel sheet
 * embedded in a Word file carries its own 'Workbook' stream one level down.
 */
function oleRootNames(b: Uint8Array): string[] {
  const shift = u16le(b, 0x1e);
  if (shift !== 9 && shift !== 12) return [];
  const sectorSize = 1 << shift;
  const perSector = sectorSize / 4;
  const sectorAt = (s: number): number => (s + 1) * sectorSize;

  const fatSectors: number[] = [];
  const fatCount = u32le(b, 0x2c);
  for (let i = 0; i < 109 && fatSectors.length < fatCount; i++) fatSectors.push(u32le(b, 0x4c + i * 4));
  const difatSeen = new Set<number>();
  for (let d = u32le(b, 0x44); d >= 0 && d < NO_SECTOR && !difatSeen.has(d) && fatSectors.length < fatCount; ) {
    difatSeen.add(d);
    for (let i = 0; i < perSector - 1 && fatSectors.length < fatCount; i++) fatSectors.push(u32le(b, sectorAt(d) + i * 4));
    d = u32le(b, sectorAt(d) + (perSector - 1) * 4);
  }
  const next = (s: number): number => {
    const fat = fatSectors[Math.floor(s / perSector)];
    return fat === undefined || fat < 0 ? -1 : u32le(b, sectorAt(fat) + (s % perSector) * 4);
  };

  const entries: Array<{ name: string; left: number; right: number; child: number }> = [];
  const dirSeen = new Set<number>();
  for (let s = u32le(b, 0x30); s >= 0 && s < NO_SECTOR && !dirSeen.has(s); s = next(s)) {
    dirSeen.add(s);
    const start = sectorAt(s);
    if (start + sectorSize > b.length) break;
    for (let e = start; e < start + sectorSize; e += 128) {
      const nameBytes = u16le(b, e + 64);
      const name = nameBytes >= 2 && nameBytes <= 64 ? Buffer.from(b.subarray(e, e + nameBytes - 2)).toString('utf16le') : '';
      entries.push({ name, left: u32le(b, e + 68), right: u32le(b, e + 72), child: u32le(b, e + 76) });
    }
  }

  const names: string[] = [];
  const visited = new Set<number>();
  const pending = [entries[0]?.child ?? -1];
  while (pending.length > 0) {
    const id = pending.pop()!;
    const entry = entries[id];
    if (!entry || visited.has(id)) continue;
    visited.add(id);
    names.push(entry.name);
    pending.push(entry.left, entry.right);
  }
  return names;
}

function startsWith(b: Uint8Array, signature: string | number[]): boolean {
  if (b.length < signature.length) return false;
  for (let i = 0; i < signature.length; i++) {
    const expected = typeof signature === 'string' ? signature.charCodeAt(i) : signature[i];
    if (b[i] !== expected) return false;
  }
  return true;
}

/** The byte at o, or -1 past either end. */
function u8(b: Uint8Array, o: number): number {
  return o >= 0 && o < b.length ? b[o]! : -1;
}

function u16be(b: Uint8Array, o: number): number {
  return o >= 0 && o + 2 <= b.length ? (b[o]! << 8) | b[o + 1]! : -1;
}

function u16le(b: Uint8Array, o: number): number {
  return o >= 0 && o + 2 <= b.length ? b[o]! | (b[o + 1]! << 8) : -1;
}

function u32be(b: Uint8Array, o: number): number {
  return o >= 0 && o + 4 <= b.length ? b[o]! * 0x1000000 + ((b[o + 1]! << 16) | (b[o + 2]! << 8) | b[o + 3]!) : -1;
}

function u32le(b: Uint8Array, o: number): number {
  return o >= 0 && o + 4 <= b.length ? b[o + 3]! * 0x1000000 + ((b[o + 2]! << 16) | (b[o + 1]! << 8) | b[o]!) : -1;
}

/** ID3 sizes use 7 bits per byte. */
function syncsafe(b: Uint8Array, o: number): number {
  let size = 0;
  for (let i = 0; i < 4; i++) size = size * 128 + (Math.max(u8(b, o + i), 0) & 0x7f);
  return size;
}

/** Latin-1 text of n bytes at o, or '' when they are not all there. */
function ascii(b: Uint8Array, o: number, n: number): string {
  if (o < 0 || n < 0 || o + n > b.length) return '';
  let s = '';
  for (let i = o; i < o + n; i++) s += String.fromCharCode(b[i]!);
  return s;
}
