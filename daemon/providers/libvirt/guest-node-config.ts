// What provisioning writes into a guest (role-image.ts's contract): the
// node's configuration at /etc/spms/node.json, typed by the schemas the
// nodes validate it with, its role in /etc/spms/node.env, and its TLS
// material and STR key under /etc/spms/. The services listen on every
// guest address on the fixed guest ports; the PVs name the PR by the
// address the guests reach it at.
import type { PrConfigFile, PvConfigFile } from '../local/node-config.ts';
import type { NodeRole } from '../provider.ts';
import type { PvSpec, VerifierSpec } from '../../state/topology.ts';
import { GUEST_PORTS } from './guest-network.ts';

export const GUEST_PATHS = {
  config: '/etc/spms/node.json',
  env: '/etc/spms/node.env',
  cert: '/etc/spms/tls/node.crt',
  key: '/etc/spms/tls/node.key',
  ca: '/etc/spms/tls/ca.crt',
  crl: '/etc/spms/tls/crl.pem',
  strKey: '/etc/spms/str-ed25519.key',
  dataDir: '/var/lib/spms',
} as const;

const LISTEN = '0.0.0.0';
const TLS = { cert: GUEST_PATHS.cert, key: GUEST_PATHS.key, ca: GUEST_PATHS.ca, crl: GUEST_PATHS.crl };

export function guestPrConfig(id: string, eventsToken: string): PrConfigFile {
  return {
    id,
    dataDir: GUEST_PATHS.dataDir,
    listen: { host: LISTEN, port: GUEST_PORTS.https },
    tls: TLS,
    mqtt: { mode: 'embedded', host: LISTEN, port: GUEST_PORTS.mqtt },
    eventsToken,
  };
}

export function guestPvConfig(
  id: string,
  eventsToken: string,
  pv: Pick<PvSpec, 'formula' | 'epochLengthMs'>,
  verifiers: VerifierSpec[],
  pr: { url: string; mqttUrl: string },
  /** The PV's gateway as users reach it (through a port forward in user mode). */
  publicUrl: string,
): PvConfigFile {
  return {
    id,
    dataDir: GUEST_PATHS.dataDir,
    listen: { host: LISTEN, port: GUEST_PORTS.https, publicUrl },
    tls: TLS,
    pr,
    strKey: GUEST_PATHS.strKey,
    epochLengthMs: pv.epochLengthMs,
    verifiers,
    formula: pv.formula,
    eventsToken,
    // As on loopback: announcements come over MQTT, the poll only covers a lost broker connection.
    pollMs: 2000,
    retry: { minMs: 200, maxMs: 5000 },
  };
}

/** /etc/spms/node.env: the unit's EnvironmentFile. */
export function guestNodeEnv(role: NodeRole): string {
  return `SPMS_ROLE=${role}\n`;
}
