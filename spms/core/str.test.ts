import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { utf8 } from './bytes.ts';
import { hash } from './hash.ts';
import { decodeSignedStr, encodeSignedStr, encodeStrMessage, generateStrKeyPair, signStr, strFromJson, strHash, strToJson, verifyStrSignature, ZERO_HASH, type StrFields } from './str.ts';
import type { EncodingError } from './errors.ts';
import { toHex, fromHex } from './bytes.ts';
import vectors from './vectors/str.json' with { type: 'json' };

const keys = generateStrKeyPair(hash(utf8('str test key')));
const fields: StrFields = {
  pvId: 'PV1',
  treeId: hash(utf8('tree')),
  epoch: 7,
  timestampMs: 1_700_000_000_000,
  root: hash(utf8('root')),
  prevStrHash: ZERO_HASH,
  policyHash: hash(utf8('policy')),
};

function code(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    return (e as EncodingError).code;
  }
  return 'none';
}

describe('signed tree roots', () => {
  it('lays out the message exactly as specified', () => {
    const m = encodeStrMessage(fields);
    expect(new TextDecoder().decode(m.subarray(0, 11))).toBe('SPMS-STR-v1');
    expect(m[11]).toBe(3);
    expect(new TextDecoder().decode(m.subarray(12, 15))).toBe('PV1');
    expect(m.subarray(15, 47)).toEqual(fields.treeId);
    expect([...m.subarray(47, 55)]).toEqual([0, 0, 0, 0, 0, 0, 0, 7]);
    expect(m.length).toBe(11 + 1 + 3 + 32 + 8 + 8 + 32 * 3);
  });

  it('signs, verifies, and round-trips through binary and JSON', () => {
    const s = signStr(fields, keys.secretKey);
    expect(verifyStrSignature(s, keys.publicKey)).toBe(true);
    expect(decodeSignedStr(encodeSignedStr(s))).toEqual(s);
    expect(strFromJson(JSON.parse(JSON.stringify(strToJson(s))))).toEqual(s);
    expect(strHash(s)).toEqual(hash(encodeSignedStr(s)));
  });

  it('fails verification when any bit of the signed bytes changes or the key is another', () => {
    const s = signStr(fields, keys.secretKey);
    const bytes = encodeSignedStr(s);
    const other = generateStrKeyPair(hash(utf8('other')));
    expect(verifyStrSignature(s, other.publicKey)).toBe(false);
    fc.assert(
      fc.property(fc.integer({ min: 12 * 8, max: bytes.length * 8 - 1 }), (bit) => {
        const m = Uint8Array.from(bytes);
        m[bit >>> 3]! ^= 0x80 >>> (bit & 7);
        let decoded;
        try {
          decoded = decodeSignedStr(m);
        } catch {
          return;
        }
        expect(verifyStrSignature(decoded, keys.publicKey)).toBe(false);
      }),
      { numRuns: 150 },
    );
  });

  it('refuses malformed input with precise codes', () => {
    const bytes = encodeSignedStr(signStr(fields, keys.secretKey));
    expect(code(() => decodeSignedStr(bytes.subarray(0, 50)))).toBe('str-truncated');
    expect(code(() => decodeSignedStr(Uint8Array.from([...bytes, 1])))).toBe('str-trailing');
    expect(code(() => decodeSignedStr(utf8('NOT-AN-STR-v1....')))).toBe('str-magic');
    expect(code(() => encodeStrMessage({ ...fields, pvId: '' }))).toBe('str-pv-id');
    expect(code(() => encodeStrMessage({ ...fields, root: new Uint8Array(31) }))).toBe('str-field');
    expect(code(() => encodeStrMessage({ ...fields, epoch: -1 }))).toBe('str-field');
    expect(code(() => strFromJson({ ...strToJson(signStr(fields, keys.secretKey)), root: 'XYZ' }))).toBe('str-json');
    expect(code(() => strFromJson(null))).toBe('str-json');
    expect(code(() => decodeSignedStr('SPMS-STR-v1' as unknown as Uint8Array))).toBe('str-type');
    expect(verifyStrSignature({ ...signStr(fields, keys.secretKey), signature: new Uint8Array(3) }, keys.publicKey)).toBe(false);
    expect(verifyStrSignature(signStr(fields, keys.secretKey), keys.publicKey.subarray(1))).toBe(false);
  });

  it('bounds pvId to 1..255 bytes of well-formed UTF-8', () => {
    expect(decodeSignedStr(encodeSignedStr(signStr({ ...fields, pvId: 'é'.repeat(127) + 'x' }, keys.secretKey))).pvId).toBe('é'.repeat(127) + 'x');
    expect(code(() => encodeStrMessage({ ...fields, pvId: 'é'.repeat(128) }))).toBe('str-pv-id');
    expect(code(() => encodeStrMessage({ ...fields, pvId: 'PV\uD800' }))).toBe('str-pv-id');
    const bytes = encodeSignedStr(signStr({ ...fields, pvId: 'PVé' }, keys.secretKey));
    bytes[14] = 0xff; // second byte of "é": no longer UTF-8
    expect(code(() => decodeSignedStr(bytes))).toBe('str-pv-id');
    bytes[11] = 0;
    expect(code(() => decodeSignedStr(bytes))).toBe('str-pv-id');
  });

  it('refuses epochs and timestamps beyond 2^53-1 when decoding', () => {
    const bytes = encodeSignedStr(signStr(fields, keys.secretKey));
    bytes[47] = 0xff; // top byte of the u64 epoch
    expect(code(() => decodeSignedStr(bytes))).toBe('str-field');
    expect(code(() => encodeStrMessage({ ...fields, timestampMs: 2 ** 53 }))).toBe('str-field');
    expect(code(() => encodeStrMessage({ ...fields, epoch: 1.5 }))).toBe('str-field');
  });

  it('guards the JSON form field by field', () => {
    const json = strToJson(signStr(fields, keys.secretKey));
    const bad: [unknown, RegExp][] = [
      [[json], /JSON object/],
      [{ ...json, extra: 1 }, /unknown STR field "extra"/],
      [{ ...json, epoch: '7' }, /epoch must be an integer/],
      [{ ...json, timestampMs: -1 }, /timestampMs must be an integer/],
      [{ ...json, signature: json.signature.toUpperCase() }, /signature must be 128 lowercase hex digits/],
      [{ ...json, treeId: json.treeId.slice(2) }, /treeId must be 64 lowercase hex digits/],
      [{ ...json, pvId: 7 }, /pvId must be a string/],
      [{ ...json, pvId: '' }, /pvId must be 1 to 255 bytes/],
    ];
    for (const [input, message] of bad) expect(() => strFromJson(input)).toThrow(message);
  });

  it('refuses a mauled signature whose scalar is not reduced (S + L)', () => {
    const s = signStr(fields, keys.secretKey);
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    let scalar = 0n;
    for (let i = 63; i >= 32; i--) scalar = (scalar << 8n) | BigInt(s.signature[i]!);
    const mauled = Uint8Array.from(s.signature);
    let big = scalar + L;
    for (let i = 32; i < 64; i++) {
      mauled[i] = Number(big & 0xffn);
      big >>= 8n;
    }
    expect(verifyStrSignature({ ...s, signature: mauled }, keys.publicKey)).toBe(false);
  });

  it('makes key pairs from a 32-byte seed or at random, and refuses bad keys', () => {
    expect(generateStrKeyPair(hash(utf8('str test key')))).toEqual(keys);
    const fresh = generateStrKeyPair();
    expect(fresh.publicKey).toHaveLength(32);
    expect(fresh.secretKey).not.toEqual(keys.secretKey);
    expect(code(() => generateStrKeyPair(new Uint8Array(31)))).toBe('str-key');
    expect(code(() => signStr(fields, new Uint8Array(64)))).toBe('str-key');
  });
});

describe('published STR vectors', () => {
  it('are reproduced byte for byte from their inputs', () => {
    const seed = fromHex(vectors.secretKeySeed);
    const pair = generateStrKeyPair(seed);
    expect(toHex(pair.publicKey)).toBe(vectors.publicKey);
    for (const v of [...vectors.chain, vectors.equivocation]) {
      // Only the fields are taken from the file: the signature must be recomputed.
      const { signature: _published, ...f } = strFromJson(v.str);
      expect(toHex(encodeStrMessage(f))).toBe(v.message);
      const signed = signStr(f, pair.secretKey);
      expect(strToJson(signed)).toEqual(v.str);
      expect(toHex(encodeSignedStr(signed))).toBe(v.encoded);
      expect(toHex(strHash(signed))).toBe(v.strHash);
      expect(decodeSignedStr(fromHex(v.encoded))).toEqual(signed);
      expect(verifyStrSignature(strFromJson(v.str), pair.publicKey)).toBe(true);
    }
  });
});
