/**
 * POST /uploads: the embedded stand-in for S3's presigned POST endpoint. The form fields come
 * first and are checked against the signed policy before any file byte is accepted; the file is
 * counted while it streams and refused the moment it passes the policy's size range.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import busboy from 'busboy';
import { checkPostPolicy } from '../adapters/local/local-upload-grants';
import type { Clock, ObjectStore } from '../core/ports';

export interface UploadReceiverOptions {
  readonly quarantine: ObjectStore;
  readonly secret: Buffer;
  readonly clock: Clock;
  /** Quarantine lifecycle: every object expires within this many seconds. */
  readonly quarantineTtlSeconds: number;
  readonly maxRequestBytes: number;
}

function s3Error(res: ServerResponse, status: number, code: string, message: string): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'application/xml', 'cache-control': 'no-store', connection: 'close' });
  res.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>${message}</Message></Error>`);
}

export function receiveUpload(req: IncomingMessage, res: ServerResponse, options: UploadReceiverOptions): void {
  const declared = Number(req.headers['content-length'] ?? 'NaN');
  if (Number.isFinite(declared) && declared > options.maxRequestBytes) {
    s3Error(res, 400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
    req.resume();
    return;
  }
  let parser: busboy.Busboy;
  try {
    parser = busboy({ headers: req.headers, limits: { fields: 10, fieldSize: 8 * 1024, files: 1, parts: 12 } });
  } catch {
    s3Error(res, 400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data');
    req.resume();
    return;
  }
  const fields = new Map<string, string>();
  let sawFile = false;
  let done = false;
  const fail = (status: number, code: string, message: string) => {
    if (done) return;
    done = true;
    s3Error(res, status, code, message);
    req.unpipe(parser);
    req.resume();
  };

  parser.on('field', (name, value) => fields.set(name, value));
  parser.on('file', (name, stream) => {
    sawFile = true;
    // A body cut off inside the file part makes busboy destroy this stream with an error.
    stream.on('error', () =>
      fail(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data'),
    );
    if (name !== 'file') {
      stream.resume();
      fail(400, 'InvalidArgument', 'the file must be sent in the field named "file"');
      return;
    }
    const check = checkPostPolicy(fields, options.secret, options.quarantine.bucket, options.clock.now());
    if (!check.ok) {
      stream.resume();
      fail(check.status, check.code, check.message);
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > check.maxBytes) {
        fail(400, 'EntityTooLarge', 'Your proposed upload exceeds the maximum allowed size');
        return;
      }
      chunks.push(chunk);
    });
    stream.on('end', () => {
      if (done) return;
      if (size < check.minBytes) {
        fail(400, 'EntityTooSmall', 'Your proposed upload is smaller than the minimum allowed size');
        return;
      }
      done = true;
      const expiresAt = new Date(options.clock.now().getTime() + options.quarantineTtlSeconds * 1000);
      const contentType = fields.get('Content-Type') ?? 'application/octet-stream';
      options.quarantine
        .put(check.key, Buffer.concat(chunks), { contentType, expiresAt })
        .then(() => {
          res.writeHead(204, { 'cache-control': 'no-store' });
          res.end();
        })
        .catch(() => {
          done = false;
          fail(500, 'InternalError', 'We encountered an internal error. Please try again.');
        });
    });
  });
  parser.on('error', () =>
    fail(400, 'MalformedPOSTRequest', 'The body of your POST request is not well-formed multipart/form-data'),
  );
  parser.on('close', () => {
    if (!sawFile) fail(400, 'InvalidArgument', 'POST requires exactly one file upload per request');
  });
  req.pipe(parser);
}
