/**
 * Fuzzing the whole malware defence (`vetUpload` with the real sharp sanitizer and a real clamd
 * started here with the project signatures): valid JPEGs and PNGs generated at run time are
 * mutated with a fixed-seed PRNG (byte and bit flips, segment/chunk length corruption,
 * truncation, duplicated segments, inserted bytes, header dimension edits, marker and chunk swaps,
 * appended payloads, and combinations), at least 1,000 cases in all.
 *
 * For every case: `vetUpload` resolves (never throws); an accepted outcome is a complete baseline
 * JPEG we produced (SOI, only a bare JFIF APP0 and the baseline encoder's segments, one scan, EOI
 * as the last two bytes, no APPn/COM), decodes to the reported size with 3 channels and no
 * EXIF/ICC/XMP, and never equals the input; each case finishes within a time bound; the process
 * RSS over the whole run stays within a memory bound.
 *
 * clamd is required: when it is not installed the suite FAILS (it never skips). The EICAR test
 * string is built from base64 at run time: no repository file contains it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import { findClamd, type RunningClamd, startClamd } from '../../functions/adapters/clamav/clamd-process';
import { createClamdScanner } from '../../functions/adapters/clamav/clamd-scanner';
import { createSharpImageSanitizer } from '../../functions/adapters/image/sharp-image-sanitizer';
import { type VetUploadDeps, vetUpload } from '../../functions/scan-upload/vet-upload';

const SIGNATURES_DIR = path.resolve(__dirname, '../../clamav/signatures');
const SEED = 0x5ca11ab1;
const CASES_PER_BASE = 200;
/** Bound for one case (vetUpload end to end). The sanitizer's own deadline is 10 s; no case should come near. */
const CASE_TIME_BOUND_MS = 5_000;
/** Bound for the growth of this process's RSS over the whole run (sampled every 25 ms and after each case). */
const RSS_GROWTH_BOUND_MB = 300;
const EICAR = Buffer.from(
  'WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=',
  'base64',
);
const CLAMD_MISSING =
  'clamd is not installed: this suite needs a real clamd (Debian package clamav-daemon). ' +
  '.ci/run installs it with `apt-get install -y clamav-daemon`; on a dev machine run the same.';

jest.setTimeout(120_000);

// ---------------------------------------------------------------------------------------------
// seeded PRNG (mulberry32)

type Rng = {
  /** [0, 1) */
  next(): number;
  /** integer in [0, n) */
  int(n: number): number;
  /** integer in [lo, hi] */
  range(lo: number, hi: number): number;
  pick<T>(items: readonly T[]): T;
  bytes(n: number): Buffer;
};

function mulberry32(seed: number): Rng {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  return {
    next,
    int,
    range: (lo, hi) => lo + int(hi - lo + 1),
    pick: <T>(items: readonly T[]): T => items[int(items.length)] as T,
    bytes: (n) => {
      const out = Buffer.alloc(n);
      for (let i = 0; i < n; i++) out[i] = int(256);
      return out;
    },
  };
}

// ---------------------------------------------------------------------------------------------
// base images: photo-like gradients with soft shapes and noise

interface Base {
  readonly name: string;
  readonly format: 'jpeg' | 'png';
  readonly bytes: Buffer;
}

function photoLikePixels(rng: Rng, width: number, height: number, channels: 3 | 4): Buffer {
  const px = Buffer.alloc(width * height * channels);
  const cx = width * (0.35 + 0.3 * rng.next());
  const cy = height * (0.35 + 0.3 * rng.next());
  const r = Math.min(width, height) * 0.3;
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * channels;
      const blob = Math.max(0, 1 - Math.hypot(x - cx, y - cy) / r);
      const wave = 20 * Math.sin(x / 9) * Math.cos(y / 13);
      const noise = () => rng.range(-18, 18);
      const clamp = (v: number) => Math.max(0, Math.min(255, Math.round(v)));
      px[i] = clamp((x / width) * 190 + 40 * blob + wave + noise());
      px[i + 1] = clamp((y / height) * 170 + 60 * blob + noise());
      px[i + 2] = clamp(((x + y) / (width + height)) * 220 - 30 * blob + wave + noise());
      if (channels === 4) px[i + 3] = clamp(255 * (0.3 + 0.7 * (1 - blob)) + noise());
    }
  }
  return px;
}

