import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { sha256 as reference } from '@noble/hashes/sha2.js';
import { sha256 } from './sha256.ts';
import { toHex, utf8 } from './bytes.ts';

describe('sha256', () => {
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

  it('handles a message larger than its reusable buffer, then small ones again', () => {
    const big = new Uint8Array(100_000).fill(7);
    expect(sha256(big)).toEqual(reference(big));
    expect(sha256(utf8('abc'))).toEqual(reference(utf8('abc')));
  });
});
