// Issuing: the self-signed root and the leaf certificate of each lab role.
// The SPMS extensions use OIDs forge cannot encode, so a leaf's signed part
// is produced by forge, the extensions are appended to it, and it is signed
// here. Node only (serial numbers from node:crypto).
import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import forge from 'node-forge';
import { getTBSCertificate } from './forge-extra.ts';
import { CertError } from './cert-error.ts';
import { normalizeSerial } from './der.ts';
import { extensionAsn1, namespacesValue, roleValue, strKeyValue, type CertRole } from './extensions.ts';
import { OID_NAMESPACES, OID_ROLE, OID_STR_PUBLIC_KEY } from './oids.ts';

const { asn1, pki } = forge;
const DAY = 86_400_000;
/** Leaves start a few minutes in the past so a peer whose clock lags a little accepts them. */
const BACKDATE_MS = 5 * 60_000;
export const ORGANIZATION = 'SPMS Lab';
/** Identities of lab members: PV ids, developer names, host names. */
export const IDENTITY = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;

export interface CaKey {
  cert: forge.pki.Certificate;
  key: forge.pki.rsa.PrivateKey;
}

export interface RootOptions {
  commonName: string;
  validityDays?: number;
  nowMs?: number;
}

export interface LeafRequest {
  role: CertRole;
  /** The holder's identity: the PV id, the developer's name, the node's name. */
  name: string;
  dnsNames?: readonly string[];
  ipAddresses?: readonly string[];
  /** Developers: the namespaces they own. */
  namespaces?: readonly string[];
  /** PVs: the Ed25519 STR public key (32 bytes). */
  strPublicKey?: Uint8Array;
  validityDays?: number;
  nowMs?: number;
}

function newSerial(): string {
  const bytes = randomBytes(16);
  // Positive and of full length: no sign bit, no leading zero byte.
  bytes[0] = (bytes[0]! & 0x7f) | 0x10;
  return bytes.toString('hex');
}

function validity(cert: forge.pki.Certificate, nowMs: number, days: number, backdate: number): void {
  if (!Number.isInteger(days) || days < 1 || days > 36_500) throw new CertError('issue-invalid', `validity must be 1 to 36500 days, got ${days}`);
  cert.validity.notBefore = new Date(nowMs - backdate);
  cert.validity.notAfter = new Date(nowMs + days * DAY);
}

