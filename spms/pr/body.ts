// Request bodies read under a byte limit that is enforced while the bytes
// arrive: a declared length over the limit is refused before reading, and a
// stream that runs past it is cut off there.
import type { IncomingMessage } from 'node:http';
import busboy from 'busboy';
import { ArchiveError } from '../verifier/archive/archive-error.ts';
import type { ArchiveLimits } from '../verifier/archive/limits.ts';
import { safeRelativePath, type PluginFile } from '../verifier/archive/plugin-tree.ts';
import { HttpError } from './http-error.ts';

function tooLarge(what: string, limit: number): HttpError {
  return new HttpError(413, 'too-large', `the ${what} is larger than ${limit} bytes`);
}

export function readBody(req: IncomingMessage, limit: number, what: string): Promise<Uint8Array> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(tooLarge(what, limit));
  // Listeners rather than for-await: leaving a for-await early destroys the
  // request, and with it the socket the refusal must still be written to.
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const stop = (): void => {
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
    };
    const onData = (chunk: Buffer): void => {
      size += chunk.length;
      if (size > limit) {
        stop();
        reject(tooLarge(what, limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = (): void => {
      stop();
      resolve(new Uint8Array(Buffer.concat(chunks)));
    };
    const onError = (e: Error): void => {
      stop();
      reject(e);
    };
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/** What is read and dropped of a refused request's body before it is answered anyway. */
export const DRAIN_LIMIT = { bytes: 64 * 1024 * 1024, ms: 10_000 };

/**
 * Reads and drops the rest of a refused request's body, up to DRAIN_LIMIT;
 * answers whether it was read to its end. The refusal goes out after this:
 * a server that answers and closes while the client is still sending resets
 * the connection, and the client loses the answer with it.
 */
export function drainRest(req: IncomingMessage): Promise<boolean> {
  if (req.readableEnded) return Promise.resolve(true);
  if (req.destroyed) return Promise.resolve(false);
  return new Promise((resolve) => {
    let left = DRAIN_LIMIT.bytes;
    const finish = (ended: boolean): void => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('close', onClose);
      resolve(ended);
    };
    const onData = (chunk: Buffer): void => {
      left -= chunk.length;
      if (left < 0) finish(false);
    };
    const onEnd = (): void => finish(true);
    const onError = (): void => finish(false);
    const onClose = (): void => finish(req.readableEnded);
    const timer = setTimeout(() => finish(false), DRAIN_LIMIT.ms);
    timer.unref();
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('close', onClose);
    req.resume();
  });
}

export async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const type = String(req.headers['content-type'] ?? '')
    .split(';')[0]!
    .trim();
  if (type !== 'application/json') throw new HttpError(415, 'unsupported-media-type', `send JSON with content-type application/json (got "${type || 'none'}")`);
  const bytes = await readBody(req, limit, 'JSON body');
  try {
    return JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch (e) {
    throw new HttpError(400, 'malformed-json', `the body is not valid JSON: ${(e as Error).message}`);
  }
}

/**
 * A plugin folder uploaded as multipart/form-data: one file part per file,
 * its filename the path inside the upload (top directory included).
 */
export async function readFolderUpload(req: IncomingMessage, limits: ArchiveLimits): Promise<{ files: PluginFile[]; directories: string[] }> {
  const declared = req.headers['content-length'];
  // Multipart framing costs a little per file on top of the unpacked content.
  const wireLimit = limits.unpackedBytes + limits.entries * 1024;
  if (declared !== undefined && Number(declared) > wireLimit) throw tooLarge('upload', wireLimit);
  return new Promise((resolve, reject) => {
    let bb: busboy.Busboy;
    try {
      bb = busboy({ headers: req.headers, preservePath: true, limits: { files: limits.entries, fileSize: limits.unpackedBytes, fields: 16, parts: limits.entries + 16 } });
    } catch (e) {
      reject(new HttpError(400, 'bad-multipart', (e as Error).message));
      return;
    }
    const files: PluginFile[] = [];
    let total = 0;
    let failed = false;
    const fail = (e: HttpError): void => {
      if (failed) return;
      failed = true;
      req.unpipe(bb);
      req.resume();
      reject(e);
    };
    bb.on('file', (_field, stream, info) => {
      let path: string;
      try {
        path = safeRelativePath(info.filename ?? '');
        if (path === '') throw new ArchiveError('bad-path', 'a file part has no file name (its path in the plugin folder)');
      } catch (e) {
        stream.resume();
        return fail(new HttpError(400, (e as ArchiveError).code, (e as Error).message));
      }
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => {
        total += c.length;
        if (total > limits.unpackedBytes) fail(new HttpError(413, 'unpacked-too-large', `the uploaded files hold more than ${limits.unpackedBytes} bytes`));
        else chunks.push(c);
      });
      stream.on('limit', () => fail(new HttpError(413, 'unpacked-too-large', `"${path}" is larger than ${limits.unpackedBytes} bytes`)));
      stream.on('close', () => files.push({ path, data: new Uint8Array(Buffer.concat(chunks)) }));
    });
    bb.on('filesLimit', () => fail(new HttpError(413, 'too-many-entries', `the upload holds more than ${limits.entries} files`)));
    bb.on('partsLimit', () => fail(new HttpError(413, 'too-many-entries', `the upload holds more than ${limits.entries} parts`)));
    bb.on('error', (e: Error) => fail(new HttpError(400, 'bad-multipart', `the multipart body is malformed: ${e.message}`)));
    bb.on('close', () => {
      if (!failed) resolve({ files, directories: [] });
    });
    let wire = 0;
    req.on('data', (c: Buffer) => {
      wire += c.length;
      if (wire > wireLimit) fail(tooLarge('upload', wireLimit));
    });
    req.pipe(bb);
  });
}
