// Certificate revocation lists (RFC 5280 §5), which node-forge lacks: built
// from its ASN.1 primitives and signed with the CA key (sha256WithRSA), and
// parsed back for verification. forge only, no Node built-ins.
import forge from 'node-forge';
import { fromDer } from './forge-extra.ts';
import { binaryToBytes, bytesToBinary } from './binary.ts';
import { CertError } from './cert-error.ts';
import { derToPem, firstInnerElement, normalizeSerial, pemOrDer } from './der.ts';

const { asn1, pki } = forge;
type Node = forge.asn1.Asn1;

export const REVOCATION_REASONS = { unspecified: 0, keyCompromise: 1, cACompromise: 2, affiliationChanged: 3, superseded: 4, cessationOfOperation: 5 } as const;
export type RevocationReason = keyof typeof REVOCATION_REASONS;

export function isRevocationReason(value: unknown): value is RevocationReason {
  return typeof value === 'string' && Object.hasOwn(REVOCATION_REASONS, value);
}

export interface RevokedEntry {
  /** Serial number, minimal lowercase hex. */
  serial: string;
  revokedMs: number;
  reason: RevocationReason;
}

export interface CrlInput {
  caCert: forge.pki.Certificate;
  caKey: forge.pki.rsa.PrivateKey;
  entries: readonly RevokedEntry[];
  thisUpdateMs: number;
  nextUpdateMs: number;
  crlNumber: number;
}

export interface ParsedCrl {
  der: Uint8Array;
  tbs: Uint8Array;
  issuerDer: string;
  thisUpdate: Date;
  nextUpdate?: Date;
  crlNumber?: number;
  signatureOid: string;
  signature: string;
  revoked: Map<string, { revokedAt: Date; reason: RevocationReason }>;
}

const OID_SHA256_RSA = pki.oids.sha256WithRSAEncryption!;
const OID_CRL_NUMBER = '2.5.29.20';
const OID_AUTHORITY_KEY_ID = '2.5.29.35';
const OID_REASON_CODE = '2.5.29.21';

const seq = (items: Node[]): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, items);
const oid = (id: string): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, asn1.oidToDer(id).getBytes());
const octets = (node: Node): Node => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(node).getBytes());

function integer(hexOrNumber: string | number): Node {
  let hex = typeof hexOrNumber === 'number' ? hexOrNumber.toString(16) : normalizeSerial(hexOrNumber);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  if (parseInt(hex.slice(0, 2), 16) >= 0x80) hex = `00${hex}`;
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.INTEGER, false, forge.util.hexToBytes(hex));
}

