// Reads a plugin folder from disk under the same rules as an archive: the
// folder is the plugin directory itself (named after the plugin); links and
// special files are refused, not followed.
import { lstatSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { ArchiveError } from './archive-error.ts';
import { DEFAULT_LIMITS, type ArchiveLimits } from './limits.ts';
import { toPluginTree, type PluginFile, type PluginTree } from './plugin-tree.ts';

export async function readPluginDirectory(dir: string, limits: ArchiveLimits = DEFAULT_LIMITS): Promise<PluginTree> {
  const root = resolve(dir);
  const name = basename(root);
  const files: PluginFile[] = [];
  const directories: string[] = [name];
  let entries = 0;
  let unpacked = 0;
  const walk = (abs: string, rel: string): void => {
    let names: string[];
    try {
      names = readdirSync(abs).sort();
    } catch (e) {
      throw new ArchiveError('unreadable', `cannot read ${abs}: ${(e as Error).message}`);
    }
    for (const n of names) {
      const childAbs = join(abs, n);
      const childRel = `${rel}/${n}`;
      if (++entries > limits.entries) throw new ArchiveError('too-many-entries', `the folder holds more than ${limits.entries} entries`);
      const st = lstatSync(childAbs);
      if (st.isSymbolicLink()) throw new ArchiveError('link', `"${childRel}" is a symbolic link; links are not allowed`);
      if (st.isDirectory()) {
        directories.push(childRel);
        walk(childAbs, childRel);
      } else if (st.isFile()) {
        if (st.nlink > 1) throw new ArchiveError('link', `"${childRel}" is a hard link; links are not allowed`);
        unpacked += st.size;
        if (unpacked > limits.unpackedBytes) throw new ArchiveError('unpacked-too-large', `the folder holds more than ${limits.unpackedBytes} bytes`);
        files.push({ path: childRel, data: new Uint8Array(readFileSync(childAbs)) });
      } else {
        throw new ArchiveError('special-file', `"${childRel}" is not a regular file or directory`);
      }
    }
  };
  let st;
  try {
    st = lstatSync(root);
  } catch (e) {
    throw new ArchiveError('unreadable', `cannot read ${root}: ${(e as Error).message}`);
  }
  if (!st.isDirectory()) throw new ArchiveError('layout', `${root} is not a folder`);
  walk(root, name);
  return toPluginTree(files, directories);
}
