/**
 * The clamd signature-scan layer against a real clamd started here with the project signatures
 * (`clamav/signatures`), the failure modes against fake servers on temporary sockets, and the
 * whole malware defence (`vetUpload` with the sharp sanitizer) over the shared upload corpus
 * (`../shared/corpus/uploads`).
 *
 * clamd is required: when it is not installed the suite FAILS (it never skips). `.ci/run`
 * installs it with `apt-get install -y clamav-daemon`. The EICAR test string is built here from
 * base64 at run time: no repository file contains it.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import sharp from 'sharp';
import {
  CLAMD_SETTINGS,
  ClamdStartError,
  findClamd,
  type RunningClamd,
  renderClamdConfig,
  startClamd,
} from '../../functions/adapters/clamav/clamd-process';
import { type ClamdScanner, createClamdScanner, parseInstreamReply } from '../../functions/adapters/clamav/clamd-scanner';
import { createSharpImageSanitizer } from '../../functions/adapters/image/sharp-image-sanitizer';
import type { MalwareScanner } from '../../functions/core/ports';
import { type VetOutcome, vetUpload } from '../../functions/scan-upload/vet-upload';

const REPO = path.resolve(__dirname, '../..');
const SIGNATURES_DIR = path.join(REPO, 'clamav/signatures');
const CORPUS_DIR = path.resolve(__dirname, '../../../shared/corpus/uploads');
const EICAR = Buffer.from(
  'WDVPIVAlQEFQWzRcUFpYNTQoUF4pN0NDKTd9JEVJQ0FSLVNUQU5EQVJELUFOVElWSVJVUy1URVNULUZJTEUhJEgrSCo=',
  'base64',
);

const EICAR_SIGNATURE = /^PassportPrereview\.Test\.EICAR-Anywhere(\.UNOFFICIAL)?$/;
const PHP_SIGNATURE = /^PassportPrereview\.Policy\.PHP-Tag-In-Image(\.UNOFFICIAL)?$/;
const SCRIPT_SIGNATURE = /^PassportPrereview\.Policy\.Script-Tag-In-Image(\.UNOFFICIAL)?$/;
const ELF_SIGNATURE = /^PassportPrereview\.Policy\.ELF-Header(\.UNOFFICIAL)?$/;
const PE_SIGNATURE = /^YARA\.PassportPrereview_Policy_PE_Header(\.UNOFFICIAL)?$/;

const CLAMD_MISSING =
  'clamd is not installed: this suite needs a real clamd (Debian package clamav-daemon). ' +
  '.ci/run installs it with `apt-get install -y clamav-daemon`; on a dev machine run the same.';

const tmpRoot = mkdtempSync(path.join(os.tmpdir(), 'clamd-test-'));
afterAll(() => rmSync(tmpRoot, { recursive: true, force: true }));

let tmpCounter = 0;
function tmpPath(name: string): string {
  tmpCounter += 1;
  return path.join(tmpRoot, `${tmpCounter}-${name}`);
}

// ---------------------------------------------------------------------------------------------
// image factories: every image carries unique bytes, so clamd's clean-cache never answers

/** A generated noise JPEG with a random comment: never the same bytes twice. */
async function uniqueJpeg(width = 300, height = 400): Promise<Buffer> {
  const noise = { type: 'gaussian' as const, mean: 128, sigma: 30 };
  const jpeg = await sharp({ create: { width, height, channels: 3, background: '#000000', noise } })
    .jpeg({ quality: 85 })
    .toBuffer();
  return withComment(jpeg, Buffer.from(`unique ${randomBytes(16).toString('hex')}`, 'latin1'));
}

/** Inserts a JPEG COM segment (FF FE, 2-byte length) right after SOI: a valid JPEG still. */
function withComment(jpeg: Buffer, payload: Buffer): Buffer {
  const header = Buffer.from([0xff, 0xfe, 0, 0]);
  header.writeUInt16BE(payload.length + 2, 2);
  return Buffer.concat([jpeg.subarray(0, 2), header, payload, jpeg.subarray(2)]);
}

async function eicarInJpegComment(): Promise<Buffer> {
  const payload = Buffer.concat([Buffer.from(`${randomBytes(8).toString('hex')} `, 'latin1'), EICAR]);
  return withComment(await uniqueJpeg(), payload);
}

