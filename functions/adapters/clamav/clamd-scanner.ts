/**
 * The `MalwareScanner` port over a running clamd: the `zINSTREAM` command on a unix socket (or
 * TCP), no dependencies. The bytes are sent as chunks, each preceded by its length as a 4-byte
 * big-endian integer, then a zero-length chunk ends the stream.
 *
 * Replies map to verdicts strictly:
 * - `stream: OK` → `clean`
 * - `stream: <signature> FOUND` → `infected`, with the signature name
 * - anything else (`... ERROR` such as `INSTREAM size limit exceeded. ERROR`, garbage, an empty
 *   reply, a reply without its NUL terminator, a closed connection) → the promise REJECTS
 * Connection errors (ENOENT, ECONNREFUSED, EPIPE) and the wall-clock timeout also reject. The
 * caller treats every rejection as "reject the upload" (fail closed).
 *
 * Error messages carry clamd's reply (bounded, printable ASCII) and never the scanned bytes.
 */
import net from 'node:net';
import type { MalwareScanner, MalwareScanResult } from '../../core/ports';

/** Where clamd listens: its `LocalSocket`, or `TCPAddr`/`TCPSocket`. */
export type ClamdAddress = { readonly socketPath: string } | { readonly host: string; readonly port: number };

export interface ClamdScannerOptions {
  /** Wall-clock budget for one command, connect to last reply byte. Default 10 s. */
  readonly timeoutMs?: number;
  /** Size of the INSTREAM chunks. Default 64 KiB. */
  readonly chunkBytes?: number;
}

export interface ClamdScanner extends MalwareScanner {
  /** Resolves when clamd answers `PONG`; rejects otherwise (down, wrong reply, timeout). */
  ping(): Promise<void>;
}

export const CLAMD_ENGINE = 'clamd';

const DEFAULT_TIMEOUT_MS = 10_000;
const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** A reply longer than this is not clamd talking: stop reading and fail. */
const MAX_REPLY_BYTES = 4096;
const MAX_DETAIL_LENGTH = 120;
const SIGNATURE_NAME = /^[\x21-\x7e][\x20-\x7e]{0,254}$/;

export class ClamdError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ClamdError';
  }
}

export function createClamdScanner(address: ClamdAddress, options: ClamdScannerOptions = {}): ClamdScanner {
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  if (!(timeoutMs > 0)) throw new RangeError('timeoutMs must be positive');
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1) throw new RangeError('chunkBytes must be a positive integer');
  return {
    async scan(bytes) {
      const reply = await clamdCommand(address, instreamFrames(bytes, chunkBytes), timeoutMs);
      return parseInstreamReply(reply);
    },
    ping: () => pingClamd(address, timeoutMs),
  };
}

/** `zPING`: resolves on `PONG`, rejects on anything else. */
export async function pingClamd(address: ClamdAddress, timeoutMs = DEFAULT_TIMEOUT_MS): Promise<void> {
  const reply = await clamdCommand(address, [Buffer.from('zPING\0', 'latin1')], timeoutMs);
  if (reply !== 'PONG') throw new ClamdError(`clamd answered PING with ${describe(reply)}`);
}

/** Maps one INSTREAM reply (without its NUL terminator) to a verdict; throws for anything but OK/FOUND. */
export function parseInstreamReply(reply: string): MalwareScanResult {
  if (reply === 'stream: OK') return { verdict: 'clean', engine: CLAMD_ENGINE };
  const found = /^stream: (.+) FOUND$/.exec(reply);
  const signature = found?.[1];
  if (signature !== undefined && SIGNATURE_NAME.test(signature)) {
    return { verdict: 'infected', engine: CLAMD_ENGINE, signature };
  }
  if (reply.endsWith('ERROR')) throw new ClamdError(`clamd could not scan: ${describe(reply)}`);
  throw new ClamdError(`unexpected clamd reply: ${describe(reply)}`);
}

/** The INSTREAM command, the length-prefixed chunks (views, no copy) and the zero terminator. */
function instreamFrames(bytes: Uint8Array, chunkBytes: number): Buffer[] {
  const data = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const frames: Buffer[] = [Buffer.from('zINSTREAM\0', 'latin1')];
  for (let offset = 0; offset < data.length; offset += chunkBytes) {
    const chunk = data.subarray(offset, Math.min(offset + chunkBytes, data.length));
    const length = Buffer.alloc(4);
    length.writeUInt32BE(chunk.length);
    frames.push(length, chunk);
  }
  frames.push(Buffer.alloc(4));
  return frames;
}

/**
 * Sends one `z`-prefixed command and resolves with the reply up to its NUL terminator. clamd
 * sends exactly one NUL-terminated reply and closes; a close before the NUL is an error.
 */
function clamdCommand(address: ClamdAddress, frames: readonly Buffer[], timeoutMs: number): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const socket =
      'socketPath' in address ? net.createConnection(address.socketPath) : net.createConnection(address.port, address.host);
    const parts: Buffer[] = [];
    let received = 0;
    let settled = false;

    const finish = (error: Error | null, reply?: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      if (error) reject(error);
      else resolve(reply ?? '');
    };
    const timer = setTimeout(() => finish(new ClamdError(`clamd did not answer within ${timeoutMs} ms`)), timeoutMs);

    socket.on('connect', () => {
      for (const frame of frames) socket.write(frame);
    });
    socket.on('data', (data: Buffer) => {
      parts.push(data);
      received += data.length;
      const all = Buffer.concat(parts, received);
      const end = all.indexOf(0);
      if (end >= 0) finish(null, all.subarray(0, end).toString('latin1'));
      else if (received > MAX_REPLY_BYTES) finish(new ClamdError('clamd reply too long'));
    });
    socket.on('error', (err: NodeJS.ErrnoException) => {
      // A reply that already arrived wins over a late EPIPE/ECONNRESET (clamd answers, then closes).
      finish(new ClamdError(`clamd connection failed: ${err.code ?? err.message}`));
    });
    socket.on('close', () => {
      const partial = Buffer.concat(parts, received).toString('latin1');
      finish(new ClamdError(`clamd closed the connection without a complete reply${partial ? ` (${describe(partial)})` : ''}`));
    });
  });
}

/** clamd's reply, bounded and reduced to printable ASCII, for error messages. */
function describe(reply: string): string {
  if (reply.length === 0) return 'an empty reply';
  const printable = reply.replace(/[^\x20-\x7e]/g, '?');
  return JSON.stringify(printable.length > MAX_DETAIL_LENGTH ? `${printable.slice(0, MAX_DETAIL_LENGTH)}…` : printable);
}