async function makeBases(rng: Rng): Promise<Base[]> {
  const raw = (width: number, height: number, channels: 3 | 4) =>
    sharp(photoLikePixels(rng, width, height, channels), { raw: { width, height, channels } });
  return [
    {
      name: 'jpeg-baseline-240x320',
      format: 'jpeg',
      bytes: await raw(240, 320, 3).jpeg({ quality: 85, mozjpeg: false }).toBuffer(),
    },
    {
      name: 'jpeg-progressive-320x240',
      format: 'jpeg',
      bytes: await raw(320, 240, 3).jpeg({ quality: 80, progressive: true, mozjpeg: false }).toBuffer(),
    },
    {
      name: 'jpeg-baseline-444-96x128',
      format: 'jpeg',
      bytes: await raw(96, 128, 3).jpeg({ quality: 92, chromaSubsampling: '4:4:4', mozjpeg: false }).toBuffer(),
    },
    {
      name: 'jpeg-grey-128x160',
      format: 'jpeg',
      bytes: await raw(128, 160, 3).greyscale().jpeg({ quality: 85, mozjpeg: false }).toBuffer(),
    },
    { name: 'png-rgb-160x200', format: 'png', bytes: await raw(160, 200, 3).png().toBuffer() },
    { name: 'png-rgba-128x96', format: 'png', bytes: await raw(128, 96, 4).png().toBuffer() },
    {
      name: 'png-palette-200x150',
      format: 'png',
      bytes: await raw(200, 150, 3).png({ palette: true, colours: 64, dither: 0.5 }).toBuffer(),
    },
    { name: 'png-16bit-100x130', format: 'png', bytes: await raw(100, 130, 3).toColourspace('rgb16').png().toBuffer() },
  ];
}

// ---------------------------------------------------------------------------------------------
// structure helpers

interface Span {
  readonly marker: number | string;
  readonly start: number;
  readonly end: number;
}

/** JPEG segments from SOI to EOI; an SOS span includes its entropy-coded data. Stops at the first non-marker. */
function jpegSegments(buf: Buffer): Span[] {
  const spans: Span[] = [{ marker: 0xd8, start: 0, end: 2 }];
  let offset = 2;
  while (offset + 4 <= buf.length && buf[offset] === 0xff) {
    const marker = buf[offset + 1] ?? 0;
    if (marker === 0xd9) {
      spans.push({ marker, start: offset, end: offset + 2 });
      break;
    }
    let end = offset + 2 + buf.readUInt16BE(offset + 2);
    if (marker === 0xda) {
      while (end + 1 < buf.length) {
        const next = buf[end + 1] ?? 0;
        if (buf[end] === 0xff && next !== 0 && !(next >= 0xd0 && next <= 0xd7)) break;
        end++;
      }
    }
    spans.push({ marker, start: offset, end: Math.min(end, buf.length) });
    offset = end;
  }
  return spans;
}

