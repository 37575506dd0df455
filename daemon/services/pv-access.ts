// Reaching a deployed PV's user gateway from the daemon, and the PV's STR
// key taken from its certificate, checked against the lab's root and CRL.
import { verifyPvCertificate } from '../../certs/verify.ts';
import { nodeTransport } from '../../spms/client/node-transport.ts';
import { PvClient } from '../../spms/client/pv-client.ts';
import { TransportError } from '../../spms/client/transport.ts';
import { ApiError } from '../http/api-error.ts';
import type { Lab } from '../lab.ts';

export function pvClient(lab: Lab, pvId: string): PvClient {
  if (!lab.pvIds().includes(pvId)) {
    lab.nodeUrl(pvId); // throws not-deployed / unknown-node
    throw new ApiError(404, 'unknown-node', `"${pvId}" is not a PV of the deployed lab`);
  }
  return new PvClient(lab.nodeUrl(pvId), nodeTransport({ ca: lab.ca.rootPem, timeoutMs: 15_000 }));
}

/** The PV's STR key as its CA-verified certificate states it. */
export async function trustedStrKey(lab: Lab, pvId: string, client: PvClient): Promise<Uint8Array> {
  const info = await client.info();
  try {
    const pv = verifyPvCertificate(info.certificate, { root: lab.ca.rootPem, crl: lab.ca.crlPem() });
    if (pv.pvId !== pvId) throw new ApiError(502, 'pv-identity', `the node deployed as ${pvId} presents a certificate for "${pv.pvId}"`);
    return pv.strPublicKey;
  } catch (e) {
    if (e instanceof ApiError) throw e;
    throw new ApiError(502, 'pv-certificate', `${pvId}'s certificate is not trusted: ${(e as Error).message}`);
  }
}

/** Maps a failure to reach or understand a node to the API's error shape. */
export function nodeFailure(node: string, e: unknown): never {
  if (e instanceof ApiError) throw e;
  if (e instanceof TransportError) {
    if (e.status === 404) throw new ApiError(404, e.code, e.message);
    if (e.status !== undefined && e.status >= 400 && e.status < 500) throw new ApiError(e.status, e.code, e.message);
    throw new ApiError(502, e.code === 'unreachable' ? 'node-unreachable' : 'node-error', `${node}: ${e.message}`);
  }
  throw e;
}
