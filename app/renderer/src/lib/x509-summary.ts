// Just enough X.509 reading to show a certificate in the page: subject,
// issuer, serial, validity and SHA-256 fingerprint, from the PEM the daemon
// serves. A minimal DER walk (RFC 5280 §4.1), no signature checks: the
// nodes and the daemon verify certificates; this only describes one.
import { hash, toHex } from '../../../../spms/core/index.ts';

export interface X509Summary {
  subject: string;
  issuer: string;
  /** Lowercase hex, leading zeros dropped. */
  serial: string;
  notBeforeMs: number;
  notAfterMs: number;
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
  selfSigned: boolean;
}

export class X509Error extends Error {
  override name = 'X509Error';
}

interface Tlv {
  tag: number;
  start: number;
  /** Offset of the contents. */
  body: number;
  end: number;
}

function readTlv(der: Uint8Array, at: number, limit: number): Tlv {
  if (at + 2 > limit) throw new X509Error('truncated DER');
  const tag = der[at] as number;
  let len = der[at + 1] as number;
  let body = at + 2;
  if (len & 0x80) {
    const n = len & 0x7f;
    if (n === 0 || n > 4 || body + n > limit) throw new X509Error('unsupported DER length');
    len = 0;
    for (let i = 0; i < n; i++) len = len * 256 + (der[body + i] as number);
    body += n;
  }
  if (body + len > limit) throw new X509Error('DER element runs past its container');
  return { tag, start: at, body, end: body + len };
}

function children(der: Uint8Array, parent: Tlv): Tlv[] {
  const out: Tlv[] = [];
  for (let at = parent.body; at < parent.end;) {
    const t = readTlv(der, at, parent.end);
    out.push(t);
    at = t.end;
  }
  return out;
}

function oid(bytes: Uint8Array): string {
  const first = bytes[0] ?? 0;
  const parts = [Math.floor(first / 40), first % 40];
  let v = 0;
  for (let i = 1; i < bytes.length; i++) {
    const b = bytes[i] as number;
    v = v * 128 + (b & 0x7f);
    if (!(b & 0x80)) {
      parts.push(v);
      v = 0;
    }
  }
  return parts.join('.');
}

const ATTRS: Record<string, string> = { '2.5.4.3': 'CN', '2.5.4.6': 'C', '2.5.4.7': 'L', '2.5.4.8': 'ST', '2.5.4.10': 'O', '2.5.4.11': 'OU', '1.2.840.113549.1.9.1': 'emailAddress' };

function text(der: Uint8Array, t: Tlv): string {
  const bytes = der.subarray(t.body, t.end);
  if (t.tag === 0x1e) {
    // BMPString: UTF-16BE
    let s = '';
    for (let i = 0; i + 1 < bytes.length; i += 2) s += String.fromCharCode(((bytes[i] as number) << 8) | (bytes[i + 1] as number));
    return s;
  }
  return new TextDecoder().decode(bytes);
}

function name(der: Uint8Array, t: Tlv): string {
  const parts: string[] = [];
  for (const rdn of children(der, t)) {
    for (const atv of children(der, rdn)) {
      const [type, value] = children(der, atv);
      if (type === undefined || value === undefined) continue;
      const id = oid(der.subarray(type.body, type.end));
      parts.push(`${ATTRS[id] ?? id}=${text(der, value)}`);
    }
  }
  return parts.join(', ');
}

function time(der: Uint8Array, t: Tlv): number {
  const s = new TextDecoder().decode(der.subarray(t.body, t.end));
  const utc = t.tag === 0x17; // UTCTime (two-digit year) or GeneralizedTime
  const m = (utc ? /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/ : /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})?Z$/).exec(s);
  if (m === null) throw new X509Error(`unsupported time "${s}"`);
  let year = Number(m[1]);
  if (utc) year += year < 50 ? 2000 : 1900;
  return Date.UTC(year, Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]), Number(m[6] ?? '0'));
}

/** The DER of the first certificate in a PEM text. */
export function pemToDer(pem: string): Uint8Array {
  const m = /-----BEGIN CERTIFICATE-----([\s\S]*?)-----END CERTIFICATE-----/.exec(pem);
  if (m === null) throw new X509Error('no PEM certificate block');
  const b64 = (m[1] as string).replace(/\s+/g, '');
  let bin: string;
  try {
    bin = atob(b64);
  } catch {
    throw new X509Error('the PEM block is not base64');
  }
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

export function summarizeCertificate(pem: string): X509Summary {
  const der = pemToDer(pem);
  const cert = readTlv(der, 0, der.length);
  const [tbs] = children(der, cert);
  if (cert.tag !== 0x30 || tbs === undefined || tbs.tag !== 0x30) throw new X509Error('not an X.509 certificate');
  const fields = children(der, tbs);
  const base = fields[0]?.tag === 0xa0 ? 1 : 0; // [0] version is optional (v1)
  const [serialT, , issuerT, validityT, subjectT] = fields.slice(base);
  if (serialT === undefined || issuerT === undefined || validityT === undefined || subjectT === undefined) throw new X509Error('the certificate lacks fields');
  const [nb, na] = children(der, validityT);
  if (nb === undefined || na === undefined) throw new X509Error('the certificate has no validity');
  const serial = toHex(der.subarray(serialT.body, serialT.end)).replace(/^0+(?=.)/, '');
  const issuer = name(der, issuerT);
  const subject = name(der, subjectT);
  return {
    subject,
    issuer,
    serial,
    notBeforeMs: time(der, nb),
    notAfterMs: time(der, na),
    fingerprint: toHex(hash(der)),
    selfSigned: issuer === subject,
  };
}