function minimalPe(): Buffer {
  const pe = Buffer.alloc(256);
  pe.write('MZ', 0, 'latin1');
  pe.writeUInt32LE(0x80, 0x3c);
  pe.write('PE\0\0', 0x80, 'latin1');
  randomBytes(32).copy(pe, 0x90);
  return pe;
}

// ---------------------------------------------------------------------------------------------
// fake clamd servers

interface FakeServer {
  readonly address: { socketPath: string } | { host: string; port: number };
  close(): Promise<void>;
}

async function fakeServer(onConnection: (socket: net.Socket) => void, tcp = false): Promise<FakeServer> {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => undefined);
    onConnection(socket);
  });
  const socketPath = tmpPath('fake.sock');
  await new Promise<void>((resolve) => (tcp ? server.listen(0, '127.0.0.1', resolve) : server.listen(socketPath, resolve)));
  const bound = server.address();
  const address = tcp && bound !== null && typeof bound === 'object' ? { host: '127.0.0.1', port: bound.port } : { socketPath };
  return {
    address,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** Reads the INSTREAM framing from the client; calls back with the chunks once the zero chunk arrives. */
function readInstream(socket: net.Socket, onStream: (command: string, chunks: Buffer[]) => void): void {
  let buffered = Buffer.alloc(0);
  socket.on('data', (data: Buffer) => {
    buffered = Buffer.concat([buffered, data]);
    const commandEnd = buffered.indexOf(0);
    if (commandEnd < 0) return;
    const chunks: Buffer[] = [];
    let offset = commandEnd + 1;
    while (offset + 4 <= buffered.length) {
      const length = buffered.readUInt32BE(offset);
      if (length === 0) {
        onStream(buffered.subarray(0, commandEnd).toString('latin1'), chunks);
        return;
      }
      if (offset + 4 + length > buffered.length) return;
      chunks.push(buffered.subarray(offset + 4, offset + 4 + length));
      offset += 4 + length;
    }
  });
}

async function withFake(reply: (socket: net.Socket) => void, run: (scanner: ClamdScanner) => Promise<void>, timeoutMs = 2_000) {
  const server = await fakeServer(reply);
  try {
    await run(createClamdScanner(server.address, { timeoutMs }));
  } finally {
    await server.close();
  }
}

// ---------------------------------------------------------------------------------------------
// corpus

interface CorpusRow {
  readonly file: string;
  readonly kind: string;
  readonly expected: 'accept' | 'sanitize' | 'reject';
}

function readCorpusManifest(): CorpusRow[] {
  const manifest = path.join(CORPUS_DIR, 'manifest.csv');
  if (!existsSync(manifest)) {
    throw new Error(`upload corpus missing: ${manifest} not found (this suite needs ../shared/corpus/uploads next to the repo)`);
  }
  const [header, ...lines] = readFileSync(manifest, 'utf8').split(/\r?\n/).filter(Boolean);
  if (header !== 'file,kind,expected,why') throw new Error(`unexpected manifest header: ${header}`);
  return lines.map((line) => {
    const [file, kind, expected] = line.split(',');
    if (!file || !kind || (expected !== 'accept' && expected !== 'sanitize' && expected !== 'reject')) {
      throw new Error(`unexpected manifest line: ${line}`);
    }
    return { file, kind, expected };
  });
}

const corpus = readCorpusManifest();

// =============================================================================================

describe('clamd reply parsing', () => {
  test('OK is clean, FOUND is infected with the signature name', () => {
    expect(parseInstreamReply('stream: OK')).toEqual({ verdict: 'clean', engine: 'clamd' });
    expect(parseInstreamReply('stream: Win.Test.EICAR_HDB-1 FOUND')).toEqual({
      verdict: 'infected',
      engine: 'clamd',
      signature: 'Win.Test.EICAR_HDB-1',
    });
  });

  test.each([
    'INSTREAM size limit exceeded. ERROR',
    'stream: lstat() failed: No such file or directory. ERROR',
    'stream: Can not allocate memory ERROR',
    '',
    'PONG',
    'stream: OK extra',
    'stream:  FOUND',
    'stream: \u0001bad FOUND',
    'stream: ok',
  ])('anything else throws: %j', (reply) => {
    expect(() => parseInstreamReply(reply)).toThrow();
  });
});

describe('clamd client against fake servers (failure modes fail closed)', () => {
  const payload = Buffer.from('not scanned by anything real', 'latin1');

  test('frames INSTREAM correctly: command, 4-byte big-endian chunk lengths, zero terminator', async () => {
    const data = randomBytes(5_500);
    let seen: { command: string; chunks: Buffer[] } | null = null;
    const server = await fakeServer((socket) =>
      readInstream(socket, (command, chunks) => {
        seen = { command, chunks };
        socket.end('stream: OK\0');
      }),
    );
    try {
      const scanner = createClamdScanner(server.address, { timeoutMs: 2_000, chunkBytes: 1_000 });
      await expect(scanner.scan(data)).resolves.toEqual({ verdict: 'clean', engine: 'clamd' });
    } finally {
      await server.close();
    }
    const got = seen as { command: string; chunks: Buffer[] } | null;
    expect(got?.command).toBe('zINSTREAM');
    expect(got?.chunks.map((chunk) => chunk.length)).toEqual([1000, 1000, 1000, 1000, 1000, 500]);
    expect(Buffer.concat(got?.chunks ?? []).equals(data)).toBe(true);
  });

  test('an empty upload is sent as the zero chunk alone', async () => {
    await withFake(
      (socket) => readInstream(socket, (_command, chunks) => socket.end(chunks.length === 0 ? 'stream: OK\0' : 'bad\0')),
      async (scanner) => expect(await scanner.scan(new Uint8Array(0))).toEqual({ verdict: 'clean', engine: 'clamd' }),
    );
  });

  test('FOUND over TCP maps to infected with the signature name', async () => {
    const server = await fakeServer((socket) => readInstream(socket, () => socket.end('stream: Fake.Sig-1 FOUND\0')), true);
    try {
      expect('port' in server.address).toBe(true);
      await expect(createClamdScanner(server.address, { timeoutMs: 2_000 }).scan(payload)).resolves.toEqual({
        verdict: 'infected',
        engine: 'clamd',
        signature: 'Fake.Sig-1',
      });
    } finally {
      await server.close();
    }
  });

  test('a server that never answers: throws after the timeout', async () => {
    await withFake(
      () => undefined,
      async (scanner) => {
        const started = Date.now();
        await expect(scanner.scan(payload)).rejects.toThrow(/did not answer within 300 ms/);
        expect(Date.now() - started).toBeLessThan(2_000);
      },
      300,
    );
  });

  test('a server that trickles bytes but never finishes the reply: throws after the timeout', async () => {
    await withFake(
      (socket) => {
        const timer = setInterval(() => socket.write('s'), 50);
        socket.on('close', () => clearInterval(timer));
      },
      async (scanner) => expect(scanner.scan(payload)).rejects.toThrow(/within 300 ms/),
      300,
    );
  });

  test('a server that answers garbage: throws', async () => {
    await withFake(
      (socket) => readInstream(socket, () => socket.end('hello there\0')),
      async (scanner) => expect(scanner.scan(payload)).rejects.toThrow(/unexpected clamd reply/),
    );
  });

  test('a server that answers an endless line: throws', async () => {
    await withFake(
      (socket) => socket.end(Buffer.alloc(10_000, 0x41)),
      async (scanner) => expect(scanner.scan(payload)).rejects.toThrow(),
    );
  });

  test('a server that answers "INSTREAM size limit exceeded. ERROR": throws', async () => {
    await withFake(
      (socket) => readInstream(socket, () => socket.end('INSTREAM size limit exceeded. ERROR\0')),
      async (scanner) => expect(scanner.scan(payload)).rejects.toThrow(/size limit exceeded/),
    );
  });

  test('a reply cut before its NUL terminator: throws', async () => {
    await withFake(
      (socket) => readInstream(socket, () => socket.end('stream: OK')),
      async (scanner) => expect(scanner.scan(payload)).rejects.toThrow(/without a complete reply/),
    );
  });

  test('a server that closes immediately: throws', async () => {
    await withFake(
      (socket) => socket.destroy(),
      async (scanner) => expect(scanner.scan(payload)).rejects.toThrow(/clamd/),
    );
  });

  test('a server that answers nothing and closes: throws', async () => {
    await withFake(
      (socket) => readInstream(socket, () => socket.end()),
      async (scanner) => expect(scanner.scan(payload)).rejects.toThrow(/without a complete reply/),
    );
  });

  test('no socket file: throws ENOENT', async () => {
    const scanner = createClamdScanner({ socketPath: tmpPath('absent.sock') }, { timeoutMs: 2_000 });
    await expect(scanner.scan(payload)).rejects.toThrow(/ENOENT/);
    await expect(scanner.ping()).rejects.toThrow(/ENOENT/);
  });

  test('a stale socket path (nothing listening): throws ECONNREFUSED', async () => {
    const stale = tmpPath('stale.sock');
    writeFileSync(stale, '');
    await expect(createClamdScanner({ socketPath: stale }, { timeoutMs: 2_000 }).scan(payload)).rejects.toThrow(/ECONNREFUSED/);
  });

  test('a closed TCP port: throws ECONNREFUSED', async () => {
    const server = await fakeServer(() => undefined, true);
    const address = server.address;
    await server.close();
    await expect(createClamdScanner(address, { timeoutMs: 2_000 }).scan(payload)).rejects.toThrow(/ECONNREFUSED/);
  });

  test('ping needs PONG', async () => {
    await withFake(
      (socket) => socket.end('PONG\0'),
      async (scanner) => expect(scanner.ping()).resolves.toBeUndefined(),
    );
    await withFake(
      (socket) => socket.end('PANG\0'),
      async (scanner) => expect(scanner.ping()).rejects.toThrow(/PING/),
    );
  });

  test('through vetUpload, every scanner failure is a scanner-error reject', async () => {
    const jpeg = await uniqueJpeg();
    const sanitizer = createSharpImageSanitizer();
    const failing: Array<(socket: net.Socket) => void> = [
      (socket) => socket.destroy(),
      (socket) => readInstream(socket, () => socket.end('garbage\0')),
      (socket) => readInstream(socket, () => socket.end('INSTREAM size limit exceeded. ERROR\0')),
      () => undefined,
    ];
    for (const reply of failing) {
      await withFake(
        reply,
        async (scanner) => {
          const outcome = await vetUpload(jpeg, { sanitizer, scanner });
          expect(outcome).toMatchObject({ outcome: 'rejected', code: 'scanner-error' });
        },
        300,
      );
    }
  });
});

describe('clamd config', () => {
  test('clamav/clamd.conf.template has exactly the directives startClamd writes', () => {
    const template = readFileSync(path.join(REPO, 'clamav/clamd.conf.template'), 'utf8');
    const directives = template
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line && !line.startsWith('#'))
      .map((line) => {
        const space = line.indexOf(' ');
        return [line.slice(0, space), line.slice(space + 1)] as const;
      });
    expect(directives).toEqual(CLAMD_SETTINGS.map(([key, value]) => [key, value]));
  });

  test('the generated config: unix socket only, fuzzy hash off, stream limit above the 10 MiB cap', () => {
    const config = renderClamdConfig('/run/x', '/sigs');
    expect(config).toContain('LocalSocket /run/x/clamd.sock\n');
    expect(config).toContain('DatabaseDirectory /sigs\n');
    expect(config).toContain('ScanImageFuzzyHash no\n');
    expect(config).toContain('Foreground yes\n');
    expect(config).toContain('SelfCheck 0\n');
    expect(config).toContain('MaxThreads 2\n');
    expect(config).not.toMatch(/^TCP/m);
    expect(config).not.toMatch(/^LogFile/m);
    const limit = /^StreamMaxLength (\d+)M$/m.exec(config)?.[1];
    expect(Number(limit) * 1024 * 1024).toBeGreaterThan(10 * 1024 * 1024);
    expect(() => renderClamdConfig('/run/x\nTCPSocket 3310', '/sigs')).toThrow(ClamdStartError);
  });
});

