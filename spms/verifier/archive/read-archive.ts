// Reads a submitted plugin archive (tar, tar.gz or tar.bz2, told apart by
// their magic bytes) within the DESIGN §3.2 limits. Decompression stops as
// soon as the unpacked limit is crossed, so a compression bomb costs little;
// gzip inflates on the thread pool, so a node's event loop keeps serving.
import { promisify } from 'node:util';
import { gunzip as gunzipCallback } from 'node:zlib';
import { Readable } from 'node:stream';
import bzip from 'seek-bzip';
import { extract, type Header } from 'tar-stream';
import { ArchiveError } from './archive-error.ts';
import { DEFAULT_LIMITS, type ArchiveLimits } from './limits.ts';
import { safeRelativePath, toPluginTree, type PluginFile, type PluginTree } from './plugin-tree.ts';

type Format = 'tar' | 'gzip' | 'bzip2';

function sniff(bytes: Uint8Array): Format {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return 'gzip';
  if (bytes[0] === 0x42 && bytes[1] === 0x5a && bytes[2] === 0x68) return 'bzip2';
  // POSIX and GNU tar headers carry "ustar" at offset 257.
  if (bytes.length >= 512 && String.fromCharCode(...bytes.subarray(257, 262)) === 'ustar') return 'tar';
  throw new ArchiveError('not-an-archive', 'not a tar, tar.gz or tar.bz2 archive');
}

const inflate = promisify(gunzipCallback);

async function gunzip(bytes: Uint8Array, limit: number): Promise<Uint8Array> {
  try {
    return await inflate(bytes, { maxOutputLength: limit + 1 });
  } catch (e) {
    const code = (e as { code?: string }).code;
    if (code === 'ERR_BUFFER_TOO_LARGE') throw new ArchiveError('unpacked-too-large', `the archive unpacks to more than ${limit} bytes`);
    throw new ArchiveError('corrupt', `the gzip stream is damaged: ${(e as Error).message}`);
  }
}

function bunzip(bytes: Uint8Array, limit: number): Uint8Array {
  let out = new Uint8Array(Math.min(limit + 1, Math.max(1 << 16, bytes.length * 4)));
  let size = 0;
  // seek-bzip writes through this sink; it refuses to grow past the limit.
  const sink = {
    writeByte(b: number): void {
      if (size >= limit) throw new ArchiveError('unpacked-too-large', `the archive unpacks to more than ${limit} bytes`);
      if (size === out.length) {
        const grown = new Uint8Array(Math.min(limit, out.length * 2));
        grown.set(out);
        out = grown;
      }
      out[size++] = b;
    },
    write(buf: Uint8Array, offset: number, length: number): number {
      for (let i = 0; i < length; i++) this.writeByte(buf[offset + i] as number);
      return length;
    },
    flush(): void {},
  };
  try {
    bzip.decode(Buffer.from(bytes), sink, true);
  } catch (e) {
    if (e instanceof ArchiveError) throw e;
    throw new ArchiveError('corrupt', `the bzip2 stream is damaged: ${(e as Error).message}`);
  }
  return out.subarray(0, size);
}

async function untar(bytes: Uint8Array, limits: ArchiveLimits): Promise<{ files: PluginFile[]; directories: string[] }> {
  const files: PluginFile[] = [];
  const directories: string[] = [];
  const seen = new Set<string>();
  let entries = 0;
  let unpacked = 0;
  const ex = extract();
  const done = new Promise<void>((resolve, reject) => {
    ex.on('entry', (header: Header, stream, next) => {
      const fail = (err: ArchiveError): void => {
        // The entry stream dies with the extractor; its own error is this one.
        stream.on('error', () => undefined);
        ex.destroy(err);
      };
      if (++entries > limits.entries) return fail(new ArchiveError('too-many-entries', `the archive holds more than ${limits.entries} entries`));
      let path: string;
      try {
        path = safeRelativePath(header.name);
      } catch (e) {
        return fail(e as ArchiveError);
      }
      if (header.type === 'symlink' || header.type === 'link')
        return fail(new ArchiveError('link', `entry "${header.name}" is a ${header.type === 'link' ? 'hard link' : 'symbolic link'}; links are not allowed`));
      if (header.type === 'directory') {
        if (path === '') {
          stream.resume();
          stream.on('end', next);
          return;
        }
        directories.push(path);
        stream.resume();
        stream.on('end', next);
        return;
      }
      if (header.type !== 'file' && header.type !== 'contiguous-file')
        return fail(new ArchiveError('special-file', `entry "${header.name}" is a ${header.type ?? 'special file'}; only regular files and directories are allowed`));
      if (path === '') return fail(new ArchiveError('bad-path', `entry "${header.name}" has an empty path`));
      if (seen.has(path)) return fail(new ArchiveError('duplicate-entry', `entry "${path}" appears twice`));
      seen.add(path);
      unpacked += header.size ?? 0;
      if (unpacked > limits.unpackedBytes) return fail(new ArchiveError('unpacked-too-large', `the archive unpacks to more than ${limits.unpackedBytes} bytes`));
      const chunks: Buffer[] = [];
      stream.on('data', (c: unknown) => void chunks.push(c as Buffer));
      stream.on('end', () => {
        files.push({ path, data: new Uint8Array(Buffer.concat(chunks)) });
        next();
      });
    });
    ex.on('finish', resolve);
    ex.on('error', (e: Error) => reject(e instanceof ArchiveError ? e : new ArchiveError('corrupt', `the tar stream is damaged: ${e.message}`)));
  });
  Readable.from([Buffer.from(bytes)]).pipe(ex);
  await done;
  return { files, directories };
}

export async function readPluginArchive(bytes: Uint8Array, limits: ArchiveLimits = DEFAULT_LIMITS): Promise<PluginTree> {
  if (bytes.length > limits.packedBytes) throw new ArchiveError('packed-too-large', `the archive is ${bytes.length} bytes; at most ${limits.packedBytes} are accepted`);
  const format = sniff(bytes);
  const tar = format === 'gzip' ? await gunzip(bytes, limits.unpackedBytes) : format === 'bzip2' ? bunzip(bytes, limits.unpackedBytes) : bytes;
  if (format !== 'tar' && (tar.length < 512 || String.fromCharCode(...tar.subarray(257, 262)) !== 'ustar')) {
    throw new ArchiveError('not-an-archive', `the ${format} stream does not hold a tar archive`);
  }
  const { files, directories } = await untar(tar, limits);
  return toPluginTree(files, directories);
}
