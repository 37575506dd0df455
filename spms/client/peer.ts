// The peer's side of DESIGN §3.6: collect each PV's latest STR and proof for
// a plugin, keep those that verify, and present a minimal satisfying bundle;
// or check a bundle received with the plugin.
import { atomsOf, buildBundle, parseMonotoneFormula, verifyLookup, type BundleEntry, type ProofBundle } from '../core/index.ts';
import type { PvClient } from './pv-client.ts';

export interface BundleSource {
  pvId: string;
  client: PvClient;
}

export interface CollectedProofs {
  entries: BundleEntry[];
  /** PVs of the formula that could not contribute, and why. */
  skipped: { pvId: string; reason: string }[];
}

/** Fetches, from each PV the formula names, its latest proof for `name`, keeping those that include `bindingHash`. */
export async function collectProofs(name: string, bindingHash: Uint8Array, sources: readonly BundleSource[], formula: string): Promise<CollectedProofs> {
  const wanted = new Set(atomsOf(parseMonotoneFormula(formula)));
  const entries: BundleEntry[] = [];
  const skipped: { pvId: string; reason: string }[] = [];
  for (const s of sources) {
    if (!wanted.has(s.pvId)) continue;
    try {
      const [info, p] = await Promise.all([s.client.info(), s.client.proof(name)]);
      const v = verifyLookup(p.proof, name, bindingHash, p.str.root, p.str.treeId);
      if (!v.ok) {
        skipped.push({ pvId: s.pvId, reason: `${v.code}: ${v.message}` });
        continue;
      }
      entries.push({ pvId: s.pvId, certificate: info.certificate, str: p.str, proof: p.proof });
    } catch (e) {
      skipped.push({ pvId: s.pvId, reason: (e as Error).message });
    }
  }
  for (const id of wanted) if (!sources.some((s) => s.pvId === id)) skipped.push({ pvId: id, reason: 'no address known for this PV' });
  return { entries, skipped };
}

export async function fetchBundle(name: string, bindingHash: Uint8Array, sources: readonly BundleSource[], formula: string): Promise<{ bundle: ProofBundle; skipped: CollectedProofs['skipped'] }> {
  const { entries, skipped } = await collectProofs(name, bindingHash, sources, formula);
  return { bundle: buildBundle(name, bindingHash, entries, formula), skipped };
}
