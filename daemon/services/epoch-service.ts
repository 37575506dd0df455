// Epochs and proofs as the UI shows them: a PV's STR chain with the result of
// checking it (signatures under the certified key, links, no equivocation),
// and lookup proofs verified against the STR they come with.
import { proofToJson, strHash, strToJson, toHex, validateName, verifyChain, verifyLookup, verifyStrSignature } from '../../spms/core/index.ts';
import { ApiError } from '../http/api-error.ts';
import type { Lab } from '../lab.ts';
import { prEvidence } from './pr-evidence.ts';
import { nodeFailure, pvClient, trustedStrKey } from './pv-access.ts';

const MAX_RANGE = 1000;

export async function epochs(lab: Lab, pvId: string, from?: number, to?: number): Promise<unknown> {
  const client = pvClient(lab, pvId);
  try {
    const key = await trustedStrKey(lab, pvId, client);
    const latest = await client.latestStr();
    const last = Math.min(to ?? latest.epoch, latest.epoch);
    const first = from ?? Math.max(0, last - 99);
    if (first > last) throw new ApiError(400, 'bad-range', `from (${first}) is after the last epoch (${last})`);
    if (last - first + 1 > MAX_RANGE) throw new ApiError(400, 'bad-range', `at most ${MAX_RANGE} epochs at once`);
    const strs = await client.strs(first, last);
    const previous = first > 0 ? await client.str(first - 1) : undefined;
    const report = verifyChain(strs, key, previous === undefined ? {} : { previous });
    const refused = await prEvidence(lab, pvId, key);
    return {
      pvId,
      strPublicKey: toHex(key),
      latestEpoch: latest.epoch,
      chain: {
        ok: report.ok && refused.issues.length === 0,
        issues: [
          ...report.issues.map((i) => ({
            code: i.code,
            epoch: i.epoch,
            message: i.message,
            ...(i.evidence === undefined ? {} : { evidence: { first: strToJson(i.evidence.first), second: strToJson(i.evidence.second) } }),
          })),
          ...refused.issues,
        ],
        ...(refused.error === undefined ? {} : { evidenceError: refused.error }),
      },
      strs: strs.map((s) => ({ ...strToJson(s), hash: toHex(strHash(s)), signatureOk: verifyStrSignature(s, key) })),
    };
  } catch (e) {
    return nodeFailure(pvId, e);
  }
}

export async function proof(lab: Lab, rawName: string, pvId: string, epoch?: number): Promise<unknown> {
  let name: string;
  try {
    name = validateName(rawName);
  } catch (e) {
    throw new ApiError(400, 'bad-name', (e as Error).message);
  }
  const client = pvClient(lab, pvId);
  try {
    const key = await trustedStrKey(lab, pvId, client);
    const p = await client.proof(name, epoch);
    const terminal = p.proof.terminal;
    const included = terminal.kind === 'leaf' && terminal.index === null ? terminal.bindingHash : undefined;
    const verdict = verifyLookup(p.proof, name, included ?? 'absent', p.str.root, p.str.treeId);
    return {
      pvId,
      name,
      epoch: p.epoch,
      kind: included === undefined ? 'absence' : 'inclusion',
      bindingHash: included === undefined ? null : toHex(included),
      str: strToJson(p.str),
      strSignatureOk: verifyStrSignature(p.str, key),
      proof: proofToJson(p.proof),
      verdict,
    };
  } catch (e) {
    return nodeFailure(pvId, e);
  }
}