export function createRootCertificate(key: { privateKey: forge.pki.rsa.PrivateKey; publicKey: forge.pki.rsa.PublicKey }, opts: RootOptions): string {
  if (opts.commonName.trim() === '' || opts.commonName.length > 64) throw new CertError('issue-invalid', 'the CA common name must be 1 to 64 characters');
  const cert = pki.createCertificate();
  cert.publicKey = key.publicKey;
  cert.serialNumber = newSerial();
  validity(cert, opts.nowMs ?? Date.now(), opts.validityDays ?? 3650, 0);
  const name = [
    { shortName: 'CN', value: opts.commonName },
    { shortName: 'O', value: ORGANIZATION },
  ];
  cert.setSubject(name);
  cert.setIssuer(name);
  cert.setExtensions([
    { name: 'basicConstraints', cA: true, pathLenConstraint: 0, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  cert.sign(key.privateKey, forge.md.sha256.create());
  return pki.certificateToPem(cert);
}

function checkRequest(req: LeafRequest): { dns: string[]; ips: string[] } {
  if (!IDENTITY.test(req.name)) throw new CertError('issue-invalid', `"${req.name}" is not a valid identity (letters, digits, _ . -, at most 128, not starting with . or -)`);
  if (req.strPublicKey !== undefined && req.role !== 'pv') throw new CertError('issue-invalid', 'only a PV certificate carries an STR public key');
  if (req.role === 'pv' && req.strPublicKey === undefined) throw new CertError('issue-invalid', "a PV certificate needs the PV's Ed25519 STR public key");
  if (req.namespaces !== undefined && req.role !== 'developer') throw new CertError('issue-invalid', 'only a developer certificate names namespaces');
  if (req.role === 'developer' && (req.namespaces === undefined || req.namespaces.length === 0)) throw new CertError('issue-invalid', 'a developer certificate needs at least one namespace');
  const server = req.role === 'pr' || req.role === 'pv';
  if (!server && (req.dnsNames?.length || req.ipAddresses?.length))
    throw new CertError('issue-invalid', `a ${req.role} certificate is for client authentication and takes no DNS names or IP addresses`);
  for (const ip of req.ipAddresses ?? []) if (isIP(ip) === 0) throw new CertError('issue-invalid', `"${ip}" is not an IP address`);
  for (const dns of req.dnsNames ?? []) {
    if (!/^(\*\.)?[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*$/.test(dns) || dns.length > 253) throw new CertError('issue-invalid', `"${dns}" is not a DNS name`);
  }
  // Lab nodes run on loopback unless told otherwise.
  const none = (req.dnsNames?.length ?? 0) + (req.ipAddresses?.length ?? 0) === 0;
  return { dns: server && none ? ['localhost'] : [...(req.dnsNames ?? [])], ips: server && none ? ['127.0.0.1'] : [...(req.ipAddresses ?? [])] };
}

/** Issues a leaf for `publicKey`; returns its PEM and serial (minimal lowercase hex). */
export function issueLeafCertificate(ca: CaKey, publicKey: forge.pki.rsa.PublicKey, req: LeafRequest): { pem: string; serial: string } {
  const { dns, ips } = checkRequest(req);
  const cert = pki.createCertificate();
  cert.publicKey = publicKey;
  cert.serialNumber = newSerial();
  validity(cert, req.nowMs ?? Date.now(), req.validityDays ?? 365, BACKDATE_MS);
  cert.setSubject([
    { shortName: 'CN', value: req.name },
    { shortName: 'OU', value: req.role },
    { shortName: 'O', value: ORGANIZATION },
  ]);
  cert.setIssuer(ca.cert.subject.attributes);
  const server = req.role === 'pr' || req.role === 'pv';
  cert.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: server, clientAuth: true },
    { name: 'subjectKeyIdentifier' },
    { name: 'authorityKeyIdentifier', keyIdentifier: ca.cert.generateSubjectKeyIdentifier().getBytes() },
    ...(dns.length + ips.length > 0 ? [{ name: 'subjectAltName', altNames: [...dns.map((value) => ({ type: 2, value })), ...ips.map((ip) => ({ type: 7, ip }))] }] : []),
  ]);
  cert.md = forge.md.sha256.create();
  cert.signatureOid = cert.siginfo.algorithmOid = pki.oids.sha256WithRSAEncryption!;
  const tbs = getTBSCertificate(cert);
  const extensionList = (tbs.value as forge.asn1.Asn1[]).find((n) => n.tagClass === asn1.Class.CONTEXT_SPECIFIC && n.type === 3);
  const list = (extensionList?.value as forge.asn1.Asn1[] | undefined)?.[0];
  if (list === undefined || !Array.isArray(list.value)) throw new Error('forge produced a certificate without an extension list');
  list.value.push(extensionAsn1(OID_ROLE, roleValue(req.role)));
  if (req.strPublicKey !== undefined) list.value.push(extensionAsn1(OID_STR_PUBLIC_KEY, strKeyValue(req.strPublicKey)));
  if (req.namespaces !== undefined) list.value.push(extensionAsn1(OID_NAMESPACES, namespacesValue(req.namespaces)));
  cert.tbsCertificate = tbs;
  const md = forge.md.sha256.create();
  md.update(asn1.toDer(tbs).getBytes());
  cert.signature = ca.key.sign(md);
  const body = asn1.toDer(pki.certificateToAsn1(cert)).getBytes();
  return { pem: forge.pem.encode({ type: 'CERTIFICATE', body }, { maxline: 64 }), serial: normalizeSerial(cert.serialNumber) };
}
