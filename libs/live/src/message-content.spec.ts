import { createDecipheriv, createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import {
  generateWAMessageContent,
  generateWAMessageFromContent,
  getMediaKeys,
  proto,
  type AnyMessageContent,
  type MediaType,
  type WAMediaUploadFunction,
} from '@whiskeysockets/baileys';
import type { MediaSummary, Message } from '#engine';
import { toWhatsApp } from './outbound.js';
import { silentLogger } from './socket.js';
import { outbound } from './testing/messages.js';

/**
 * The transport's content, through Baileys' own message generation with a fake upload: each kind of send
 * becomes the WhatsApp proto a phone reads, and each file is encrypted so the recipient decrypts the
 * original bytes (the upload holds what WhatsApp's media server would).
 */
const fixture = (name: string) => readFile(new URL(`../../../fixtures/media/${name}`, import.meta.url));

interface Uploaded {
  mediaType: MediaType;
  encrypted: Buffer;
  fileEncSha256B64: string;
}

function fakeUpload(): { upload: WAMediaUploadFunction; uploads: Uploaded[] } {
  const uploads: Uploaded[] = [];
  return {
    uploads,
    upload: async (encFilePath, { fileEncSha256B64, mediaType }) => {
      // Baileys deletes its encrypted temp file once the upload returns.
      uploads.push({ mediaType, encrypted: await readFile(encFilePath), fileEncSha256B64 });
      return { mediaUrl: `https://mmg.test/${mediaType}`, directPath: `/v/t62/${mediaType}` };
    },
  };
}

async function generate(message: Message, mediaBytes: Uint8Array | null = null, revokedKey?: proto.IMessageKey) {
  const out = toWhatsApp(message, { mediaBytes, ...(revokedKey ? { revokedKey } : {}) });
  if (!out.ok) throw new Error(out.reason);
  const { upload, uploads } = fakeUpload();
  const content = await generateWAMessageContent(out.content as AnyMessageContent, { upload, logger: silentLogger });
  return { content: proto.Message.decode(proto.Message.encode(content).finish()), uploads };
}

/** What a recipient does with a media message: derive the keys from mediaKey, check the MAC'd file's hash, decrypt. */
async function decrypt(media: { mediaKey?: Uint8Array | null }, uploaded: Uploaded, type: MediaType): Promise<Buffer> {
  const { cipherKey, iv } = await getMediaKeys(media.mediaKey!, type);
  const decipher = createDecipheriv('aes-256-cbc', cipherKey, iv);
  // The last 10 bytes are the MAC.
  return Buffer.concat([decipher.update(uploaded.encrypted.subarray(0, -10)), decipher.final()]);
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest();
const summary = (format: string, kind: string, mime: string, size: number, fileName?: string): MediaSummary => ({
  format,
  kind,
  mime,
  size,
  ...(fileName ? { fileName } : {}),
});

describe('outbound content → WhatsApp message protos (generateWAMessageContent, fake upload)', () => {
  it('text is an extendedTextMessage (Baileys sends text in the form that can carry a quote or a preview)', async () => {
    const { content } = await generate(outbound('m1', { text: 'hello there' }));
    expect(content.extendedTextMessage!.text).toBe('hello there');
  });

  it.each([
    ['image', 'sample.jpg', 'imageMessage', summary('jpeg', 'image', 'image/jpeg', 0)],
    ['video', 'sample.mp4', 'videoMessage', summary('mp4', 'video', 'video/mp4', 0)],
    ['audio', 'sample.mp3', 'audioMessage', summary('mp3', 'audio', 'audio/mpeg', 0)],
    ['document', 'sample.pdf', 'documentMessage', summary('pdf', 'document', 'application/pdf', 0, 'invoice.pdf')],
  ] as const)('an %s (%s) is an encrypted %s the recipient decrypts to the original bytes', async (type, file, field, media) => {
    const bytes = await fixture(file);
    const { content, uploads } = await generate(
      outbound('m1', { kind: 'media', text: type === 'audio' ? '' : 'caption', media, mediaUrl: 'http://x.test/u' }),
      bytes,
    );
    const message = content[field]!;
    expect(message).toMatchObject({ url: `https://mmg.test/${type}`, directPath: `/v/t62/${type}`, mimetype: media.mime });
    expect(Number(message.fileLength)).toBe(bytes.length);
    expect(Buffer.from(message.fileSha256!)).toEqual(sha256(bytes));
    expect(message.mediaKey).toHaveLength(32);
    expect(uploads).toHaveLength(1);
    expect(uploads[0]!.mediaType).toBe(type);
    expect(Buffer.from(message.fileEncSha256!).toString('base64')).toBe(uploads[0]!.fileEncSha256B64);
    expect(await decrypt(message, uploads[0]!, type)).toEqual(bytes);
    if ('caption' in message && type !== 'audio') expect(message.caption).toBe('caption');
    if (type === 'document') expect((message as proto.Message.IDocumentMessage).fileName).toBe('invoice.pdf');
  });

  it('an OGG/Opus file is a voice note (ptt) with its duration', async () => {
    const bytes = await fixture('sample-opus.ogg');
    const { content, uploads } = await generate(
      outbound('m1', { kind: 'media', media: summary('ogg', 'audio', 'audio/ogg', bytes.length), mediaUrl: 'http://x.test/v' }),
      bytes,
    );
    expect(content.audioMessage).toMatchObject({ ptt: true, mimetype: 'audio/ogg; codecs=opus' });
    expect(content.audioMessage!.seconds).toBeGreaterThan(0);
    expect(await decrypt(content.audioMessage!, uploads[0]!, 'audio')).toEqual(bytes);
  });

  describe('a link the sandbox holds no bytes for', () => {
    let server: Server;
    let base: string;
    beforeAll(async () => {
      const pdf = await fixture('sample.pdf');
      server = createServer((_request, response) => response.writeHead(200, { 'content-type': 'application/pdf' }).end(pdf));
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((resolve) => server.close(resolve)));

    it('is fetched by Baileys and sent as the file, named after the link', async () => {
      const { content, uploads } = await generate(
        outbound('m1', { kind: 'media', media: summary('pdf', 'document', 'application/pdf', 0), mediaUrl: `${base}/files/terms.pdf` }),
      );
      expect(content.documentMessage).toMatchObject({ fileName: 'terms.pdf', mimetype: 'application/pdf' });
      expect(await decrypt(content.documentMessage!, uploads[0]!, 'document')).toEqual(await fixture('sample.pdf'));
    });
  });

  it('a location is a locationMessage', async () => {
    const { content } = await generate(
      outbound('m1', { kind: 'location', location: { latitude: 41.0082, longitude: 28.9784, name: 'Sultanahmet', address: 'Fatih, Istanbul' } }),
    );
    expect(content.locationMessage).toMatchObject({ degreesLatitude: 41.0082, degreesLongitude: 28.9784, name: 'Sultanahmet', address: 'Fatih, Istanbul' });
  });

  it('one contact is a contactMessage with a vCard; several are a contactsArrayMessage', async () => {
    const { content: one } = await generate(outbound('m1', { kind: 'contacts', contacts: [{ name: 'Ada; L', phones: ['+90 555 123 45 67'] }] }));
    expect(one.contactMessage!.displayName).toBe('Ada; L');
    expect(one.contactMessage!.vcard).toBe('BEGIN:VCARD\nVERSION:3.0\nFN:Ada\\; L\nTEL;type=CELL;type=VOICE;waid=905551234567:+905551234567\nEND:VCARD');
    const { content: two } = await generate(
      outbound('m2', {
        kind: 'contacts',
        contacts: [
          { name: 'Ada', phones: ['905551234567'] },
          { name: 'Bob', phones: ['905557654321', '905550000000'] },
        ],
      }),
    );
    expect(two.contactsArrayMessage!.displayName).toBe('2 contacts');
    expect(two.contactsArrayMessage!.contacts!.map((card) => card.vcard!.match(/waid=\d+/g))).toEqual([
      ['waid=905551234567'],
      ['waid=905557654321', 'waid=905550000000'],
    ]);
  });

  it('a delete is a REVOKE protocol message naming the deleted key', async () => {
    const key = { remoteJid: '905551112233@s.whatsapp.net', fromMe: true, id: '3EB0ABCDEF' };
    const { content } = await generate(outbound('m2', { kind: 'other', revokes: 'm1' }), null, key);
    expect(content.protocolMessage).toMatchObject({ type: proto.Message.ProtocolMessage.Type.REVOKE, key });
  });

  it('a reply quotes the earlier message by its stanza id and content', async () => {
    const out = toWhatsApp(outbound('m2', { text: 'about that' }), { mediaBytes: null });
    if (!out.ok) throw new Error(out.reason);
    const { upload } = fakeUpload();
    const content = await generateWAMessageContent(out.content as AnyMessageContent, { upload, logger: silentLogger });
    const quotedKey = { remoteJid: '905551112233@s.whatsapp.net', fromMe: true, id: '3EB0QUOTED' };
    const full = generateWAMessageFromContent('905551112233@s.whatsapp.net', content, {
      userJid: '905550000001@s.whatsapp.net',
      quoted: { key: quotedKey, message: { conversation: 'the first' } },
    });
    expect(full.message!.extendedTextMessage!.contextInfo).toMatchObject({
      stanzaId: '3EB0QUOTED',
      participant: '905550000001@s.whatsapp.net',
      quotedMessage: { conversation: 'the first' },
    });
  });
});
