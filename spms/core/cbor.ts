// Deterministic CBOR (RFC 8949 §4.2.1: shortest forms, map keys sorted by
// their encoded bytes) for every structure that is hashed or signed, and a
// strict decoder that refuses anything a canonical encoder would not produce.
import { decode, encode, rfc8949EncodeOptions } from 'cborg';
import { equalBytes } from './bytes.ts';
import { EncodingError } from './errors.ts';

export function encodeCanonical(value: unknown): Uint8Array {
  return encode(value, rfc8949EncodeOptions);
}

/** Decodes `bytes` and proves they were canonical by re-encoding them. */
export function decodeCanonical(bytes: Uint8Array): unknown {
  let value: unknown;
  try {
    value = decode(bytes, { strict: true, rejectDuplicateMapKeys: true, allowUndefined: false, allowIndefinite: false, allowBigInt: false });
  } catch (e) {
    throw new EncodingError('cbor-malformed', `malformed CBOR: ${e instanceof Error ? e.message : String(e)}`);
  }
  let again: Uint8Array;
  try {
    again = encodeCanonical(value);
  } catch (e) {
    throw new EncodingError('cbor-unsupported', `CBOR value cannot be re-encoded: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (!equalBytes(again, bytes)) throw new EncodingError('cbor-not-canonical', 'CBOR is not in deterministic encoding (RFC 8949 §4.2.1)');
  return value;
}
