// Reading what the user picked in the file dialog, within the limits of a
// plugin upload (DESIGN §3.2): picked files by their bare names, a picked
// folder's regular files as `<folder>/<relative path>`. Symbolic links are
// skipped, so a folder cannot lead the walk elsewhere.
import { lstat, readdir, readFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { DEFAULT_LIMITS } from '../../spms/verifier/archive/limits.ts';
import type { PickedFile } from '../preload/desktop-api.ts';

export interface PickLimits {
  /** Files read in one pick. */
  files: number;
  /** Total bytes read in one pick. */
  bytes: number;
  /** Directories entered while walking a folder. */
  directories: number;
}

export const PICK_LIMITS: PickLimits = { files: DEFAULT_LIMITS.entries, bytes: DEFAULT_LIMITS.unpackedBytes, directories: DEFAULT_LIMITS.entries };

export class PickError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'PickError';
  }
}

interface Found {
  name: string;
  path: string;
  size: number;
}

async function walk(dir: string, prefix: string, found: Found[], limits: PickLimits, counts: { dirs: number; bytes: number }): Promise<void> {
  if (++counts.dirs > limits.directories) throw new PickError(`the folder holds more than ${limits.directories} folders`);
  const entries = await readdir(dir, { withFileTypes: true });
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = join(dir, e.name);
    const name = `${prefix}/${e.name}`;
    if (e.isDirectory()) await walk(path, name, found, limits, counts);
    else if (e.isFile()) {
      const { size } = await lstat(path);
      counts.bytes += size;
      found.push({ name, path, size });
      if (found.length > limits.files) throw new PickError(`the folder holds more than ${limits.files} files`);
      if (counts.bytes > limits.bytes) throw new PickError(`the folder holds more than ${limits.bytes} bytes`);
    }
  }
}

/** Reads the picked paths (files, or folders when `directory`); sizes are checked before anything is read. */
export async function readPicked(paths: string[], directory: boolean, limits: PickLimits = PICK_LIMITS): Promise<PickedFile[]> {
  const found: Found[] = [];
  const counts = { dirs: 0, bytes: 0 };
  for (const path of paths) {
    const st = await lstat(path);
    if (directory) {
      if (!st.isDirectory()) throw new PickError(`${path} is not a folder`);
      await walk(path, basename(path), found, limits, counts);
    } else {
      if (!st.isFile()) throw new PickError(`${path} is not a regular file`);
      counts.bytes += st.size;
      found.push({ name: basename(path), path, size: st.size });
      if (found.length > limits.files) throw new PickError(`more than ${limits.files} files were picked`);
      if (counts.bytes > limits.bytes) throw new PickError(`the files picked hold more than ${limits.bytes} bytes`);
    }
  }
  const files: PickedFile[] = [];
  for (const f of found) {
    const data = await readFile(f.path);
    // The file may have grown since it was measured.
    if (data.length !== f.size) throw new PickError(`${f.path} changed while it was read; pick it again`);
    // A copy with its own buffer: IPC clones a view's whole underlying buffer.
    files.push({ name: f.name, path: f.path, bytes: new Uint8Array(data) });
  }
  return files;
}
