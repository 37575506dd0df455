// PQUIC's `.plugin` manifest: the first line names the plugin (and its
// options); every other line anchors one pluglet object on a protocol
// operation, includes a fragment, or separates pluglets injected before and
// after negotiation ("-"). Parsing is strict and reports the faulty line.
import { isValidName } from '../core/name.ts';
import { ManifestError } from './errors.ts';

export type PluginFlag = 'rate_unlimited' | 'dynamic_memory' | 'negotiate';
export type Anchor = 'replace' | 'pre' | 'post' | 'extern';

export interface PlugletEntry {
  kind: 'pluglet';
  line: number;
  protoop: string;
  /** The operation parameter (e.g. a frame type), when the anchor names one. */
  param?: number;
  anchor: Anchor;
  /** Object path relative to the plugin directory. */
  path: string;
  /** 0 before the "-" separator, 1 after it. */
  phase: 0 | 1;
}

export interface IncludeEntry {
  kind: 'include';
  line: number;
  path: string;
  phase: 0 | 1;
}

export interface Manifest {
  name: string;
  flags: PluginFlag[];
  entries: (PlugletEntry | IncludeEntry)[];
}

const FLAGS: readonly string[] = ['rate_unlimited', 'dynamic_memory', 'negotiate'];
const ANCHORS: readonly string[] = ['replace', 'pre', 'post', 'extern'];
const MAX_MANIFEST_BYTES = 64 * 1024;
const MAX_LINES = 4096;
const PROTOOP_RE = /^[A-Za-z_][A-Za-z0-9_]{0,127}$/;

function checkPath(path: string, line: number): string {
  const problem = path.startsWith('/')
    ? 'is absolute'
    : path.split('/').some((p) => p === '..' || p === '' || p === '.')
      ? 'has an empty, "." or ".." segment'
      : /[\0\\]/.test(path)
        ? 'holds a NUL or backslash'
        : undefined;
  if (problem !== undefined) throw new ManifestError('manifest-path', line, `path "${path}" ${problem}`);
  return path;
}

function parseParam(text: string | undefined, line: number): number {
  if (text === undefined) throw new ManifestError('manifest-param', line, '"param" must be followed by a number');
  const value = /^0x[0-9a-f]+$/i.test(text) ? Number.parseInt(text.slice(2), 16) : /^[0-9]+$/.test(text) ? Number(text) : NaN;
  if (!Number.isInteger(value) || value < 0 || value > 0xffff) {
    throw new ManifestError('manifest-param', line, `parameter "${text}" is not an integer in 0..65535 (decimal or 0x hex)`);
  }
  return value;
}

/** Parses manifest text; throws ManifestError naming the line on any defect. */
export function parseManifest(text: string): Manifest {
  if (typeof text !== 'string') throw new ManifestError('manifest-type', 1, 'manifest must be text');
  if (text.length > MAX_MANIFEST_BYTES) throw new ManifestError('manifest-size', 1, `manifest is larger than ${MAX_MANIFEST_BYTES} bytes`);
  const lines = text.split(/\r?\n/);
  if (lines.length > MAX_LINES) throw new ManifestError('manifest-size', MAX_LINES, `manifest has more than ${MAX_LINES} lines`);
  let name: string | undefined;
  const flags: PluginFlag[] = [];
  const entries: (PlugletEntry | IncludeEntry)[] = [];
  let phase: 0 | 1 = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = i + 1;
    const content = (lines[i] ?? '').trim();
    if (content === '' || content.startsWith('#')) continue;
    const words = content.split(/\s+/);
    if (name === undefined) {
      const [first, ...rest] = words as [string, ...string[]];
      if (!isValidName(first)) throw new ManifestError('manifest-name', line, `plugin name "${first}" is not a reverse-DNS name like be.example.plugin`);
      for (const f of rest) {
        if (!FLAGS.includes(f)) throw new ManifestError('manifest-flag', line, `unknown plugin option "${f}" (expected ${FLAGS.join(', ')})`);
        if (flags.includes(f as PluginFlag)) throw new ManifestError('manifest-flag', line, `plugin option "${f}" is repeated`);
        flags.push(f as PluginFlag);
      }
      name = first;
      continue;
    }
    if (content === '-') {
      if (phase === 1) throw new ManifestError('manifest-separator', line, 'only one "-" separator is allowed');
      phase = 1;
      continue;
    }
    if (words.length === 2 && words[1] === 'include') {
      const path = checkPath(words[0] ?? '', line);
      if (!path.endsWith('.plugin')) throw new ManifestError('manifest-include', line, `included fragment "${path}" must be a .plugin file`);
      entries.push({ kind: 'include', line, path, phase });
      continue;
    }
    const protoop = words[0] ?? '';
    if (!PROTOOP_RE.test(protoop)) throw new ManifestError('manifest-protoop', line, `"${protoop}" is not a protocol operation name`);
    let rest = words.slice(1);
    let param: number | undefined;
    if (rest[0] === 'param') {
      param = parseParam(rest[1], line);
      rest = rest.slice(2);
    }
    if (rest.length !== 2) {
      throw new ManifestError('manifest-syntax', line, 'expected "<protoop> [param <n>] <replace|pre|post|extern> <path.o>" or "<fragment.plugin> include"');
    }
    const [anchor, objPath] = rest as [string, string];
    if (!ANCHORS.includes(anchor)) throw new ManifestError('manifest-anchor', line, `unknown anchor "${anchor}" (expected ${ANCHORS.join(', ')})`);
    const path = checkPath(objPath, line);
    if (!path.endsWith('.o')) throw new ManifestError('manifest-object', line, `pluglet "${path}" must be an eBPF object (.o)`);
    const entry: PlugletEntry = { kind: 'pluglet', line, protoop, anchor: anchor as Anchor, path, phase };
    if (param !== undefined) entry.param = param;
    entries.push(entry);
  }
  if (name === undefined) throw new ManifestError('manifest-empty', 1, 'manifest is empty: the first line must name the plugin');
  return { name, flags, entries };
}

/** The pluglet entries of a manifest (includes are not expanded here). */
export function plugletEntries(m: Manifest): PlugletEntry[] {
  return m.entries.filter((e): e is PlugletEntry => e.kind === 'pluglet');
}
