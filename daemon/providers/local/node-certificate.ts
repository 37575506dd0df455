// A node's certificate at deploy time. The holder's current certificate is
// kept when its files are there, it names the loopback address, it is not
// about to expire and, for a PV, it certifies the STR key the PV signs with;
// otherwise the stale one is revoked as superseded and a new one issued.
import { existsSync } from 'node:fs';
import type { IssuedRecord, LabCa } from '../../../certs/lab-ca.ts';
import { toHex } from '../../../spms/core/index.ts';

const LOOPBACK = { ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] };
/** A certificate closer than this to its end is replaced rather than kept. */
const RENEW_BEFORE_MS = 86_400_000;

export interface NodeCertificate {
  certFile: string;
  keyFile: string;
  /** Whether this deploy issued it. */
  issued: boolean;
}

function stillFits(record: IssuedRecord, files: { certFile: string; keyFile: string }, strPublicKey: string | undefined): boolean {
  return (
    existsSync(files.certFile) &&
    existsSync(files.keyFile) &&
    LOOPBACK.ipAddresses.every((ip) => record.ipAddresses.includes(ip)) &&
    record.notAfterMs - Date.now() > RENEW_BEFORE_MS &&
    record.strPublicKey === strPublicKey
  );
}

/** The PR's certificate (no STR key) or a PV's (with the public half of its STR key). */
export function nodeCertificate(ca: LabCa, role: 'pr' | 'pv', name: string, strPublicKey?: Uint8Array): NodeCertificate {
  const files = ca.holderFiles(role, name);
  const current = ca.current(role, name);
  const strHex = strPublicKey === undefined ? undefined : toHex(strPublicKey);
  if (current !== undefined && stillFits(current, files, strHex)) return { ...files, issued: false };
  if (current !== undefined) ca.revoke(current.serial, 'superseded');
  const issued = ca.issue({ role, name, ...LOOPBACK, ...(strPublicKey === undefined ? {} : { strPublicKey }) });
  return { certFile: issued.certFile, keyFile: issued.keyFile, issued: true };
}
