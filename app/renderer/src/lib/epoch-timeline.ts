// A PV's STR chain as the Epochs view keeps it: STRs fetched in pieces
// (initial load, older pages, live catch-up) merged into one list, newest
// first, with the daemon's chain issues and what the browser itself checks:
// each STR's link to the previous one, and two different STRs for one epoch
// seen across fetches (equivocation).
import { strFromJson, strHash, toHex, type SignedStrJson } from '../../../../spms/core/index.ts';
import type { EpochChain, LabEvent, StrJson } from './api-types.ts';

export type ChainStr = EpochChain['strs'][number];
export type ChainIssue = EpochChain['chain']['issues'][number] & { source: 'daemon' | 'browser' | 'pr' };

export interface Timeline {
  pvId: string;
  strPublicKey: string;
  latestEpoch: number;
  /** One STR per epoch, newest first. */
  strs: ChainStr[];
  issues: ChainIssue[];
  /** From the latest answer: why the PR's record of refused STRs could not be read. */
  evidenceError?: string;
}

const ZERO = '0'.repeat(64);

/** Exactly the signed fields of an STR (the API adds `hash` and `signatureOk`). */
export function strJsonOf(s: StrJson): SignedStrJson {
  return { pvId: s.pvId, treeId: s.treeId, epoch: s.epoch, timestampMs: s.timestampMs, root: s.root, prevStrHash: s.prevStrHash, policyHash: s.policyHash, signature: s.signature };
}

const issueKey = (i: { code: string; epoch: number; message: string }): string => `${i.code}|${i.epoch}|${i.message}`;

/** Adds one answer of GET /api/pvs/{id}/epochs to `prev` (null or another PV's: starts over). */
export function mergeChain(prev: Timeline | null, chunk: EpochChain): Timeline {
  const base: Timeline = prev !== null && prev.pvId === chunk.pvId ? prev : { pvId: chunk.pvId, strPublicKey: chunk.strPublicKey, latestEpoch: chunk.latestEpoch, strs: [], issues: [] };
  const byEpoch = new Map(base.strs.map((s) => [s.epoch, s]));
  const issues = base.issues.slice();
  const seen = new Set(issues.map(issueKey));
  const add = (i: ChainIssue): void => {
    if (seen.has(issueKey(i))) return;
    seen.add(issueKey(i));
    issues.push(i);
  };
  for (const i of chunk.chain.issues) add({ ...i, source: i.reportedBy === 'pr' ? 'pr' : 'daemon' });
  for (const s of chunk.strs) {
    const have = byEpoch.get(s.epoch);
    if (have === undefined) byEpoch.set(s.epoch, s);
    else if (have.hash !== s.hash && have.signatureOk && s.signatureOk) {
      // Both validly signed, for one epoch, and different: proof of misbehaviour.
      add({
        code: 'equivocation',
        epoch: s.epoch,
        message: `${JSON.stringify(chunk.pvId)} signed two different STRs for epoch ${s.epoch}`,
        evidence: { first: strJsonOf(have), second: strJsonOf(s) },
        source: 'browser',
      });
    }
  }
  const strs = [...byEpoch.values()].sort((a, b) => b.epoch - a.epoch);
  issues.sort((a, b) => b.epoch - a.epoch);
  return {
    pvId: chunk.pvId,
    strPublicKey: chunk.strPublicKey,
    latestEpoch: Math.max(base.latestEpoch, chunk.latestEpoch),
    strs,
    issues,
    ...(chunk.chain.evidenceError === undefined ? {} : { evidenceError: chunk.chain.evidenceError }),
  };
}

export type LinkState = 'ok' | 'genesis' | 'fail' | 'unknown';

export interface LinkCheck {
  state: LinkState;
  message: string;
}

/** H(message || signature) of an STR, recomputed here; undefined when its fields do not form an STR. */
export function browserStrHash(s: StrJson): string | undefined {
  try {
    return toHex(strHash(strFromJson(strJsonOf(s))));
  } catch {
    return undefined;
  }
}

/** Each STR's link to the previous epoch, checked by recomputing the previous STR's hash. */
export function linkChecks(strs: readonly ChainStr[]): Map<number, LinkCheck> {
  const byEpoch = new Map(strs.map((s) => [s.epoch, s]));
  const out = new Map<number, LinkCheck>();
  for (const s of strs) {
    if (s.epoch === 0) {
      out.set(
        0,
        s.prevStrHash === ZERO
          ? { state: 'genesis', message: 'genesis: the previous hash is 32 zero bytes' }
          : { state: 'fail', message: 'the genesis STR must have 32 zero bytes as its previous hash' },
      );
      continue;
    }
    const prev = byEpoch.get(s.epoch - 1);
    if (prev === undefined) {
      out.set(s.epoch, { state: 'unknown', message: `epoch ${s.epoch - 1} is not loaded here` });
      continue;
    }
    const want = browserStrHash(prev);
    if (want === undefined) out.set(s.epoch, { state: 'fail', message: `the STR of epoch ${prev.epoch} is malformed` });
    else if (want === s.prevStrHash) out.set(s.epoch, { state: 'ok', message: `previous hash = H(STR of epoch ${prev.epoch}) = ${want.slice(0, 16)}…` });
    else out.set(s.epoch, { state: 'fail', message: `previous hash ${s.prevStrHash.slice(0, 16)}… is not H(STR of epoch ${prev.epoch}) = ${want.slice(0, 16)}…` });
  }
  return out;
}

export interface EpochChange {
  name: string;
  /** null: the name was removed. */
  bindingHash: string | null;
  submission?: string;
}

/** The changes each epoch of `pvId` made, from the epoch-published events seen. */
export function changesByEpoch(events: readonly LabEvent[], pvId: string): Map<number, EpochChange[]> {
  const out = new Map<number, EpochChange[]>();
  for (const e of events) {
    if (e.type !== 'epoch-published' || e.node !== pvId) continue;
    const epoch = e.payload.epoch;
    const changes = e.payload.changes;
    if (typeof epoch !== 'number' || !Array.isArray(changes)) continue;
    out.set(
      epoch,
      changes
        .filter((c): c is Record<string, unknown> => typeof c === 'object' && c !== null && typeof (c as { name?: unknown }).name === 'string')
        .map((c) => ({
          name: c.name as string,
          bindingHash: typeof c.bindingHash === 'string' ? c.bindingHash : null,
          ...(typeof c.submission === 'string' ? { submission: c.submission } : {}),
        })),
    );
  }
  return out;
}

/** Field-by-field comparison of two STRs, for showing equivocation evidence side by side. */
export function strDifferences(a: StrJson, b: StrJson): Set<keyof SignedStrJson> {
  const fa = strJsonOf(a);
  const fb = strJsonOf(b);
  const out = new Set<keyof SignedStrJson>();
  for (const k of Object.keys(fa) as (keyof SignedStrJson)[]) if (fa[k] !== fb[k]) out.add(k);
  return out;
}
