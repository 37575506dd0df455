// The configuration files of the lab's nodes on loopback, typed by the very
// schemas the nodes validate them with.
import { renameSync, writeFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { z } from 'zod';
import type { LabCa } from '../../../certs/lab-ca.ts';
import type { prConfigSchema } from '../../../spms/pr/config.ts';
import type { pvConfigSchema } from '../../../spms/pv/config.ts';
import type { PvSpec, VerifierSpec } from '../../state/topology.ts';
import type { NodeCertificate } from './node-certificate.ts';

export type PrConfigFile = z.input<typeof prConfigSchema>;
export type PvConfigFile = z.input<typeof pvConfigSchema>;

const HOST = '127.0.0.1';

/** What every node's configuration shares: where it keeps its data, its TLS material and the daemon's events token. */
export interface NodeBasics {
  id: string;
  dataDir: string;
  port: number;
  certificate: NodeCertificate;
  ca: LabCa;
  eventsToken: string;
}

// Absolute paths: the node reads a relative one against its configuration file's folder, not against the daemon's.
function tlsOf(b: NodeBasics): PrConfigFile['tls'] & PvConfigFile['tls'] {
  return { cert: resolve(b.certificate.certFile), key: resolve(b.certificate.keyFile), ca: resolve(b.ca.paths.cert), crl: resolve(b.ca.paths.crl) };
}

export function prConfig(b: NodeBasics, mqttPort: number): PrConfigFile {
  return {
    id: b.id,
    dataDir: resolve(b.dataDir),
    listen: { host: HOST, port: b.port },
    tls: tlsOf(b),
    mqtt: { mode: 'embedded', host: HOST, port: mqttPort },
    eventsToken: b.eventsToken,
  };
}

export function pvConfig(b: NodeBasics, pv: Pick<PvSpec, 'formula' | 'epochLengthMs'>, verifiers: VerifierSpec[], pr: { url: string; mqttUrl: string }): PvConfigFile {
  return {
    id: b.id,
    dataDir: resolve(b.dataDir),
    listen: { host: HOST, port: b.port },
    tls: tlsOf(b),
    pr,
    epochLengthMs: pv.epochLengthMs,
    verifiers,
    formula: pv.formula,
    eventsToken: b.eventsToken,
    // Announcements come over MQTT; the poll only covers a lost broker connection, and the short retry cap keeps a PV close behind a PR that restarts.
    pollMs: 2000,
    retry: { minMs: 200, maxMs: 5000 },
  };
}

export function nodeUrl(port: number): string {
  return `https://${HOST}:${port}`;
}

export function mqttUrl(port: number): string {
  return `mqtts://${HOST}:${port}`;
}

export function writeConfigFile(file: string, config: PrConfigFile | PvConfigFile): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  renameSync(tmp, file);
}
