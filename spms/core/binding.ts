// The binding (DESIGN §3.2): the canonical content a PV validates and commits
// to, as deterministic CBOR of {"v": 1, "name", "manifest", "pluglets"}.
import { decodeCanonical, encodeCanonical } from './cbor.ts';
import { EncodingError } from './errors.ts';
import { hash } from './hash.ts';
import { validateName } from './name.ts';
import { utf8 } from './bytes.ts';

export interface Binding {
  v: 1;
  name: string;
  manifest: Uint8Array;
  /** Pluglet object file name (relative path as in the manifest) -> eBPF ELF bytes. */
  pluglets: Record<string, Uint8Array>;
}

const MAX_FILE_NAME_BYTES = 255;

/** Pluglet file names are relative paths inside the plugin directory. */
export function validatePlugletFileName(file: string): void {
  const problem =
    file.length === 0
      ? 'is empty'
      : utf8(file).length > MAX_FILE_NAME_BYTES
        ? `is longer than ${MAX_FILE_NAME_BYTES} bytes`
        : file.startsWith('/')
          ? 'is absolute'
          : file.split('/').some((part) => part === '..' || part === '.' || part === '')
            ? 'has an empty, "." or ".." segment'
            : file.includes('\0') || file.includes('\\')
              ? 'holds a NUL or backslash'
              : undefined;
  if (problem !== undefined) throw new EncodingError('binding-file-name', `pluglet file name "${file}" ${problem}`);
}

function checkBinding(b: Binding): void {
  validateName(b.name);
  if (!(b.manifest instanceof Uint8Array)) throw new EncodingError('binding-manifest', 'binding manifest must be bytes');
  for (const [file, elf] of Object.entries(b.pluglets)) {
    validatePlugletFileName(file);
    if (!(elf instanceof Uint8Array)) throw new EncodingError('binding-pluglet', `pluglet "${file}" must be bytes`);
  }
}

export function encodeBinding(b: Binding): Uint8Array {
  if (b.v !== 1) throw new EncodingError('binding-version', `unsupported binding version ${String(b.v)}`);
  checkBinding(b);
  // A plain object with a null prototype keeps "__proto__"-like names harmless.
  const pluglets: Record<string, Uint8Array> = Object.create(null) as Record<string, Uint8Array>;
  for (const [file, elf] of Object.entries(b.pluglets)) pluglets[file] = elf;
  return encodeCanonical({ v: 1, name: b.name, manifest: b.manifest, pluglets });
}

export function decodeBinding(bytes: Uint8Array): Binding {
  const value = decodeCanonical(bytes);
  if (typeof value !== 'object' || value === null || Array.isArray(value) || value instanceof Uint8Array) {
    throw new EncodingError('binding-shape', 'binding must be a CBOR map');
  }
  const map = value as Record<string, unknown>;
  const keys = Object.keys(map).sort().join(',');
  if (keys !== 'manifest,name,pluglets,v') throw new EncodingError('binding-shape', `binding must have exactly the keys v, name, manifest, pluglets (has ${keys})`);
  if (map.v !== 1) throw new EncodingError('binding-version', `unsupported binding version ${String(map.v)}`);
  if (typeof map.name !== 'string') throw new EncodingError('binding-shape', 'binding name must be text');
  const pl = map.pluglets;
  if (typeof pl !== 'object' || pl === null || Array.isArray(pl) || pl instanceof Uint8Array) throw new EncodingError('binding-shape', 'binding pluglets must be a map');
  const binding: Binding = { v: 1, name: map.name, manifest: map.manifest as Uint8Array, pluglets: pl as Record<string, Uint8Array> };
  checkBinding(binding);
  return binding;
}

export function bindingHash(b: Binding): Uint8Array {
  return hash(encodeBinding(b));
}
