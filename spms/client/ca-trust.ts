// Trust anchored in the lab's root CA: a PV's STR key is the one its
// certificate carries, provided the certificate chains to the root, is in its
// dates, has the PV role, is not revoked (when a CRL is given) and names the
// PV the bundle entry claims to be.
import type { KeyResolver } from '../core/index.ts';
import { verifyPvCertificate, type TrustOptions } from '../../certs/verify.ts';

export function caKeyResolver(trust: Omit<TrustOptions, 'roles'>): KeyResolver {
  return (entry) => {
    if (entry.certificate === undefined) return { ok: false, reason: `no certificate for ${entry.pvId} in the bundle` };
    try {
      const pv = verifyPvCertificate(entry.certificate, trust);
      if (pv.pvId !== entry.pvId) return { ok: false, reason: `the certificate is for "${pv.pvId}", not "${entry.pvId}"` };
      return { ok: true, publicKey: pv.strPublicKey };
    } catch (e) {
      return { ok: false, reason: (e as Error).message };
    }
  };
}
