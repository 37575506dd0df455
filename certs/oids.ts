// Object identifiers of the SPMS certificate extensions (docs/oids.md).
// They live under one UUID-derived arc (ITU-T X.667: 2.25.<UUID as an
// integer>), which needs no registration and cannot collide. Its arcs are far
// beyond 53 bits, more than node-forge's OID codec handles, so the DER form is
// computed here with BigInt and matched byte for byte.

/** 2.25 + UUID 18a3d15d-15d9-44c7-9548-85e085cf29f9. */
export const SPMS_OID_ARC = '2.25.32752062685367281790528363211042793977';
/** The PV's Ed25519 STR public key: OCTET STRING of 32 bytes. */
export const OID_STR_PUBLIC_KEY = `${SPMS_OID_ARC}.1`;
/** The namespaces a developer owns: SEQUENCE OF UTF8String. */
export const OID_NAMESPACES = `${SPMS_OID_ARC}.2`;
/** The holder's role in the lab: UTF8String, one of pr, pv, developer, daemon. */
export const OID_ROLE = `${SPMS_OID_ARC}.3`;

/** The content bytes of an OBJECT IDENTIFIER (without tag and length), for any arc size. */
export function oidContentBytes(oid: string): Uint8Array {
  if (!/^[0-2](\.(0|[1-9][0-9]*))+$/.test(oid)) throw new Error(`"${oid}" is not a dotted object identifier`);
  const arcs = oid.split('.').map((a) => BigInt(a));
  const [first, second, ...rest] = arcs as [bigint, bigint, ...bigint[]];
  if (first < 2n && second > 39n) throw new Error(`"${oid}": the second arc must be at most 39 under arc ${first}`);
  const out: number[] = [];
  for (const value of [first * 40n + second, ...rest]) {
    const groups: number[] = [];
    let v = value;
    do {
      groups.unshift(Number(v & 0x7fn));
      v >>= 7n;
    } while (v > 0n);
    for (let i = 0; i < groups.length - 1; i++) groups[i]! |= 0x80;
    out.push(...groups);
  }
  return Uint8Array.from(out);
}
