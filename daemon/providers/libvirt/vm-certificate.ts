// A VM node's certificate. Like a local node's, it is kept while it fits,
// but it must name every address the node is reached by: 127.0.0.1 (the
// daemon and users through the port forwards) and, for the PR, the address
// the PV guests use (10.0.2.2 in user mode, its NAT address in NAT mode).
// A certificate that lacks one is revoked as superseded and a new one issued.
import { existsSync } from 'node:fs';
import type { IssuedRecord, LabCa } from '../../../certs/lab-ca.ts';
import { toHex } from '../../../spms/core/index.ts';
import type { NodeCertificate } from '../local/node-certificate.ts';

/** A certificate closer than this to its end is replaced rather than kept. */
const RENEW_BEFORE_MS = 86_400_000;

export interface NodeNames {
  ipAddresses: string[];
  dnsNames: string[];
}

function stillFits(record: IssuedRecord, files: { certFile: string; keyFile: string }, names: NodeNames, strPublicKey: string | undefined): boolean {
  return (
    existsSync(files.certFile) &&
    existsSync(files.keyFile) &&
    names.ipAddresses.every((ip) => record.ipAddresses.includes(ip)) &&
    names.dnsNames.every((d) => record.dnsNames.includes(d)) &&
    record.notAfterMs - Date.now() > RENEW_BEFORE_MS &&
    record.strPublicKey === strPublicKey
  );
}

export function vmNodeCertificate(ca: LabCa, role: 'pr' | 'pv', name: string, names: NodeNames, strPublicKey?: Uint8Array): NodeCertificate {
  const files = ca.holderFiles(role, name);
  const current = ca.current(role, name);
  const strHex = strPublicKey === undefined ? undefined : toHex(strPublicKey);
  if (current !== undefined && stillFits(current, files, names, strHex)) return { ...files, issued: false };
  if (current !== undefined) ca.revoke(current.serial, 'superseded');
  const issued = ca.issue({ role, name, ipAddresses: names.ipAddresses, dnsNames: names.dnsNames, ...(strPublicKey === undefined ? {} : { strPublicKey }) });
  return { certFile: issued.certFile, keyFile: issued.keyFile, issued: true };
}
