// node-forge functions its type declarations lack or under-declare, typed
// once here instead of cast at every use.
import forge from 'node-forge';

export interface FromDerOptions {
  strict?: boolean;
  /** Refuse trailing bytes after the first element. */
  parseAllBytes?: boolean;
  /** Try to parse BIT STRING contents as nested ASN.1 (forge's default). */
  decodeBitStrings?: boolean;
}

export const fromDer = forge.asn1.fromDer as unknown as (bytes: string, options?: FromDerOptions) => forge.asn1.Asn1;

const pkiExtra = forge.pki as unknown as { getTBSCertificate(cert: forge.pki.Certificate): forge.asn1.Asn1 };
export const getTBSCertificate = (cert: forge.pki.Certificate): forge.asn1.Asn1 => pkiExtra.getTBSCertificate(cert);
