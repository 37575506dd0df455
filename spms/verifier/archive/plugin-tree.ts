// A plugin as files: one top directory named after the plugin, with exactly
// one `.plugin` manifest at its top; paths are relative to it, POSIX.
import { isValidName } from '../../core/index.ts';
import { ArchiveError } from './archive-error.ts';

export interface PluginFile {
  path: string;
  data: Uint8Array;
}

export interface PluginTree {
  name: string;
  files: PluginFile[];
}

/** Normalises an entry path, refusing absolute paths, traversal and odd names; "" is the archive root ("./"). */
export function safeRelativePath(raw: string): string {
  if (raw.includes('\0')) throw new ArchiveError('bad-path', `entry name holds a NUL byte`);
  if (raw.startsWith('/')) throw new ArchiveError('absolute-path', `entry "${raw}" has an absolute path`);
  if (raw.includes('\\')) throw new ArchiveError('bad-path', `entry "${raw}" holds a backslash`);
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.some((p) => p === '..')) throw new ArchiveError('path-traversal', `entry "${raw}" climbs out of the plugin directory with ".."`);
  return parts.join('/');
}

/** Checks the layout and returns the plugin tree with paths relative to the plugin directory. */
export function toPluginTree(entries: PluginFile[], directories: string[]): PluginTree {
  const tops = new Set([...entries.map((e) => e.path.split('/')[0] as string), ...directories.map((d) => d.split('/')[0] as string)]);
  if (tops.size !== 1) {
    throw new ArchiveError('layout', `a plugin archive holds exactly one top directory named after the plugin; found ${tops.size === 0 ? 'nothing' : [...tops].map((t) => `"${t}"`).join(', ')}`);
  }
  const name = [...tops][0] as string;
  if (entries.some((e) => e.path === name)) throw new ArchiveError('layout', `"${name}" must be a directory holding the plugin, not a file`);
  if (!isValidName(name)) throw new ArchiveError('layout', `the top directory "${name}" is not a valid plugin name (reverse-DNS, e.g. org.example.plugin)`);
  const files = entries.map((e) => ({ path: e.path.slice(name.length + 1), data: e.data })).sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const manifests = files.filter((f) => !f.path.includes('/') && f.path.endsWith('.plugin'));
  if (manifests.length !== 1) {
    throw new ArchiveError('layout', `the plugin directory must hold exactly one .plugin manifest at its top; found ${manifests.length === 0 ? 'none' : manifests.map((m) => m.path).join(', ')}`);
  }
  return { name, files };
}