describe('real clamd with the project signatures', () => {
  let clamd: RunningClamd | undefined;
  let scanner: ClamdScanner;

  beforeAll(async () => {
    if (findClamd() === null) throw new Error(CLAMD_MISSING);
    clamd = await startClamd({ runDir: tmpPath('run'), signaturesDir: SIGNATURES_DIR });
    scanner = createClamdScanner({ socketPath: clamd.socketPath });
  });
  afterAll(async () => {
    await clamd?.stop();
  });

  test('answers PING', async () => {
    await expect(scanner.ping()).resolves.toBeUndefined();
  });

  test('the raw EICAR test file: infected with the project signature', async () => {
    const result = await scanner.scan(EICAR);
    expect(result.verdict).toBe('infected');
    expect(result.verdict === 'infected' && result.signature).toMatch(EICAR_SIGNATURE);
  });

  test('EICAR inside a COM segment of a valid JPEG: infected', async () => {
    const jpeg = await eicarInJpegComment();
    expect((await sharp(jpeg).metadata()).format).toBe('jpeg');
    const result = await scanner.scan(jpeg);
    expect(result.verdict === 'infected' && result.signature).toMatch(EICAR_SIGNATURE);
  });

  test('EICAR appended after the JPEG end: infected', async () => {
    const result = await scanner.scan(Buffer.concat([await uniqueJpeg(), EICAR]));
    expect(result.verdict === 'infected' && result.signature).toMatch(EICAR_SIGNATURE);
  });

  test('clean generated JPEGs, unique bytes each time: clean', async () => {
    for (let i = 0; i < 5; i += 1) {
      await expect(scanner.scan(await uniqueJpeg())).resolves.toEqual({ verdict: 'clean', engine: 'clamd' });
    }
  });

  test('a generated PNG: clean', async () => {
    const png = await sharp({ create: { width: 200, height: 260, channels: 3, background: '#8899aa' } })
      .png()
      .toBuffer();
    await expect(scanner.scan(png)).resolves.toEqual({ verdict: 'clean', engine: 'clamd' });
  });

  test('a PHP open tag inside a JPEG (any case): infected', async () => {
    for (const tag of ['<?php', '<?PHP']) {
      const jpeg = withComment(await uniqueJpeg(), Buffer.from(`${tag} system($_GET["c"]); ?>`, 'latin1'));
      const result = await scanner.scan(jpeg);
      expect(result.verdict === 'infected' && result.signature).toMatch(PHP_SIGNATURE);
    }
  });

  test('a script tag inside a JPEG: infected', async () => {
    const jpeg = withComment(await uniqueJpeg(), Buffer.from('<SCRIPT>alert(1)</script>', 'latin1'));
    const result = await scanner.scan(jpeg);
    expect(result.verdict === 'infected' && result.signature).toMatch(SCRIPT_SIGNATURE);
  });

  test('executable headers: ELF at offset 0 and PE (MZ + PE at e_lfanew) are infected; "MZ" alone is not', async () => {
    const elf = Buffer.concat([Buffer.from([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1]), randomBytes(64)]);
    const elfResult = await scanner.scan(elf);
    expect(elfResult.verdict === 'infected' && elfResult.signature).toMatch(ELF_SIGNATURE);
    const peResult = await scanner.scan(minimalPe());
    expect(peResult.verdict === 'infected' && peResult.signature).toMatch(PE_SIGNATURE);
    const mzText = Buffer.from(`MZ is just text ${randomBytes(8).toString('hex')}`, 'latin1');
    await expect(scanner.scan(mzText)).resolves.toEqual({ verdict: 'clean', engine: 'clamd' });
  });

  test('a stream over StreamMaxLength (12 MiB): throws, never clean', async () => {
    await expect(scanner.scan(Buffer.alloc(12 * 1024 * 1024 + 1, 0x20))).rejects.toThrow(/size limit exceeded/);
  });

  test('concurrent scans each get their own verdict', async () => {
    const inputs = await Promise.all([uniqueJpeg(), eicarInJpegComment(), uniqueJpeg(), eicarInJpegComment()]);
    const verdicts = await Promise.all(inputs.map((input) => scanner.scan(input).then((result) => result.verdict)));
    expect(verdicts).toEqual(['clean', 'infected', 'clean', 'infected']);
  });

  describe('startClamd fails clearly instead of hanging', () => {
    test('a clamd binary that does not exist', async () => {
      await expect(
        startClamd({ runDir: tmpPath('run'), signaturesDir: SIGNATURES_DIR, clamdPath: tmpPath('no-clamd') }),
      ).rejects.toThrow(/not found or not executable/);
    });

    test('a signature folder that does not exist', async () => {
      await expect(startClamd({ runDir: tmpPath('run'), signaturesDir: tmpPath('no-sigs') })).rejects.toThrow(
        /signature folder not found/,
      );
    });

    test('an empty signature folder: clamd exits and its own message is reported', async () => {
      const empty = tmpPath('empty-sigs');
      mkdirSync(empty);
      await expect(startClamd({ runDir: tmpPath('run'), signaturesDir: empty })).rejects.toThrow(
        /exited during start-up.*(database|signature)/i,
      );
    });
  });

  describe('through vetUpload with the sharp sanitizer', () => {
    const sanitizer = createSharpImageSanitizer();

    test('EICAR in a valid JPEG is rejected as a signature hit, with the signature name', async () => {
      const outcome = await vetUpload(await eicarInJpegComment(), { sanitizer, scanner });
      expect(outcome).toMatchObject({ outcome: 'rejected', code: 'signature-hit' });
      expect(outcome.outcome === 'rejected' && outcome.signature).toMatch(EICAR_SIGNATURE);
    });

    test('a clean JPEG is accepted with signatureScan clean', async () => {
      const outcome = await vetUpload(await uniqueJpeg(), { sanitizer, scanner });
      expect(outcome).toMatchObject({ outcome: 'accepted', signatureScan: 'clean', width: 300, height: 400 });
    });

    test('clamd down (stopped): rejected as scanner-error', async () => {
      const second = await startClamd({ runDir: tmpPath('run'), signaturesDir: SIGNATURES_DIR });
      const downScanner: MalwareScanner = createClamdScanner({ socketPath: second.socketPath }, { timeoutMs: 2_000 });
      await second.stop();
      const outcome = await vetUpload(await uniqueJpeg(), { sanitizer, scanner: downScanner });
      expect(outcome).toMatchObject({ outcome: 'rejected', code: 'scanner-error' });
    });

    test('clamd never installed / no socket: rejected as scanner-error', async () => {
      const absent = createClamdScanner({ socketPath: tmpPath('absent.sock') }, { timeoutMs: 2_000 });
      const outcome = await vetUpload(await uniqueJpeg(), { sanitizer, scanner: absent });
      expect(outcome).toMatchObject({ outcome: 'rejected', code: 'scanner-error' });
    });

    describe('the shared upload corpus', () => {
      const outcomes = new Map<string, VetOutcome>();

      beforeAll(async () => {
        for (const row of corpus) {
          outcomes.set(row.file, await vetUpload(readFileSync(path.join(CORPUS_DIR, row.file)), { sanitizer, scanner }));
        }
      });

      const rows = (expected: CorpusRow['expected']) =>
        corpus.filter((row) => row.expected === expected).map((row) => [row.file]);

      test('has all three kinds of row', () => {
        expect(new Set(corpus.map((row) => row.expected))).toEqual(new Set(['accept', 'sanitize', 'reject']));
      });

      test.each(rows('reject'))('reject row %s is rejected', (file) => {
        expect(outcomes.get(file)).toMatchObject({ outcome: 'rejected' });
      });

      test('eicar-in-com.jpg (a valid JPEG that CDR alone would clean) is rejected as a signature hit', () => {
        const outcome = outcomes.get('eicar-in-com.jpg');
        expect(outcome).toMatchObject({ outcome: 'rejected', code: 'signature-hit' });
        expect(outcome?.outcome === 'rejected' && outcome.signature).toMatch(EICAR_SIGNATURE);
      });

      test.each(rows('accept'))('accept row %s is accepted with signatureScan clean', (file) => {
        expect(outcomes.get(file)).toMatchObject({ outcome: 'accepted', signatureScan: 'clean' });
      });

      test.each(rows('sanitize'))('sanitize row %s is rejected or accepted as a clean rebuild', (file) => {
        const outcome = outcomes.get(file);
        if (outcome?.outcome === 'accepted') expect(outcome.signatureScan).toBe('clean');
        else expect(outcome).toMatchObject({ outcome: 'rejected' });
      });

      test('no corpus file causes a scanner error', () => {
        const errors = [...outcomes].filter(([, outcome]) => outcome.outcome === 'rejected' && outcome.code === 'scanner-error');
        expect(errors).toEqual([]);
      });
    });
  });
});
