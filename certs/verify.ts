// Verification of lab certificates against the lab's root CA: signature,
// validity dates, revocation (when a CRL is given), role and SPMS
// extensions. forge only, no Node built-ins: the browser client and the UI
// use this to trust a PV's STR key (DESIGN §3.4), the nodes to admit peers.
import forge from 'node-forge';
import { bytesToBinary } from './binary.ts';
import { CertError } from './cert-error.ts';
import { parseCrl, type ParsedCrl } from './crl.ts';
import type { CertRole } from './extensions.ts';
import { parseCertificate, type ParsedCertificate } from './parse.ts';

const OID_SHA256_RSA = forge.pki.oids.sha256WithRSAEncryption!;

export interface TrustOptions {
  /** The lab's root CA certificate (PEM, DER or already parsed). */
  root: string | Uint8Array | ParsedCertificate;
  /** The CA's current CRL; without it revocation is not checked. */
  crl?: string | Uint8Array | ParsedCrl;
  /** Time of the check (defaults to now). */
  nowMs?: number;
  /** Roles accepted; any role when absent. */
  roles?: readonly CertRole[];
}

export interface VerifiedPv {
  pvId: string;
  strPublicKey: Uint8Array;
  certificate: ParsedCertificate;
}

function signedBy(issuer: ParsedCertificate, signatureOid: string, tbs: Uint8Array, signature: string): boolean {
  if (signatureOid !== OID_SHA256_RSA) return false;
  const md = forge.md.sha256.create();
  md.update(bytesToBinary(tbs));
  try {
    return (issuer.forge.publicKey as forge.pki.rsa.PublicKey).verify(md.digest().getBytes(), signature);
  } catch {
    return false;
  }
}

function checkDates(what: string, c: ParsedCertificate, now: number): void {
  if (now < c.notBefore.getTime()) throw new CertError('cert-not-yet-valid', `${what} is not valid before ${c.notBefore.toISOString()}`);
  if (now > c.notAfter.getTime()) throw new CertError('cert-expired', `${what} expired on ${c.notAfter.toISOString()}`);
}

/** The root as a trusted CA: self-signed, a CA, within its dates. */
export function checkRoot(rootInput: TrustOptions['root'], nowMs = Date.now()): ParsedCertificate {
  const root = rootInput instanceof Uint8Array || typeof rootInput === 'string' ? parseCertificate(rootInput) : rootInput;
  if (!root.isCa) throw new CertError('cert-untrusted', `the root certificate "${root.commonName}" is not a CA certificate`);
  if (root.issuerDer !== root.subjectDer || !signedBy(root, root.signatureOid, root.tbs, root.signature))
    throw new CertError('cert-untrusted', `the root certificate "${root.commonName}" is not self-signed`);
  checkDates(`the root certificate "${root.commonName}"`, root, nowMs);
  return root;
}

/** The CRL, checked to be the root's, signed by it and current. */
export function checkCrl(crlInput: string | Uint8Array | ParsedCrl, root: ParsedCertificate, nowMs = Date.now()): ParsedCrl {
  const crl = crlInput instanceof Uint8Array || typeof crlInput === 'string' ? parseCrl(crlInput) : crlInput;
  if (crl.issuerDer !== root.subjectDer) throw new CertError('crl-signature', 'the CRL was not issued by the root CA');
  if (!signedBy(root, crl.signatureOid, crl.tbs, crl.signature)) throw new CertError('crl-signature', 'the CRL signature does not verify with the root CA key');
  if (crl.nextUpdate !== undefined && nowMs > crl.nextUpdate.getTime()) throw new CertError('crl-expired', `the CRL expired on ${crl.nextUpdate.toISOString()}; the CA must publish a new one`);
  return crl;
}

/** Verifies a leaf certificate issued by the root; throws a CertError naming the first failed check. */
export function verifyCertificate(input: string | Uint8Array | ParsedCertificate, opts: TrustOptions): ParsedCertificate {
  const now = opts.nowMs ?? Date.now();
  const root = checkRoot(opts.root, now);
  const cert = input instanceof Uint8Array || typeof input === 'string' ? parseCertificate(input) : input;
  const what = `certificate "${cert.commonName}" (serial ${cert.serial})`;
  if (cert.issuerDer !== root.subjectDer) throw new CertError('cert-untrusted', `${what} was not issued by the lab CA "${root.commonName}"`);
  if (!signedBy(root, cert.signatureOid, cert.tbs, cert.signature)) throw new CertError('cert-signature', `${what} is not signed by the lab CA "${root.commonName}"`);
  if (cert.isCa) throw new CertError('cert-role', `${what} is a CA certificate, not a leaf`);
  checkDates(what, cert, now);
  if (opts.crl !== undefined) {
    const crl = checkCrl(opts.crl, root, now);
    const entry = crl.revoked.get(cert.serial);
    if (entry !== undefined) throw new CertError('cert-revoked', `${what} was revoked on ${entry.revokedAt.toISOString()} (${entry.reason})`);
  }
  if (opts.roles !== undefined && (cert.role === undefined || !opts.roles.includes(cert.role))) {
    throw new CertError('cert-role', `${what} has role ${cert.role ?? '(none)'}; expected ${opts.roles.join(' or ')}`);
  }
  return cert;
}

/** A PV certificate's identity and the STR key the CA endorses for it. */
export function verifyPvCertificate(input: string | Uint8Array | ParsedCertificate, opts: Omit<TrustOptions, 'roles'>): VerifiedPv {
  const certificate = verifyCertificate(input, { ...opts, roles: ['pv'] });
  if (certificate.strPublicKey === undefined) throw new CertError('cert-extension', `PV certificate "${certificate.commonName}" carries no STR public key`);
  return { pvId: certificate.commonName, strPublicKey: certificate.strPublicKey, certificate };
}
