#!/usr/bin/env bash
# Regenerates fixtures/media/. The committed files are what the tests use; this script only documents and
# reproduces how they were made, so tests never depend on these tools.
#
# Tools (all from Debian's packages; nothing else is downloaded):
#   apt-get update && apt-get install -y ffmpeg sox libsox-fmt-all libopencore-amrnb0
# Debian's ffmpeg has no AMR encoder, so sample.amr comes from sox, which loads libopencore-amrnb at run time.
# Office, archive and executable files are written by python3's standard library (zipfile, struct, zlib).
set -euo pipefail

out="$(cd "$(dirname "$0")/.." && pwd)/fixtures/media"
mkdir -p "$out"
cd "$out"

ff() { ffmpeg -hide_banner -loglevel error -y "$@"; }
# bitexact + no metadata keeps the files free of encoder banners and timestamps, so reruns change little.
bx=(-map_metadata -1 -fflags +bitexact -flags:v +bitexact -flags:a +bitexact)

# Images: a 64x48 test pattern.
ff -f lavfi -i testsrc=size=64x48:rate=1 -frames:v 1 "${bx[@]}" -q:v 5 sample.jpg
ff -f lavfi -i testsrc=size=64x48:rate=1 -frames:v 1 "${bx[@]}" sample.png
ff -f lavfi -i testsrc=size=64x48:rate=5 -frames:v 5 "${bx[@]}" sample.gif
ff -f lavfi -i testsrc=size=64x48:rate=1 -frames:v 1 "${bx[@]}" -c:v libwebp -quality 50 sample.webp

# Audio: one second of a 440 Hz tone, mono.
tone=(-f lavfi -i sine=frequency=440:sample_rate=16000:duration=1)
ff "${tone[@]}" "${bx[@]}" -ac 1 -c:a libmp3lame -b:a 32k sample.mp3
ff "${tone[@]}" "${bx[@]}" -ac 1 -c:a aac -b:a 32k -f adts sample.aac
ff "${tone[@]}" "${bx[@]}" -ac 1 -c:a libopus -b:a 16k sample-opus.ogg
ff "${tone[@]}" "${bx[@]}" -ac 1 -c:a libvorbis -q:a 0 sample-vorbis.ogg
ff -f lavfi -i sine=frequency=440:sample_rate=8000:duration=0.5 "${bx[@]}" -ac 1 -c:a pcm_u8 sample.wav
sox -R -n -r 8000 -c 1 -t amr-nb sample.amr synth 1 sine 440

# Video: one second, 64x48 (h263 only allows fixed picture sizes, so 128x96 for 3gp).
vid=(-f lavfi -i testsrc=size=64x48:rate=10:duration=1)
ff "${vid[@]}" "${tone[@]}" "${bx[@]}" -c:v libx264 -preset veryfast -crf 40 -pix_fmt yuv420p \
  -c:a aac -b:a 24k -ac 1 -shortest sample.mp4
ff "${vid[@]}" "${bx[@]}" -c:v libx264 -preset veryfast -crf 40 -pix_fmt yuv420p -an sample-no-audio.mp4
ff "${tone[@]}" "${bx[@]}" -ac 1 -c:a aac -b:a 24k sample-audio-only.m4a
ff -f lavfi -i testsrc=size=128x96:rate=10:duration=1 "${tone[@]}" "${bx[@]}" -c:v h263 -q:v 20 \
  -c:a aac -b:a 24k -ac 1 -ar 16000 -shortest -f 3gp sample.3gp

# Mislabelled on purpose: the name says JPEG, the bytes are PNG.
cp sample.png really-a-png.jpg

printf 'This is a plain text file; no media type sniffer should recognise it.\n' > sample.txt

python3 - <<'PY'
import struct, zipfile, zlib

FIXED = (2026, 1, 1, 0, 0, 0)  # fixed entry dates keep rebuilt archives byte-identical

def write_zip(name, entries):
    with zipfile.ZipFile(name, 'w', zipfile.ZIP_DEFLATED) as z:
        for path, data in entries:
            z.writestr(zipfile.ZipInfo(path, FIXED), data, zipfile.ZIP_DEFLATED)

CT = 'http://schemas.openxmlformats.org/package/2006/content-types'
PR = 'http://schemas.openxmlformats.org/package/2006/relationships'
OD = 'http://schemas.openxmlformats.org/officeDocument/2006/relationships'
XML = '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'

