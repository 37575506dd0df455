// Encoding and decoding of the SPMS certificate extensions (docs/oids.md):
// the holder's role, a PV's Ed25519 STR public key, a developer's namespaces.
// forge only, no Node built-ins: the browser decodes them too.
import forge from 'node-forge';
import { fromDer } from './forge-extra.ts';
import { isValidName } from '../spms/core/name.ts';
import { binaryToBytes, bytesToBinary } from './binary.ts';
import { CertError } from './cert-error.ts';
import { oidContentBytes } from './oids.ts';

const { asn1 } = forge;

export const CERT_ROLES = ['pr', 'pv', 'developer', 'daemon'] as const;
export type CertRole = (typeof CERT_ROLES)[number];

export function isCertRole(value: unknown): value is CertRole {
  return typeof value === 'string' && (CERT_ROLES as readonly string[]).includes(value);
}

/** A namespace is a name without its last label: what `namespaceOf` returns. */
export function isValidNamespace(ns: unknown): ns is string {
  return typeof ns === 'string' && ns.length > 0 && ns.length <= 253 && isValidName(`${ns}.x`);
}

/** A non-critical Extension SEQUENCE with an arbitrary-size OID and the DER of its value. */
export function extensionAsn1(oid: string, value: forge.asn1.Asn1): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.SEQUENCE, true, [
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OID, false, bytesToBinary(oidContentBytes(oid))),
    asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, asn1.toDer(value).getBytes()),
  ]);
}

export function roleValue(role: CertRole): forge.asn1.Asn1 {
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(role));
}

export function strKeyValue(publicKey: Uint8Array): forge.asn1.Asn1 {
  if (publicKey.length !== 32) throw new CertError('issue-invalid', `an Ed25519 STR public key is 32 bytes, got ${publicKey.length}`);
  return asn1.create(asn1.Class.UNIVERSAL, asn1.Type.OCTETSTRING, false, bytesToBinary(publicKey));
}

export function namespacesValue(namespaces: readonly string[]): forge.asn1.Asn1 {
  for (const ns of namespaces) if (!isValidNamespace(ns)) throw new CertError('issue-invalid', `"${ns}" is not a valid namespace (a reverse-DNS prefix such as org.example)`);
  return asn1.create(
    asn1.Class.UNIVERSAL,
    asn1.Type.SEQUENCE,
    true,
    namespaces.map((ns) => asn1.create(asn1.Class.UNIVERSAL, asn1.Type.UTF8, false, forge.util.encodeUtf8(ns))),
  );
}

function parseValue(der: string, what: string): forge.asn1.Asn1 {
  try {
    return fromDer(der, { strict: true, parseAllBytes: true, decodeBitStrings: false });
  } catch (e) {
    throw new CertError('cert-extension', `the ${what} extension is not valid DER: ${(e as Error).message}`);
  }
}

function isPrimitive(node: forge.asn1.Asn1, type: number): node is forge.asn1.Asn1 & { value: string } {
  return node.tagClass === asn1.Class.UNIVERSAL && node.type === type && !node.constructed && typeof node.value === 'string';
}

export function decodeRole(der: string): CertRole {
  const node = parseValue(der, 'role');
  const role = isPrimitive(node, asn1.Type.UTF8) ? forge.util.decodeUtf8(node.value) : undefined;
  if (!isCertRole(role)) throw new CertError('cert-extension', `the role extension must be one of ${CERT_ROLES.join(', ')}`);
  return role;
}

export function decodeStrKey(der: string): Uint8Array {
  const node = parseValue(der, 'STR public key');
  if (!isPrimitive(node, asn1.Type.OCTETSTRING) || node.value.length !== 32) throw new CertError('cert-extension', 'the STR public key extension must be an OCTET STRING of 32 bytes');
  return binaryToBytes(node.value);
}

export function decodeNamespaces(der: string): string[] {
  const node = parseValue(der, 'namespaces');
  if (node.tagClass !== asn1.Class.UNIVERSAL || node.type !== asn1.Type.SEQUENCE || !Array.isArray(node.value))
    throw new CertError('cert-extension', 'the namespaces extension must be a SEQUENCE OF UTF8String');
  return node.value.map((item) => {
    const ns = isPrimitive(item, asn1.Type.UTF8) ? forge.util.decodeUtf8(item.value) : undefined;
    if (!isValidNamespace(ns)) throw new CertError('cert-extension', 'the namespaces extension holds an invalid namespace');
    return ns;
  });
}
