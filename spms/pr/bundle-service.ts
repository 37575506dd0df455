// Proof bundles served by the PR (DESIGN §3.6): from the PVs a formula names,
// each one's latest STR and proof for the plugin, through their registered
// user gateways, and a smallest satisfying set of them.
import { atomsOf, bundleToJson, fromHex, parseMonotoneFormula, validateName, type ProofBundleJson } from '../core/index.ts';
import { nodeTransport } from '../client/node-transport.ts';
import { fetchBundle } from '../client/peer.ts';
import { PvClient } from '../client/pv-client.ts';
import { HttpError } from './http-error.ts';

export interface BundleAnswer {
  bundle: ProofBundleJson;
  skipped: { pvId: string; reason: string }[];
}

export async function bundleFor(rawName: string, formula: string | null, binding: string | null, pvs: readonly { pvId: string; gatewayUrl: string | null }[], ca: Buffer): Promise<BundleAnswer> {
  let name: string;
  try {
    name = validateName(decodeURIComponent(rawName));
  } catch (e) {
    throw new HttpError(400, 'bad-name', (e as Error).message);
  }
  if (formula === null || formula === '') throw new HttpError(400, 'bad-parameter', 'the "formula" query parameter is required, e.g. formula=PV1%20%26%20(PV2%20%7C%20PV3)');
  let atoms: string[];
  try {
    atoms = atomsOf(parseMonotoneFormula(formula));
  } catch (e) {
    throw new HttpError(400, 'bad-formula', (e as Error).message);
  }
  if (binding !== null && !/^[0-9a-f]{64}$/.test(binding)) throw new HttpError(400, 'bad-parameter', 'binding must be 64 lowercase hex digits');
  const transport = nodeTransport({ ca, timeoutMs: 10_000 });
  const sources = pvs.filter((p) => p.gatewayUrl !== null && atoms.includes(p.pvId)).map((p) => ({ pvId: p.pvId, client: new PvClient(p.gatewayUrl as string, transport) }));
  let hash = binding === null ? undefined : fromHex(binding);
  // Without an explicit binding, the one the named PVs include (the first that answers).
  for (const s of hash === undefined ? sources : []) {
    try {
      const t = (await s.client.proof(name)).proof.terminal;
      if (t.kind === 'leaf' && t.index === null) {
        hash = t.bindingHash;
        break;
      }
    } catch {
      // try the next PV
    }
  }
  if (hash === undefined) throw new HttpError(404, 'not-included', `none of the PVs ${atoms.join(', ')} includes ${name}`);
  try {
    const { bundle, skipped } = await fetchBundle(name, hash, sources, formula);
    return { bundle: bundleToJson(bundle), skipped };
  } catch (e) {
    throw new HttpError(409, 'unsatisfiable', (e as Error).message);
  }
}
