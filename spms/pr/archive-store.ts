// Submitted archives on disk, named by the SHA-256 of their bytes: written
// to a temporary file and renamed, so a crash never leaves a partial archive
// under a valid name, and the same bytes are stored once.
import { createHash } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, writeSync } from 'node:fs';
import { join } from 'node:path';

export const ARCHIVE_HASH = /^[0-9a-f]{64}$/;

export function sha256Hex(bytes: Uint8Array): string {
  return createHash('sha256').update(bytes).digest('hex');
}

export class ArchiveStore {
  constructor(private readonly dir: string) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  private path(hash: string): string {
    if (!ARCHIVE_HASH.test(hash)) throw new Error(`"${hash}" is not an archive hash`);
    return join(this.dir, `${hash}.bin`);
  }

  /** Stores the bytes durably and returns their hash. */
  put(bytes: Uint8Array): string {
    const hash = sha256Hex(bytes);
    const file = this.path(hash);
    if (existsSync(file)) return hash;
    const tmp = `${file}.${process.pid}.tmp`;
    const fd = openSync(tmp, 'w', 0o600);
    try {
      writeSync(fd, bytes);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(tmp, file);
    return hash;
  }

  get(hash: string): Uint8Array | undefined {
    const file = this.path(hash);
    return existsSync(file) ? new Uint8Array(readFileSync(file)) : undefined;
  }
}