/** PNG chunks after the signature: start of the length field to the end of the CRC. */
function pngChunks(buf: Buffer): Span[] {
  const spans: Span[] = [];
  let offset = 8;
  while (offset + 12 <= buf.length) {
    const length = buf.readUInt32BE(offset);
    const end = offset + 12 + length;
    if (end > buf.length) break;
    spans.push({ marker: buf.toString('latin1', offset + 4, offset + 8), start: offset, end });
    offset = end;
  }
  return spans;
}

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes: Buffer): number {
  let c = 0xffffffff;
  for (const b of bytes) c = (CRC_TABLE[(c ^ b) & 0xff] as number) ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

/** Recomputes the CRC of the chunk at `start` (its length field must still be right). */
function fixPngCrc(buf: Buffer, start: number): void {
  const length = buf.readUInt32BE(start);
  if (start + 12 + length > buf.length) return;
  buf.writeUInt32BE(crc32(buf.subarray(start + 4, start + 8 + length)), start + 8 + length);
}

function splice(buf: Buffer, at: number, remove: number, insert: Buffer = Buffer.alloc(0)): Buffer {
  return Buffer.concat([buf.subarray(0, at), insert, buf.subarray(at + remove)]);
}

/** A position, half the time inside the first 600 bytes (headers), otherwise anywhere. */
function position(rng: Rng, length: number): number {
  return rng.next() < 0.5 ? rng.int(Math.min(length, 600)) : rng.int(length);
}

// ---------------------------------------------------------------------------------------------
// mutations: each returns new bytes and a short description

type Mutation = (buf: Buffer, rng: Rng, base: Base) => { bytes: Buffer; what: string };

const byteFlips: Mutation = (buf, rng) => {
  const out = Buffer.from(buf);
  const n = rng.range(1, 8);
  for (let i = 0; i < n; i++) out[position(rng, out.length)] = rng.int(256);
  return { bytes: out, what: `byte-flip x${n}` };
};

const bitFlips: Mutation = (buf, rng) => {
  const out = Buffer.from(buf);
  const n = rng.range(1, 16);
  for (let i = 0; i < n; i++) {
    const at = position(rng, out.length);
    out[at] = (out[at] ?? 0) ^ (1 << rng.int(8));
  }
  return { bytes: out, what: `bit-flip x${n}` };
};

const truncation: Mutation = (buf, rng) => {
  const choice = rng.int(4);
  const at =
    choice === 0 ? rng.int(Math.min(buf.length, 64)) : choice === 1 ? buf.length - rng.range(1, 16) : position(rng, buf.length);
  return { bytes: buf.subarray(0, Math.max(0, at)), what: `truncate at ${at}/${buf.length}` };
};

const insertion: Mutation = (buf, rng) => {
  const at = position(rng, buf.length);
  const n = rng.range(1, 64);
  const filler = rng.next() < 0.3 ? Buffer.alloc(n, rng.pick([0x00, 0xff])) : rng.bytes(n);
  return { bytes: splice(buf, at, 0, filler), what: `insert ${n} bytes at ${at}` };
};

const PAYLOADS: ReadonlyArray<{ name: string; make: (rng: Rng, base: Base) => Buffer }> = [
  { name: 'random', make: (rng) => rng.bytes(rng.range(1, 4096)) },
  { name: 'eicar', make: () => EICAR },
  { name: 'php', make: () => Buffer.from('<?php system($_GET["c"]); ?>\n', 'latin1') },
  { name: 'script', make: () => Buffer.from('<script>alert(document.cookie)</script>', 'latin1') },
  { name: 'html', make: () => Buffer.from('<html><body onload="x()">hi</body></html>', 'latin1') },
  {
    name: 'zip-header',
    make: (rng) => Buffer.concat([Buffer.from('PK\x03\x04\x14\x00\x00\x00\x08\x00', 'latin1'), rng.bytes(200)]),
  },
  { name: 'elf', make: (rng) => Buffer.concat([Buffer.from('\x7fELF\x02\x01\x01', 'latin1'), rng.bytes(120)]) },
  { name: 'second-image', make: (_rng, base) => base.bytes },
];

const appended: Mutation = (buf, rng, base) => {
  const payload = rng.pick(PAYLOADS);
  return { bytes: Buffer.concat([buf, payload.make(rng, base)]), what: `append ${payload.name}` };
};

const FIELD_VALUES_16 = [0, 1, 2, 63, 64, 65, 0x7fff, 0xffff];

const jpegLengthCorruption: Mutation = (buf, rng, base) => {
  const spans = jpegSegments(buf).filter((s) => s.marker !== 0xd8 && s.marker !== 0xd9 && s.start + 4 <= buf.length);
  if (spans.length === 0) return byteFlips(buf, rng, base);
  const span = rng.pick(spans);
  const out = Buffer.from(buf);
  const old = out.readUInt16BE(span.start + 2);
  const value = rng.next() < 0.5 ? rng.pick([...FIELD_VALUES_16, old - 1, old + 1, old * 2]) : rng.int(0x10000);
  out.writeUInt16BE(value & 0xffff, span.start + 2);
  return { bytes: out, what: `jpeg length of 0x${Number(span.marker).toString(16)} ${old}->${value & 0xffff}` };
};

const jpegDuplication: Mutation = (buf, rng, base) => {
  const spans = jpegSegments(buf).filter((s) => s.marker !== 0xd8);
  if (spans.length === 0) return byteFlips(buf, rng, base);
  const span = rng.pick(spans);
  const copies = rng.next() < 0.8 ? 1 : rng.range(2, 40);
  const segment = buf.subarray(span.start, span.end);
  const insert = Buffer.concat(Array.from({ length: copies }, () => segment));
  const at = rng.next() < 0.5 ? span.end : rng.pick(jpegSegments(buf)).start;
  return { bytes: splice(buf, at, 0, insert), what: `jpeg duplicate 0x${Number(span.marker).toString(16)} x${copies}` };
};

const JPEG_DIMENSIONS = [0, 1, 63, 64, 4000, 12_000, 12_001, 30_000, 60_000, 65_535];

const jpegDimensions: Mutation = (buf, rng) => {
  const sof = jpegSegments(buf).find((s) => typeof s.marker === 'number' && s.marker >= 0xc0 && s.marker <= 0xc3);
  const out = Buffer.from(buf);
  if (!sof) return { bytes: out, what: 'jpeg dimensions: no SOF' };
  const h = rng.next() < 0.5 ? rng.pick(JPEG_DIMENSIONS) : rng.int(0x10000);
  const w = rng.next() < 0.5 ? rng.pick(JPEG_DIMENSIONS) : rng.int(0x10000);
  const which = rng.int(3);
  if (which !== 1) out.writeUInt16BE(h, sof.start + 5);
  if (which !== 0) out.writeUInt16BE(w, sof.start + 7);
  if (rng.next() < 0.2) out[sof.start + 4] = rng.pick([1, 2, 4, 8, 12, 16, 255]); // precision
  if (rng.next() < 0.2) out[sof.start + 9] = rng.pick([0, 1, 2, 3, 4, 255]); // component count
  return { bytes: out, what: `jpeg SOF ${which === 1 ? '-' : h}x${which === 0 ? '-' : w}` };
};

const JPEG_MARKERS = [
  0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc8, 0xc9, 0xcc, 0xcf, 0xd8, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xe0, 0xe1, 0xe2, 0xee,
  0xef, 0xf7, 0xfe, 0x01, 0x00,
];

const jpegMarkerSwap: Mutation = (buf, rng, base) => {
  const spans = jpegSegments(buf).filter((s) => s.start + 1 < buf.length);
  if (spans.length === 0) return byteFlips(buf, rng, base);
  const inner = spans.filter((s) => s.marker !== 0xd8 && s.marker !== 0xd9);
  if (rng.next() < 0.5 && inner.length >= 2) {
    // Reorder: swap two segments' places (e.g. DHT after SOS, SOF after the scan).
    const i = rng.int(inner.length);
    let j = rng.int(inner.length);
    if (j === i) j = (i + 1) % inner.length;
    const [a, b] = [inner[Math.min(i, j)], inner[Math.max(i, j)]] as [Span, Span];
    const bytes = Buffer.concat([
      buf.subarray(0, a.start),
      buf.subarray(b.start, b.end),
      buf.subarray(a.end, b.start),
      buf.subarray(a.start, a.end),
      buf.subarray(b.end),
    ]);
    return { bytes, what: `jpeg swap 0x${Number(a.marker).toString(16)}<->0x${Number(b.marker).toString(16)}` };
  }
  const span = rng.pick(spans);
  const out = Buffer.from(buf);
  const to = rng.pick(JPEG_MARKERS);
  out[span.start + 1] = to;
  return { bytes: out, what: `jpeg marker 0x${Number(span.marker).toString(16)}->0x${to.toString(16)}` };
};

const jpegEntropyOverwrite: Mutation = (buf, rng, base) => {
  const sos = jpegSegments(buf).filter((s) => s.marker === 0xda && s.start + 4 <= buf.length);
  if (sos.length === 0) return byteFlips(buf, rng, base);
  const span = rng.pick(sos);
  const out = Buffer.from(buf);
  const dataStart = span.start + 2 + out.readUInt16BE(span.start + 2);
  const room = span.end - dataStart;
  if (room <= 0) return { bytes: out, what: 'jpeg entropy: empty scan' };
  const n = Math.min(room, rng.range(1, 256));
  const at = dataStart + rng.int(room - n + 1);
  rng.bytes(n).copy(out, at);
  return { bytes: out, what: `jpeg entropy overwrite ${n}` };
};

const PNG_LENGTHS = [0, 1, 12, 13, 0x7fffffff, 0x80000000, 0xffffffff];

const pngLengthCorruption: Mutation = (buf, rng, base) => {
  const chunks = pngChunks(buf);
  if (chunks.length === 0) return byteFlips(buf, rng, base);
  const span = rng.pick(chunks);
  const out = Buffer.from(buf);
  const old = out.readUInt32BE(span.start);
  const value = rng.next() < 0.5 ? rng.pick([...PNG_LENGTHS, old - 1, old + 1, old * 2]) : rng.int(0x100000000);
  out.writeUInt32BE(value >>> 0, span.start);
  return { bytes: out, what: `png length of ${span.marker} ${old}->${value >>> 0}` };
};

const pngDuplication: Mutation = (buf, rng, base) => {
  const chunks = pngChunks(buf);
  if (chunks.length === 0) return byteFlips(buf, rng, base);
  const span = rng.pick(chunks);
  const copies = rng.next() < 0.8 ? 1 : rng.range(2, 40);
  const chunk = buf.subarray(span.start, span.end);
  const insert = Buffer.concat(Array.from({ length: copies }, () => chunk));
  const at = rng.next() < 0.5 ? span.end : rng.pick(chunks).start;
  return { bytes: splice(buf, at, 0, insert), what: `png duplicate ${span.marker} x${copies}` };
};

const PNG_DIMENSIONS = [0, 1, 63, 64, 4000, 12_000, 16_000, 60_000, 65_535, 1_000_000, 0x7fffffff, 0xffffffff];

const pngHeaderEdit: Mutation = (buf, rng) => {
  const ihdr = pngChunks(buf).find((s) => s.marker === 'IHDR');
  const out = Buffer.from(buf);
  if (!ihdr) return { bytes: out, what: 'png IHDR: none' };
  const data = ihdr.start + 8;
  const parts: string[] = [];
  const kind = rng.int(4);
  if (kind <= 1) {
    const w = rng.next() < 0.6 ? rng.pick(PNG_DIMENSIONS) : rng.int(0x10000);
    const h = rng.next() < 0.6 ? rng.pick(PNG_DIMENSIONS) : rng.int(0x10000);
    if (kind === 0 || rng.next() < 0.5) out.writeUInt32BE(w >>> 0, data);
    out.writeUInt32BE(h >>> 0, data + 4);
    parts.push(`${w}x${h}`);
  } else if (kind === 2) {
    out[data + 8] = rng.pick([0, 1, 2, 4, 8, 16, 3, 255]); // bit depth
    out[data + 9] = rng.pick([0, 1, 2, 3, 4, 6, 7]); // colour type
    parts.push(`depth ${out[data + 8]} type ${out[data + 9]}`);
  } else {
    out[data + 10 + rng.int(3)] = rng.pick([1, 2, 255]); // compression / filter / interlace
    parts.push('method bytes');
  }
  const fixCrc = rng.next() < 0.85;
  if (fixCrc) fixPngCrc(out, ihdr.start);
  return { bytes: out, what: `png IHDR ${parts.join(' ')}${fixCrc ? '' : ' (bad CRC)'}` };
};

const PNG_TYPES = [
  'IHDR',
  'PLTE',
  'IDAT',
  'IEND',
  'tRNS',
  'iDAT',
  'IHDr',
  'acTL',
  'fcTL',
  'fdAT',
  'eXIf',
  'iCCP',
  'zzzz',
  '\0\0\0\0',
];

const pngChunkSwap: Mutation = (buf, rng, base) => {
  const chunks = pngChunks(buf);
  if (chunks.length === 0) return byteFlips(buf, rng, base);
  if (rng.next() < 0.5 && chunks.length >= 2) {
    const i = rng.int(chunks.length);
    let j = rng.int(chunks.length);
    if (j === i) j = (i + 1) % chunks.length;
    const [a, b] = [chunks[Math.min(i, j)], chunks[Math.max(i, j)]] as [Span, Span];
    const bytes = Buffer.concat([
      buf.subarray(0, a.start),
      buf.subarray(b.start, b.end),
      buf.subarray(a.end, b.start),
      buf.subarray(a.start, a.end),
      buf.subarray(b.end),
    ]);
    return { bytes, what: `png swap ${a.marker}<->${b.marker}` };
  }
  const span = rng.pick(chunks);
  const out = Buffer.from(buf);
  const to = rng.pick(PNG_TYPES);
  out.write(to, span.start + 4, 'latin1');
  if (rng.next() < 0.85) fixPngCrc(out, span.start);
  return { bytes: out, what: `png type ${span.marker}->${JSON.stringify(to)}` };
};

/** Corrupts chunk data (often IDAT: the zlib stream) and fixes the CRC, so the decoder itself meets the damage. */
const pngDataWithValidCrc: Mutation = (buf, rng, base) => {
  const chunks = pngChunks(buf).filter((s) => s.end - s.start > 12);
  if (chunks.length === 0) return byteFlips(buf, rng, base);
  const idats = chunks.filter((s) => s.marker === 'IDAT');
  const span = idats.length > 0 && rng.next() < 0.7 ? rng.pick(idats) : rng.pick(chunks);
  const out = Buffer.from(buf);
  const length = out.readUInt32BE(span.start);
  const n = rng.range(1, 12);
  for (let i = 0; i < n; i++) out[span.start + 8 + rng.int(length)] = rng.int(256);
  fixPngCrc(out, span.start);
  return { bytes: out, what: `png ${span.marker} data x${n}, CRC fixed` };
};

const generic: readonly Mutation[] = [byteFlips, bitFlips, truncation, insertion, appended];
const forJpeg: readonly Mutation[] = [
  ...generic,
  jpegLengthCorruption,
  jpegDuplication,
  jpegDimensions,
  jpegMarkerSwap,
  jpegEntropyOverwrite,
];
const forPng: readonly Mutation[] = [
  ...generic,
  pngLengthCorruption,
  pngDuplication,
  pngHeaderEdit,
  pngChunkSwap,
  pngDataWithValidCrc,
];

/** Case i of a base: each family in turn, every third round a stack of 2–3 random families. */
function mutate(base: Base, index: number, rng: Rng): { bytes: Buffer; what: string } {
  const families = base.format === 'jpeg' ? forJpeg : forPng;
  const round = Math.floor(index / families.length);
  if (round % 3 === 2) {
    let bytes = base.bytes;
    const what: string[] = [];
    for (let k = rng.range(2, 3); k > 0; k--) {
      if (bytes.length < 16) break;
      const step = rng.pick(families)(bytes, rng, base);
      bytes = step.bytes;
      what.push(step.what);
    }
    return { bytes, what: what.join(' + ') };
  }
  return (families[index % families.length] as Mutation)(base.bytes, rng, base);
}

// ---------------------------------------------------------------------------------------------
// the output check: independent of the sanitizer's own verification

/** Returns why `jpeg` is not a complete, plain baseline JPEG, or null. */
function plainBaselineJpegProblem(jpeg: Buffer): string | null {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return 'does not start with FFD8';
  if (jpeg[jpeg.length - 2] !== 0xff || jpeg[jpeg.length - 1] !== 0xd9) return 'does not end with FFD9';
  let offset = 2;
  let scans = 0;
  let frames = 0;
  while (offset < jpeg.length) {
    if (jpeg[offset] !== 0xff || offset + 1 >= jpeg.length) return `no marker at ${offset}`;
    const marker = jpeg[offset + 1] ?? 0;
    if (marker === 0xd9) return offset + 2 === jpeg.length ? null : `bytes after EOI at ${offset}`;
    if (offset + 4 > jpeg.length) return 'segment header cut off';
    const length = jpeg.readUInt16BE(offset + 2);
    if (marker === 0xfe) return 'COM segment';
    if (marker >= 0xe1 && marker <= 0xef) return `APP${marker - 0xe0} segment`;
    if (marker === 0xe0 && (length !== 16 || jpeg.toString('latin1', offset + 4, offset + 9) !== 'JFIF\0')) {
      return 'APP0 is not bare JFIF';
    }
    if (marker >= 0xc1 && marker <= 0xcf && marker !== 0xc4 && marker !== 0xc8 && marker !== 0xcc) {
      return `frame 0x${marker.toString(16)} is not baseline`;
    }
    if (marker === 0xc0) frames++;
    let end = offset + 2 + length;
    if (marker === 0xda) {
      scans++;
      while (end + 1 < jpeg.length) {
        const next = jpeg[end + 1] ?? 0;
        if (jpeg[end] === 0xff && next !== 0 && !(next >= 0xd0 && next <= 0xd7)) break;
        end++;
      }
    }
    if (end > jpeg.length) return 'segment runs past the end';
    offset = end;
    if (scans > 1) return 'more than one scan';
  }
  return frames === 1 ? 'no EOI' : `${frames} frames`;
}

async function acceptedOutputProblem(output: Buffer, width: number, height: number, input: Buffer): Promise<string | null> {
  if (output.equals(input)) return 'output equals the input';
  const structural = plainBaselineJpegProblem(output);
  if (structural !== null) return structural;
  const meta = await sharp(output).metadata();
  if (meta.format !== 'jpeg') return `format ${meta.format}`;
  if (meta.isProgressive) return 'progressive';
  if (meta.exif || meta.icc || meta.xmp || meta.iptc) return 'metadata present';
  const { info } = await sharp(output, { failOn: 'warning' }).raw().toBuffer({ resolveWithObject: true });
  if (info.width !== width || info.height !== height)
    return `decodes to ${info.width}x${info.height}, reported ${width}x${height}`;
  if (info.channels !== 3) return `${info.channels} channels`;
  return null;
}

// ---------------------------------------------------------------------------------------------

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'scan-fuzz-'));
let clamd: RunningClamd | undefined;
let deps: VetUploadDeps;
let bases: Base[] = [];
const rng = mulberry32(SEED);

