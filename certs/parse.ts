// Reading an X.509 certificate, including the SPMS extensions that forge
// cannot parse (their OIDs exceed its 53-bit arc limit): they are taken out
// of the ASN.1 first and decoded here; forge reads the rest. Nothing here
// says the certificate is trustworthy — that is verify.ts.
import forge from 'node-forge';
import { fromDer } from './forge-extra.ts';
import { binaryToBytes, bytesToBinary, bytesToHex } from './binary.ts';
import { CertError } from './cert-error.ts';
import { firstInnerElement, normalizeSerial, pemOrDer } from './der.ts';
import { decodeNamespaces, decodeRole, decodeStrKey, type CertRole } from './extensions.ts';
import { OID_NAMESPACES, OID_ROLE, OID_STR_PUBLIC_KEY, oidContentBytes } from './oids.ts';

const { asn1, pki } = forge;

export interface ParsedCertificate {
  der: Uint8Array;
  /** forge's view of every field except the SPMS extensions. */
  forge: forge.pki.Certificate;
  /** The signed part, exactly as received. */
  tbs: Uint8Array;
  signatureOid: string;
  /** Signature bytes as a forge binary string. */
  signature: string;
  /** DER of the issuer and subject Names, for exact comparison. */
  issuerDer: string;
  subjectDer: string;
  commonName: string;
  /** Minimal lowercase hex. */
  serial: string;
  notBefore: Date;
  notAfter: Date;
  isCa: boolean;
  serverAuth: boolean;
  clientAuth: boolean;
  dnsNames: string[];
  ipAddresses: string[];
  role?: CertRole;
  strPublicKey?: Uint8Array;
  namespaces?: string[];
  /** SHA-256 of the DER, lowercase hex. */
  fingerprint: string;
}

const SPMS_OIDS = new Map([
  [bytesToBinary(oidContentBytes(OID_ROLE)), 'role'],
  [bytesToBinary(oidContentBytes(OID_STR_PUBLIC_KEY)), 'strPublicKey'],
  [bytesToBinary(oidContentBytes(OID_NAMESPACES)), 'namespaces'],
] as const);

type Node = forge.asn1.Asn1;

function children(node: Node | undefined): Node[] {
  return node !== undefined && Array.isArray(node.value) ? (node.value as Node[]) : [];
}

export function parseCertificate(input: string | Uint8Array): ParsedCertificate {
  const der = pemOrDer(input, 'CERTIFICATE', 'cert-malformed');
  let root: Node;
  try {
    root = fromDer(bytesToBinary(der), { strict: true, parseAllBytes: true });
  } catch (e) {
    throw new CertError('cert-malformed', `the certificate is not valid DER: ${(e as Error).message}`);
  }
  const [tbsNode, sigAlg, sigValue] = children(root);
  const tbsFields = children(tbsNode);
  if (tbsNode === undefined || sigAlg === undefined || sigValue === undefined || tbsFields.length < 7) throw new CertError('cert-malformed', 'the certificate does not have the X.509 structure');
  // TBSCertificate: [0] version, serial, signature, issuer, validity, subject, spki, ..., [3] extensions
  const base = tbsFields[0]!.tagClass === asn1.Class.CONTEXT_SPECIFIC ? 1 : 0;
  const issuer = tbsFields[base + 2]!;
  const subject = tbsFields[base + 4]!;
  const spms: { role?: string; strPublicKey?: string; namespaces?: string } = {};
  const stripped = tbsFields.map((field) => {
    if (field.tagClass !== asn1.Class.CONTEXT_SPECIFIC || field.type !== 3) return field;
    const list = children(field)[0];
    const kept = children(list).filter((ext) => {
      const [oid, second, third] = children(ext);
      const which = oid !== undefined && oid.type === asn1.Type.OID && typeof oid.value === 'string' ? SPMS_OIDS.get(oid.value) : undefined;
      if (which === undefined) return true;
      const value = second?.type === asn1.Type.BOOLEAN ? third : second;
      if (value === undefined || typeof value.value !== 'string') throw new CertError('cert-extension', `the ${which} extension has no value`);
      if (spms[which] !== undefined) throw new CertError('cert-extension', `the ${which} extension appears twice`);
      spms[which] = value.value;
      return false;
    });
    return asn1.create(field.tagClass, field.type, true, [asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, kept)]);
  });
  let cert: forge.pki.Certificate;
  try {
    cert = pki.certificateFromAsn1(asn1.create(root.tagClass, root.type, true, [asn1.create(tbsNode.tagClass, tbsNode.type, true, stripped), sigAlg, sigValue]));
  } catch (e) {
    throw new CertError('cert-malformed', `the certificate cannot be read: ${(e as Error).message}`);
  }
  const ext = (name: string): Record<string, unknown> | undefined => cert.getExtension(name) as Record<string, unknown> | undefined;
  const eku = ext('extKeyUsage');
  const bc = ext('basicConstraints');
  const altNames = (ext('subjectAltName')?.altNames ?? []) as { type: number; value: string; ip?: string }[];
  const cn = cert.subject.getField('CN') as { value: string } | null;
  const md = forge.md.sha256.create();
  md.update(bytesToBinary(der));
  return {
    der,
    forge: cert,
    tbs: firstInnerElement(der, 'cert-malformed'),
    signatureOid: cert.signatureOid ?? '',
    signature: cert.signature as string,
    issuerDer: asn1.toDer(issuer).getBytes(),
    subjectDer: asn1.toDer(subject).getBytes(),
    commonName: cn === null ? '' : forge.util.decodeUtf8(cn.value),
    serial: normalizeSerial(cert.serialNumber),
    notBefore: cert.validity.notBefore,
    notAfter: cert.validity.notAfter,
    isCa: bc?.cA === true,
    serverAuth: eku?.serverAuth === true,
    clientAuth: eku?.clientAuth === true,
    dnsNames: altNames.filter((n) => n.type === 2).map((n) => n.value),
    ipAddresses: altNames.filter((n) => n.type === 7 && typeof n.ip === 'string').map((n) => n.ip!),
    ...(spms.role === undefined ? {} : { role: decodeRole(spms.role) }),
    ...(spms.strPublicKey === undefined ? {} : { strPublicKey: decodeStrKey(spms.strPublicKey) }),
    ...(spms.namespaces === undefined ? {} : { namespaces: decodeNamespaces(spms.namespaces) }),
    fingerprint: bytesToHex(binaryToBytes(md.digest().getBytes())),
  };
}
