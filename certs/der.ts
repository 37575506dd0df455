// Just enough DER to cut exact byte ranges out of a signed structure (the
// signed part of a certificate or CRL must be hashed as received, never as
// re-encoded), plus PEM framing. forge only, no Node built-ins.
import forge from 'node-forge';
import { binaryToBytes } from './binary.ts';
import { CertError, type CertErrorCode } from './cert-error.ts';

/** The bytes of the first element inside the outer SEQUENCE of `der` (tag, length and content). */
export function firstInnerElement(der: Uint8Array, code: CertErrorCode): Uint8Array {
  const outer = header(der, 0, code);
  if (der[0] !== 0x30 || outer.end !== der.length) throw new CertError(code, 'not a single DER SEQUENCE');
  const inner = header(der, outer.contentStart, code);
  if (inner.end > outer.end) throw new CertError(code, 'truncated DER');
  return der.subarray(outer.contentStart, inner.end);
}

function header(der: Uint8Array, at: number, code: CertErrorCode): { contentStart: number; end: number } {
  if (at + 2 > der.length) throw new CertError(code, 'truncated DER');
  const first = der[at + 1]!;
  if (first < 0x80) return { contentStart: at + 2, end: at + 2 + first };
  const n = first & 0x7f;
  // DER lengths are minimal and, for anything we sign, fit in 4 bytes.
  if (n === 0 || n > 4 || at + 2 + n > der.length) throw new CertError(code, 'unsupported DER length');
  let len = 0;
  for (let i = 0; i < n; i++) len = len * 256 + der[at + 2 + i]!;
  return { contentStart: at + 2 + n, end: at + 2 + n + len };
}

/** DER bytes of a PEM block of the given type, or the input itself when it already is DER. */
export function pemOrDer(input: string | Uint8Array, type: 'CERTIFICATE' | 'X509 CRL', code: CertErrorCode): Uint8Array {
  if (input instanceof Uint8Array) return input;
  let blocks: ReturnType<typeof forge.pem.decode>;
  try {
    blocks = forge.pem.decode(input);
  } catch (e) {
    throw new CertError(code, `not valid PEM: ${(e as Error).message}`);
  }
  const block = blocks.find((b) => b.type === type);
  if (block === undefined) throw new CertError(code, `no "${type}" PEM block found`);
  return binaryToBytes(block.body);
}

export function derToPem(der: Uint8Array, type: 'CERTIFICATE' | 'X509 CRL'): string {
  let binary = '';
  for (const b of der) binary += String.fromCharCode(b);
  return forge.pem.encode({ type, body: binary }, { maxline: 64 });
}

/** Minimal lowercase hex of a serial number, so "00ab" and "ab" compare equal. */
export function normalizeSerial(hex: string): string {
  return hex.toLowerCase().replace(/^(00)+(?=.)/, '');
}