def content_types(overrides):
    parts = ''.join(f'<Override PartName="{p}" ContentType="{t}"/>' for p, t in overrides)
    return (XML + f'<Types xmlns="{CT}"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            f'<Default Extension="xml" ContentType="application/xml"/>{parts}</Types>')

def rels(items):
    body = ''.join(f'<Relationship Id="rId{i + 1}" Type="{OD}/{t}" Target="{target}"/>' for i, (t, target) in enumerate(items))
    return XML + f'<Relationships xmlns="{PR}">{body}</Relationships>'

write_zip('sample.docx', [
    ('[Content_Types].xml', content_types([('/word/document.xml', 'application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml')])),
    ('_rels/.rels', rels([('officeDocument', 'word/document.xml')])),
    ('word/document.xml', XML + '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        '<w:body><w:p><w:r><w:t>wa-sandbox sample document</w:t></w:r></w:p></w:body></w:document>'),
])

SML = 'http://schemas.openxmlformats.org/spreadsheetml/2006/main'
write_zip('sample.xlsx', [
    ('[Content_Types].xml', content_types([
        ('/xl/workbook.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml'),
        ('/xl/worksheets/sheet1.xml', 'application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml')])),
    ('_rels/.rels', rels([('officeDocument', 'xl/workbook.xml')])),
    ('xl/workbook.xml', XML + f'<workbook xmlns="{SML}" xmlns:r="{OD}"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>'),
    ('xl/_rels/workbook.xml.rels', rels([('worksheet', 'worksheets/sheet1.xml')])),
    ('xl/worksheets/sheet1.xml', XML + f'<worksheet xmlns="{SML}"><sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>wa-sandbox</t></is></c></row></sheetData></worksheet>'),
])

PML = 'http://schemas.openxmlformats.org/presentationml/2006/main'
DML = 'http://schemas.openxmlformats.org/drawingml/2006/main'
NS = f'xmlns:a="{DML}" xmlns:r="{OD}" xmlns:p="{PML}"'
TREE = ('<p:cSld><p:spTree><p:nvGrpSpPr><p:cNvPr id="1" name=""/><p:cNvGrpSpPr/><p:nvPr/></p:nvGrpSpPr>'
        '<p:grpSpPr/></p:spTree></p:cSld>')
THEME = (XML + f'<a:theme xmlns:a="{DML}" name="t"><a:themeElements>'
    '<a:clrScheme name="c"><a:dk1><a:srgbClr val="000000"/></a:dk1><a:lt1><a:srgbClr val="FFFFFF"/></a:lt1>'
    '<a:dk2><a:srgbClr val="000000"/></a:dk2><a:lt2><a:srgbClr val="FFFFFF"/></a:lt2>'
    + ''.join(f'<a:accent{i}><a:srgbClr val="808080"/></a:accent{i}>' for i in range(1, 7)) +
    '<a:hlink><a:srgbClr val="0000FF"/></a:hlink><a:folHlink><a:srgbClr val="800080"/></a:folHlink></a:clrScheme>'
    '<a:fontScheme name="f"><a:majorFont><a:latin typeface="Arial"/><a:ea typeface=""/><a:cs typeface=""/></a:majorFont>'
    '<a:minorFont><a:latin typeface="Arial"/><a:ea typeface=""/><a:cs typeface=""/></a:minorFont></a:fontScheme>'
    '<a:fmtScheme name="s"><a:fillStyleLst>' + '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>' * 3 + '</a:fillStyleLst>'
    '<a:lnStyleLst>' + '<a:ln><a:solidFill><a:schemeClr val="phClr"/></a:solidFill></a:ln>' * 3 + '</a:lnStyleLst>'
    '<a:effectStyleLst>' + '<a:effectStyle><a:effectLst/></a:effectStyle>' * 3 + '</a:effectStyleLst>'
    '<a:bgFillStyleLst>' + '<a:solidFill><a:schemeClr val="phClr"/></a:solidFill>' * 3 + '</a:bgFillStyleLst>'
    '</a:fmtScheme></a:themeElements></a:theme>')
PT = 'application/vnd.openxmlformats-officedocument.'
write_zip('sample.pptx', [
    ('[Content_Types].xml', content_types([
        ('/ppt/presentation.xml', PT + 'presentationml.presentation.main+xml'),
        ('/ppt/slideMasters/slideMaster1.xml', PT + 'presentationml.slideMaster+xml'),
        ('/ppt/slideLayouts/slideLayout1.xml', PT + 'presentationml.slideLayout+xml'),
        ('/ppt/slides/slide1.xml', PT + 'presentationml.slide+xml'),
        ('/ppt/theme/theme1.xml', PT + 'theme+xml')])),
    ('_rels/.rels', rels([('officeDocument', 'ppt/presentation.xml')])),
    ('ppt/presentation.xml', XML + f'<p:presentation {NS}><p:sldMasterIdLst><p:sldMasterId id="2147483648" r:id="rId1"/></p:sldMasterIdLst>'
        '<p:sldIdLst><p:sldId id="256" r:id="rId2"/></p:sldIdLst><p:sldSz cx="9144000" cy="6858000"/><p:notesSz cx="6858000" cy="9144000"/></p:presentation>'),
    ('ppt/_rels/presentation.xml.rels', rels([('slideMaster', 'slideMasters/slideMaster1.xml'), ('slide', 'slides/slide1.xml'), ('theme', 'theme/theme1.xml')])),
    ('ppt/slideMasters/slideMaster1.xml', XML + f'<p:sldMaster {NS}>{TREE}<p:clrMap bg1="lt1" tx1="dk1" bg2="lt2" tx2="dk2" accent1="accent1" '
        'accent2="accent2" accent3="accent3" accent4="accent4" accent5="accent5" accent6="accent6" hlink="hlink" folHlink="folHlink"/>'
        '<p:sldLayoutIdLst><p:sldLayoutId id="2147483649" r:id="rId1"/></p:sldLayoutIdLst></p:sldMaster>'),
    ('ppt/slideMasters/_rels/slideMaster1.xml.rels', rels([('slideLayout', '../slideLayouts/slideLayout1.xml'), ('theme', '../theme/theme1.xml')])),
    ('ppt/slideLayouts/slideLayout1.xml', XML + f'<p:sldLayout {NS}>{TREE}<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sldLayout>'),
    ('ppt/slideLayouts/_rels/slideLayout1.xml.rels', rels([('slideMaster', '../slideMasters/slideMaster1.xml')])),
    ('ppt/slides/slide1.xml', XML + f'<p:sld {NS}>{TREE}<p:clrMapOvr><a:masterClrMapping/></p:clrMapOvr></p:sld>'),
    ('ppt/slides/_rels/slide1.xml.rels', rels([('slideLayout', '../slideLayouts/slideLayout1.xml')])),
    ('ppt/theme/theme1.xml', THEME),
])

write_zip('sample.zip', [('hello.txt', b'hello from wa-sandbox\n'), ('notes/readme.md', b'# sample archive\n')])

# An APK is a zip with a binary AndroidManifest.xml and Dalvik code. Both are header-valid stubs: an AXML chunk
# header with an empty string pool, and a DEX header whose sizes say "no content".
axml_pool = struct.pack('<HHIIIIII', 0x0001, 28, 28, 0, 0, 0, 0, 0)
axml = struct.pack('<HHI', 0x0003, 8, 8 + len(axml_pool)) + axml_pool
dex = bytearray(0x70)
dex[0:8] = b'dex\n035\0'
struct.pack_into('<II', dex, 0x20, 0x70, 0x70)        # file_size, header_size
struct.pack_into('<I', dex, 0x28, 0x12345678)         # endian_tag
struct.pack_into('<I', dex, 8, zlib.adler32(bytes(dex[12:])))
write_zip('sample.apk', [('AndroidManifest.xml', axml), ('classes.dex', bytes(dex)),
                         ('META-INF/MANIFEST.MF', b'Manifest-Version: 1.0\r\nCreated-By: wa-sandbox\r\n\r\n')])

# RAR 5: signature, main archive header, end-of-archive header, each with its CRC32 (an empty, valid archive).
def rar_block(body):
    size = bytes([len(body)])  # a one-byte vint: every block here is under 128 bytes
    data = size + body
    return struct.pack('<I', zlib.crc32(data)) + data
with open('sample.rar', 'wb') as f:
    f.write(b'Rar!\x1a\x07\x01\x00' + rar_block(bytes([1, 0, 0])) + rar_block(bytes([5, 0, 0])))

# PE32 console program whose entry point is `xor eax, eax; ret`: DOS header, PE header, one .text section.
dos = bytearray(0x40)
dos[0:2] = b'MZ'
struct.pack_into('<I', dos, 0x3C, 0x40)
coff = struct.pack('<HHIIIHH', 0x14C, 1, 0, 0, 0, 0xE0, 0x0102)
opt = struct.pack('<HBBIIIIIIIIIHHHHHHIIIIHHIIIIII',
    0x10B, 14, 0, 0x200, 0, 0, 0x1000, 0x1000, 0x1000, 0x400000, 0x1000, 0x200,
    4, 0, 0, 0, 4, 0, 0, 0x2000, 0x200, 0, 3, 0x8140, 0x100000, 0x1000, 0x100000, 0x1000, 0, 16) + bytes(16 * 8)
section = struct.pack('<8sIIIIIIHHI', b'.text', 0x1000, 0x1000, 0x200, 0x200, 0, 0, 0, 0, 0x60000020)
headers = bytes(dos) + b'PE\0\0' + coff + opt + section
with open('sample.exe', 'wb') as f:
    f.write(headers.ljust(0x200, b'\0') + b'\x31\xc0\xc3'.ljust(0x200, b'\0'))

# Legacy Office files are OLE compound files (CFB v3, 512-byte sectors). Each holds the stream that names its
# type, 4096 bytes long so it lives in normal sectors (smaller streams would need the mini stream).
FREE, END, FATSECT = 0xFFFFFFFF, 0xFFFFFFFE, 0xFFFFFFFD
def dir_entry(name, kind, child=FREE, left=FREE, right=FREE, start=0, size=0, clsid=bytes(16), red=False):
    raw = name.encode('utf-16-le') + b'\0\0'
    return (raw.ljust(64, b'\0') + struct.pack('<HBBIII', len(raw), kind, 0 if red else 1, left, right, child) + clsid
            + bytes(4 + 16) + struct.pack('<IQ', start, size))
def write_cfb(name, streams, clsid):
    stream_sectors = [4096 // 512] * len(streams)
    data_start = 2  # sector 0: FAT, sector 1: directory
    fat = [FATSECT, END]
    for count in stream_sectors:
        first = len(fat)
        fat += [first + i + 1 for i in range(count - 1)] + [END]
    fat += [FREE] * (128 - len(fat))
    # Root-level streams form a red-black tree ordered by name length, then upper-cased name; with at most two
    # streams a black node with a red right child is a valid one.
    assert len(streams) <= 2
    streams = sorted(streams, key=lambda s: (len(s[0]), s[0].upper()))
    entries = [dir_entry('Root Entry', 5, child=1, start=END, clsid=clsid)]
    sector = data_start
    for i, (stream_name, _) in enumerate(streams):
        right = i + 2 if i + 1 < len(streams) else FREE
        entries.append(dir_entry(stream_name, 2, right=right, start=sector, size=4096, red=i > 0))
        sector += 4096 // 512
    directory = b''.join(entries).ljust(512, b'\0')
    header = bytearray(512)
    header[0:8] = bytes.fromhex('D0CF11E0A1B11AE1')
    struct.pack_into('<HHHHH', header, 0x18, 0x3E, 3, 0xFFFE, 9, 6)
    struct.pack_into('<IIIIIIII', header, 0x2C, 1, 1, 0, 4096, END, 0, END, 0)
    struct.pack_into('<I', header, 0x4C, 0)
    for i in range(1, 109):
        struct.pack_into('<I', header, 0x4C + 4 * i, FREE)
    body = b''.join(content.ljust(4096, b'\0') for _, content in streams)
    with open(name, 'wb') as f:
        f.write(bytes(header) + struct.pack('<128I', *fat) + directory + body)

# The stream names below are the ones Word, Excel and PowerPoint use; the first bytes of each are the record that
# opens such a stream (a Word FIB magic, an Excel BOF record, a PowerPoint DocumentContainer header).
write_cfb('sample.doc', [('WordDocument', struct.pack('<HH', 0xA5EC, 0x00C1)), ('1Table', b'')],
          bytes.fromhex('0609020000000000C000000000000046'))
write_cfb('sample.xls', [('Workbook', struct.pack('<HHHH', 0x0809, 16, 0x0600, 0x0005))],
          bytes.fromhex('2008020000000000C000000000000046'))
write_cfb('sample.ppt', [('PowerPoint Document', struct.pack('<HHI', 0x000F, 0x03E8, 0)), ('Current User', b'')],
          bytes.fromhex('108D81649B4FCF1186EA00AA00B929E8'))
PY

# A PDF with one page saying hello; offsets in the xref table are computed, so it is a valid file.
python3 - <<'PY'
objs = [
    b'<< /Type /Catalog /Pages 2 0 R >>',
    b'<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    b'<< /Type /Page /Parent 2 0 R /MediaBox [0 0 200 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    None,
    b'<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
]
text = b'BT /F1 18 Tf 20 45 Td (wa-sandbox) Tj ET'
objs[3] = b'<< /Length %d >>\nstream\n' % len(text) + text + b'\nendstream'
out = bytearray(b'%PDF-1.4\n%\xe2\xe3\xcf\xd3\n')
offsets = []
for i, body in enumerate(objs, 1):
    offsets.append(len(out))
    out += b'%d 0 obj\n' % i + body + b'\nendobj\n'
xref = len(out)
out += b'xref\n0 %d\n0000000000 65535 f \n' % (len(objs) + 1)
out += b''.join(b'%010d 00000 n \n' % o for o in offsets)
out += b'trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n' % (len(objs) + 1, xref)
open('sample.pdf', 'wb').write(out)
PY

ls -l "$out"