const counts = new Map<string, number>();
const failures: string[] = [];
let cases = 0;
let maxCaseMs = 0;
let maxCaseWhat = '';
let rssBaseline = 0;
let rssPeak = 0;
let sampler: NodeJS.Timeout | undefined;

function sampleRss(): void {
  rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
}

function clamdPeakKb(pid: number): number | null {
  try {
    const match = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'latin1'));
    return match ? Number(match[1]) : null;
  } catch {
    return null;
  }
}

beforeAll(async () => {
  if (findClamd() === null) throw new Error(CLAMD_MISSING);
  clamd = await startClamd({ runDir: path.join(tmpRoot, 'run'), signaturesDir: SIGNATURES_DIR });
  deps = { sanitizer: createSharpImageSanitizer(), scanner: createClamdScanner({ socketPath: clamd.socketPath }) };
  bases = await makeBases(rng);
  // Warm up sharp and the clamd connection path, so the baseline includes the libraries' steady state.
  for (const base of bases) await vetUpload(base.bytes, deps);
  rssBaseline = process.memoryUsage.rss();
  rssPeak = rssBaseline;
  sampler = setInterval(sampleRss, 25);
});

afterAll(async () => {
  if (sampler) clearInterval(sampler);
  const clamdPeak = clamd ? clamdPeakKb(clamd.pid) : null;
  await clamd?.stop();
  rmSync(tmpRoot, { recursive: true, force: true });
  const byCode = [...counts.entries()].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => `${k} ${v}`);
  console.log(
    [
      `scan fuzz: ${cases} cases (seed 0x${SEED.toString(16)}, ${bases.length} bases)`,
      `  outcomes: ${byCode.join(', ')}`,
      `  max case time ${maxCaseMs.toFixed(0)} ms (${maxCaseWhat})`,
      `  process RSS baseline ${(rssBaseline / 2 ** 20).toFixed(0)} MB, peak ${(rssPeak / 2 ** 20).toFixed(0)} MB, growth ${((rssPeak - rssBaseline) / 2 ** 20).toFixed(0)} MB`,
      `  clamd peak RSS (VmHWM) ${clamdPeak === null ? 'n/a' : `${(clamdPeak / 1024).toFixed(0)} MB`}`,
    ].join('\n'),
  );
});