/** RFC 5280 §4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(ms: number): Node {
  const d = new Date(ms);
  return d.getUTCFullYear() < 2050
    ? asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTCTIME, false, asn1.dateToUtcTime(d))
    : asn1.create(asn1.Class.UNIVERSAL, asn1.Type.GENERALIZEDTIME, false, asn1.dateToGeneralizedTime(d));
}

export function buildCrl(input: CrlInput): string {
  const algorithm = seq([oid(OID_SHA256_RSA), asn1.create(asn1.Class.UNIVERSAL, asn1.Type.NULL, false, '')]);
  const skid = input.caCert.generateSubjectKeyIdentifier().getBytes();
  const revoked = input.entries.map((e) => {
    const fields = [integer(e.serial), time(e.revokedMs)];
    // RFC 5280 §5.3.1: the reason code is omitted rather than given as unspecified.
    if (e.reason !== 'unspecified') {
      const reason = asn1.create(asn1.Class.UNIVERSAL, asn1.Type.ENUMERATED, false, String.fromCharCode(REVOCATION_REASONS[e.reason]));
      fields.push(seq([seq([oid(OID_REASON_CODE), octets(reason)])]));
    }
    return seq(fields);
  });
  const tbs = seq([
    integer(1), // v2
    algorithm,
    pki.distinguishedNameToAsn1(input.caCert.subject),
    time(input.thisUpdateMs),
    time(input.nextUpdateMs),
    ...(revoked.length > 0 ? [seq(revoked)] : []),
    asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, true, [
      seq([seq([oid(OID_CRL_NUMBER), octets(integer(input.crlNumber))]), seq([oid(OID_AUTHORITY_KEY_ID), octets(seq([asn1.create(asn1.Class.CONTEXT_SPECIFIC, 0, false, skid)]))])]),
    ]),
  ]);
  const md = forge.md.sha256.create();
  md.update(asn1.toDer(tbs).getBytes());
  const signature = input.caKey.sign(md);
  const crl = seq([tbs, algorithm, asn1.create(asn1.Class.UNIVERSAL, asn1.Type.BITSTRING, false, `\u0000${signature}`)]);
  return derToPem(binaryToBytes(asn1.toDer(crl).getBytes()), 'X509 CRL');
}

function readTime(node: Node | undefined): Date | undefined {
  if (node === undefined || typeof node.value !== 'string') return undefined;
  if (node.type === asn1.Type.UTCTIME) return asn1.utcTimeToDate(node.value);
  if (node.type === asn1.Type.GENERALIZEDTIME) return asn1.generalizedTimeToDate(node.value);
  return undefined;
}

function kids(node: Node | undefined): Node[] {
  return node !== undefined && Array.isArray(node.value) ? (node.value as Node[]) : [];
}

function bad(message: string): never {
  throw new CertError('crl-malformed', `the CRL ${message}`);
}

export function parseCrl(input: string | Uint8Array): ParsedCrl {
  const der = pemOrDer(input, 'X509 CRL', 'crl-malformed');
  let root: Node;
  try {
    root = fromDer(bytesToBinary(der), { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch (e) {
    return bad(`is not valid DER: ${(e as Error).message}`);
  }
  try {
    return readCrl(der, root);
  } catch (e) {
    if (e instanceof CertError) throw e;
    return bad(`cannot be read: ${(e as Error).message}`);
  }
}

function readCrl(der: Uint8Array, root: Node): ParsedCrl {
  const [tbs, sigAlg, sigValue] = kids(root);
  const fields = kids(tbs);
  if (fields.length < 4 || sigValue === undefined || typeof sigValue.value !== 'string') return bad('does not have the CertificateList structure');
  let i = fields[0]!.type === asn1.Type.INTEGER ? 1 : 0;
  const sigOidNode = kids(sigAlg)[0];
  const signatureOid = sigOidNode !== undefined && typeof sigOidNode.value === 'string' ? asn1.derToOid(sigOidNode.value) : '';
  i++; // inner signature algorithm
  const issuer = fields[i++]!;
  const thisUpdate = readTime(fields[i++]) ?? bad('has no valid thisUpdate');
  const nextUpdate = readTime(fields[i]);
  if (nextUpdate !== undefined) i++;
  const revoked = new Map<string, { revokedAt: Date; reason: RevocationReason }>();
  const list = fields[i];
  if (list !== undefined && list.tagClass === asn1.Class.UNIVERSAL && list.type === asn1.Type.SEQUENCE) {
    i++;
    for (const entry of kids(list)) {
      const [serial, date, exts] = kids(entry);
      if (serial === undefined || serial.type !== asn1.Type.INTEGER || typeof serial.value !== 'string') return bad('has an entry without a serial number');
      const revokedAt = readTime(date) ?? bad('has an entry without a revocation date');
      let reason: RevocationReason = 'unspecified';
      for (const ext of kids(exts)) {
        const [id, value] = kids(ext);
        if (id !== undefined && typeof id.value === 'string' && asn1.derToOid(id.value) === OID_REASON_CODE && typeof value?.value === 'string') {
          const code = fromDer(value.value).value;
          const name = (Object.keys(REVOCATION_REASONS) as RevocationReason[]).find((k) => typeof code === 'string' && REVOCATION_REASONS[k] === code.charCodeAt(0));
          if (name !== undefined) reason = name;
        }
      }
      revoked.set(normalizeSerial(forge.util.bytesToHex(serial.value)), { revokedAt, reason });
    }
  }
  let crlNumber: number | undefined;
  for (const ext of kids(kids(fields[i])[0])) {
    const [id, value] = kids(ext);
    if (id !== undefined && typeof id.value === 'string' && asn1.derToOid(id.value) === OID_CRL_NUMBER && typeof value?.value === 'string') {
      const n = fromDer(value.value).value;
      if (typeof n === 'string') crlNumber = parseInt(forge.util.bytesToHex(n), 16);
    }
  }
  return {
    der,
    tbs: firstInnerElement(der, 'crl-malformed'),
    issuerDer: asn1.toDer(issuer).getBytes(),
    thisUpdate,
    ...(nextUpdate === undefined ? {} : { nextUpdate }),
    ...(crlNumber === undefined ? {} : { crlNumber }),
    signatureOid,
    signature: sigValue.value.slice(1),
    revoked,
  };
}
