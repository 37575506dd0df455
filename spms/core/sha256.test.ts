import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 as reference } from '@noble/hashes/sha2.js';
import { javascriptSha256 } from './sha256.ts';
import { createWasmSha256 } from './sha256-wasm.ts';
import { sha256Engine } from './hash.ts';
import { toHex, utf8 } from './bytes.ts';
import type { Sha256Engine } from './sha256-engine.ts';

const engines: Sha256Engine[] = [javascriptSha256, createWasmSha256()];

describe.each(engines)('sha256 ($name)', (engine) => {
  const sha256 = (data: Uint8Array, length = data.length): Uint8Array => engine.digest(data, length);

  it('matches the FIPS 180-4 examples', () => {
    expect(toHex(sha256(utf8('abc')))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
    expect(toHex(sha256(new Uint8Array()))).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(toHex(sha256(utf8('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')))).toBe('248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1');
  });

  it('agrees with a reference implementation on every length up to 300 bytes and on random data', () => {
    for (let n = 0; n <= 300; n++) {
      const data = Uint8Array.from({ length: n }, (_, i) => (i * 31 + n) & 0xff);
      expect(sha256(data)).toEqual(reference(data));
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2000 }), (data) => {
        expect(sha256(data)).toEqual(reference(data));
      }),
    );
  });

  it('hashes a prefix of a buffer when given a length', () => {
    const data = utf8('abcdefgh');
    expect(sha256(data, 3)).toEqual(reference(utf8('abc')));
  });

  it('handles messages longer than any internal buffer, around block and chunk boundaries, then small ones again', () => {
    for (const n of [16_375, 16_376, 16_383, 16_384, 16_385, 16_447, 16_448, 32_768 - 64, 100_000]) {
      const big = Uint8Array.from({ length: n }, (_, i) => (i * 7 + (i >>> 8)) & 0xff);
      expect(sha256(big)).toEqual(reference(big));
    }
    expect(sha256(utf8('abc'))).toEqual(reference(utf8('abc')));
  });

  it('hashes fixed-length messages whose payload is rewritten between digests', () => {
    for (const length of [0, 55, 56, 64, 65, 107, 119, 120, 300]) {
      const message = engine.fixedLengthMessage(length);
      expect(message.length).toBe(length);
      for (let round = 0; round < 3; round++) {
        const payload = Uint8Array.from({ length }, (_, i) => (i * 13 + round * 101) & 0xff);
        message.bytes.set(payload);
        expect(message.digest()).toEqual(reference(payload));
      }
    }
  });

  it('keeps every fixed-length message independent, also past the slots a module has', () => {
    const messages = Array.from({ length: 24 }, (_, i) => engine.fixedLengthMessage(65 + (i % 3)));
    messages.forEach((m, i) => m.bytes.fill(i, 0, m.length));
    messages.forEach((m, i) => expect(m.digest()).toEqual(reference(new Uint8Array(m.length).fill(i))));
  });

  it('returns a fresh digest each time, not a view of internal memory', () => {
    const a = sha256(utf8('a'));
    const b = sha256(utf8('b'));
    expect(a).toEqual(reference(utf8('a')));
    expect(b).toEqual(reference(utf8('b')));
  });
});

describe('hash engine choice', () => {
  it('uses WebAssembly where it can run', () => {
    expect(sha256Engine.name).toBe('webassembly');
  });
});
