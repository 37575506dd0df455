import { describe, expect, it } from 'vitest';
import { encode } from 'cborg';
import { bindingHash, decodeBinding, encodeBinding, type Binding } from './binding.ts';
import type { EncodingError } from './errors.ts';
import { utf8 } from './bytes.ts';
import { hash } from './hash.ts';

const sample: Binding = {
  v: 1,
  name: 'org.example.fec',
  manifest: utf8('org.example.fec\n'),
  pluglets: { 'z.o': Uint8Array.of(1, 2), 'a.o': Uint8Array.of(3), 'dir/b.o': new Uint8Array(300) },
};

function codeOf(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(Error);
    return (e as EncodingError).code ?? (e as Error).name;
  }
  return 'none';
}

describe('bindings', () => {
  it('encode deterministically whatever the key order, and decode back', () => {
    const reordered: Binding = { pluglets: { 'dir/b.o': new Uint8Array(300), 'a.o': Uint8Array.of(3), 'z.o': Uint8Array.of(1, 2) }, manifest: sample.manifest, name: sample.name, v: 1 };
    const bytes = encodeBinding(sample);
    expect(encodeBinding(reordered)).toEqual(bytes);
    expect(decodeBinding(bytes)).toEqual(sample);
    expect(bindingHash(sample)).toEqual(hash(bytes));
  });

  it('refuses non-canonical encodings', () => {
    // Same content, keys in insertion order rather than RFC 8949 order.
    const loose = encode({ pluglets: { 'z.o': Uint8Array.of(1) }, v: 1, name: sample.name, manifest: sample.manifest }, { mapSorter: () => 0 });
    expect(codeOf(() => decodeBinding(loose))).toBe('cbor-not-canonical');
    const bytes = encodeBinding(sample);
    expect(codeOf(() => decodeBinding(Uint8Array.from([...bytes, 0])))).toBe('cbor-malformed');
    expect(codeOf(() => decodeBinding(bytes.subarray(0, bytes.length - 3)))).toBe('cbor-malformed');
  });

  it('refuses wrong shapes with precise codes', () => {
    const enc = (v: unknown): Uint8Array => encode(v, { mapSorter: undefined });
    expect(codeOf(() => decodeBinding(enc([1, 2])))).toBe('binding-shape');
    expect(codeOf(() => decodeBinding(encodeBinding(sample).subarray(0, 1)))).toBe('cbor-malformed');
    expect(codeOf(() => encodeBinding({ ...sample, v: 2 as 1 }))).toBe('binding-version');
    expect(codeOf(() => encodeBinding({ ...sample, name: 'NoDots' }))).toBe('name-no-dot');
    for (const bad of ['../x.o', '/abs.o', 'a//b.o', '', 'a\\b.o']) {
      expect(codeOf(() => encodeBinding({ ...sample, pluglets: { [bad]: Uint8Array.of(1) } }))).toBe('binding-file-name');
    }
  });
});
