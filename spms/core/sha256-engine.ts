// What the protocol needs from a SHA-256 implementation. Two exist: portable
// JavaScript, and a small WebAssembly module that is faster wherever
// WebAssembly may run (hash.ts picks).

/**
 * A buffer for messages of one fixed length with SHA-256's padding written
 * once: the tree hashes millions of equal-length messages, and rewriting only
 * their payload saves a copy and the padding per hash.
 */
export interface FixedLengthMessage {
  readonly length: number;
  /** The payload goes in bytes[0 .. length); what follows is padding, keep it. */
  readonly bytes: Uint8Array;
  /** SHA-256 of the current payload. */
  digest(): Uint8Array;
}

export interface Sha256Engine {
  readonly name: 'javascript' | 'webassembly';
  /** SHA-256 of data[0 .. length). */
  digest(data: Uint8Array, length: number): Uint8Array;
  fixedLengthMessage(length: number): FixedLengthMessage;
}

/** Bytes SHA-256 processes for a message of `length` bytes: the message, its padding and length, in whole blocks. */
export function paddedLength(length: number): number {
  return ((length + 9 + 63) >>> 6) << 6;
}

/** Writes the 32-bit word `w` big-endian at out[at .. at + 4). */
export function putWord(out: Uint8Array, at: number, w: number): void {
  out[at] = w >>> 24;
  out[at + 1] = (w >>> 16) & 0xff;
  out[at + 2] = (w >>> 8) & 0xff;
  out[at + 3] = w & 0xff;
}

/**
 * Writes SHA-256's padding into m[at .. at + total - tail): the 0x80 marker
 * after the message's last `tail` bytes at m[at .. at + tail), zeros, and the
 * message's full length in bits as a 64-bit big-endian integer.
 */
export function writePadding(m: Uint8Array, at: number, tail: number, total: number, messageLength: number): void {
  m[at + tail] = 0x80;
  m.fill(0, at + tail + 1, at + total - 8);
  putWord(m, at + total - 8, Math.floor(messageLength / 0x20000000));
  putWord(m, at + total - 4, (messageLength << 3) >>> 0);
}
