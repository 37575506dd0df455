// Asks the PR which PVs exist and where their user gateways are
// (GET /v1/pvs, docs/pr-api.md), with the caller's client certificate.
import { readFileSync } from 'node:fs';
import { nodeTransport } from '../../spms/client/node-transport.ts';
import { PvClient } from '../../spms/client/pv-client.ts';
import { getJson, type Transport } from '../../spms/client/transport.ts';

export interface TlsPaths {
  ca: string;
  cert?: string;
  key?: string;
}

export interface KnownPv {
  pvId: string;
  gatewayUrl: string;
  client: PvClient;
}

export function transportFor(paths: TlsPaths): Transport {
  return nodeTransport({
    ca: readFileSync(paths.ca),
    ...(paths.cert === undefined ? {} : { cert: readFileSync(paths.cert) }),
    ...(paths.key === undefined ? {} : { key: readFileSync(paths.key) }),
  });
}

export async function listPvs(prUrl: string, paths: TlsPaths): Promise<KnownPv[]> {
  const t = transportFor(paths);
  const j = (await getJson(t, `${prUrl.replace(/\/$/, '')}/v1/pvs`)) as { pvs?: { pvId?: unknown; gatewayUrl?: unknown }[] };
  if (!Array.isArray(j.pvs)) throw new Error('the PR answered /v1/pvs without a list of PVs');
  const gatewayTransport = transportFor({ ca: paths.ca });
  return j.pvs
    .filter((p): p is { pvId: string; gatewayUrl: string } => typeof p.pvId === 'string' && typeof p.gatewayUrl === 'string')
    .map((p) => ({ pvId: p.pvId, gatewayUrl: p.gatewayUrl, client: new PvClient(p.gatewayUrl, gatewayTransport) }));
}