describe('vetUpload on mutated JPEGs and PNGs (sharp + real clamd)', () => {
  test('the bases are valid and accepted unmutated', async () => {
    expect(bases.map((b) => b.name)).toHaveLength(8);
    const meta = await Promise.all(bases.map((b) => sharp(b.bytes).metadata()));
    expect(meta.map((m) => m.isProgressive)).toEqual([false, true, false, false, false, false, false, false]);
    expect(meta.find((m) => m.depth === 'ushort')?.format).toBe('png');
    expect(meta.filter((m) => m.isPalette)).toHaveLength(1);
    for (const base of bases) expect((await vetUpload(base.bytes, deps)).outcome).toBe('accepted');
  });

  // One test per base, in order (the PRNG stream is shared, so the cases are the same every run).
  for (const name of [
    'jpeg-baseline-240x320',
    'jpeg-progressive-320x240',
    'jpeg-baseline-444-96x128',
    'jpeg-grey-128x160',
    'png-rgb-160x200',
    'png-rgba-128x96',
    'png-palette-200x150',
    'png-16bit-100x130',
  ]) {
    test(`${CASES_PER_BASE} mutations of ${name}`, async () => {
      const base = bases.find((b) => b.name === name);
      if (!base) throw new Error(`no base ${name}`);
      const localFailures: string[] = [];
      for (let i = 0; i < CASES_PER_BASE; i++) {
        const { bytes, what } = mutate(base, i, rng);
        const label = `${name}#${i} ${what}`;
        const started = performance.now();
        let outcome: Awaited<ReturnType<typeof vetUpload>>;
        try {
          outcome = await vetUpload(bytes, deps);
        } catch (err) {
          localFailures.push(`${label}: threw ${err instanceof Error ? err.message : String(err)}`);
          continue;
        } finally {
          const elapsed = performance.now() - started;
          cases++;
          if (elapsed > maxCaseMs) {
            maxCaseMs = elapsed;
            maxCaseWhat = label;
          }
          if (elapsed > CASE_TIME_BOUND_MS) localFailures.push(`${label}: took ${elapsed.toFixed(0)} ms`);
          sampleRss();
        }
        const key = outcome.outcome === 'accepted' ? 'accepted' : `rejected:${outcome.code}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
        if (outcome.outcome === 'accepted') {
          const problem = await acceptedOutputProblem(Buffer.from(outcome.output), outcome.width, outcome.height, bytes).catch(
            (err: unknown) => `output check threw: ${err instanceof Error ? err.message : String(err)}`,
          );
          if (problem !== null) localFailures.push(`${label}: accepted, but ${problem}`);
        }
      }
      failures.push(...localFailures);
      expect(localFailures).toEqual([]);
    });
  }

  test('at least 1,000 cases, all within the time bound, the process RSS growth within the memory bound', () => {
    expect(cases).toBeGreaterThanOrEqual(1_000);
    expect(failures).toEqual([]);
    expect(maxCaseMs).toBeLessThan(CASE_TIME_BOUND_MS);
    // Both outcomes occur: the fuzzing reaches past the header checks, and it breaks things.
    expect(counts.get('accepted') ?? 0).toBeGreaterThan(50);
    expect([...counts.keys()].filter((k) => k.startsWith('rejected:')).length).toBeGreaterThan(3);
    expect(counts.get('rejected:signature-hit') ?? 0).toBeGreaterThan(0);
    expect((rssPeak - rssBaseline) / 2 ** 20).toBeLessThan(RSS_GROWTH_BOUND_MB);
  });
});
