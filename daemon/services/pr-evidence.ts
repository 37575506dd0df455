// What the PR refused from a PV for breaking its chain (equivocation, a
// wrong previous hash, ...), as chain issues of that PV. A misbehaving PV's
// own gateway keeps serving a consistent chain, so this is where the lab
// sees it. The PR's word is not taken for it: a refused STR counts only when
// it is signed under the key the PV's CA-verified certificate carries.
import { z } from 'zod';
import { getJson } from '../../spms/client/transport.ts';
import { strFromJson, strToJson, verifyStrSignature, type SignedStrJson } from '../../spms/core/index.ts';
import type { Lab } from '../lab.ts';

export interface PrChainIssue {
  code: string;
  epoch: number;
  message: string;
  reportedBy: 'pr';
  receivedMs: number;
  /** The STR the PR held (`first`: same epoch for an equivocation, else the chain's head) and the one it refused (`second`). */
  evidence?: { first: SignedStrJson; second: SignedStrJson };
}

const evidenceSchema = z.object({
  evidence: z.array(
    z.object({
      pvId: z.string(),
      epoch: z.number().int().nonnegative(),
      code: z.string(),
      message: z.string(),
      refused: z.unknown(),
      previous: z.unknown().nullable(),
      receivedMs: z.number(),
    }),
  ),
});

export interface PrEvidence {
  issues: PrChainIssue[];
  /** Why the PR's evidence could not be read (the chain is then checked on the PV's word alone). */
  error?: string;
}

export async function prEvidence(lab: Lab, pvId: string, strKey: Uint8Array): Promise<PrEvidence> {
  let records: z.infer<typeof evidenceSchema>['evidence'];
  try {
    const t = await lab.developer.transport();
    records = evidenceSchema.parse(await getJson(t, `${lab.prUrl()}/v1/evidence`)).evidence;
  } catch (e) {
    return { issues: [], error: `the PR's evidence could not be read: ${(e as Error).message}` };
  }
  const issues: PrChainIssue[] = [];
  for (const r of records) {
    if (r.pvId !== pvId) continue;
    let refused;
    try {
      refused = strFromJson(r.refused);
    } catch {
      continue;
    }
    if (refused.pvId !== pvId || !verifyStrSignature(refused, strKey)) continue;
    const previous = r.previous === null ? undefined : signedPrevious(r.previous, strKey);
    issues.push({
      code: r.code,
      epoch: r.epoch,
      message: `${r.message} (refused by the PR)`,
      reportedBy: 'pr',
      receivedMs: r.receivedMs,
      ...(previous === undefined ? {} : { evidence: { first: strToJson(previous), second: strToJson(refused) } }),
    });
  }
  return { issues };
}

function signedPrevious(json: unknown, key: Uint8Array): ReturnType<typeof strFromJson> | undefined {
  try {
    const s = strFromJson(json);
    return verifyStrSignature(s, key) ? s : undefined;
  } catch {
    return undefined;
  }
}
