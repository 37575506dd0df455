// STR chain rules a client checks (DESIGN §3.4): epochs increase by one,
// prevStrHash links, timestamps increase, treeId and pvId never change,
// signatures verify; two valid STRs for one epoch with different bytes are
// equivocation, kept as evidence.
import { equalBytes, toHex } from './bytes.ts';
import { encodeSignedStr, strHash, verifyStrSignature, ZERO_HASH, type SignedStr } from './str.ts';

export type ChainIssueCode =
  | 'bad-signature'
  | 'epoch-gap'
  | 'epoch-not-increasing'
  | 'prev-hash-mismatch'
  | 'genesis-prev-hash'
  | 'timestamp-not-increasing'
  | 'tree-id-changed'
  | 'pv-id-changed'
  | 'equivocation';

export interface Equivocation {
  pvId: string;
  epoch: number;
  first: SignedStr;
  second: SignedStr;
}

export interface ChainIssue {
  code: ChainIssueCode;
  epoch: number;
  /** Position in the checked sequence. */
  index: number;
  message: string;
  evidence?: Equivocation;
}

export interface ChainReport {
  ok: boolean;
  issues: ChainIssue[];
}

/** Two STRs of one key for the same epoch with different content: a proof of misbehaviour, or null. */
export function detectEquivocation(a: SignedStr, b: SignedStr, publicKey: Uint8Array): Equivocation | null {
  if (a.pvId !== b.pvId || a.epoch !== b.epoch) return null;
  if (equalBytes(encodeSignedStr(a), encodeSignedStr(b))) return null;
  if (!verifyStrSignature(a, publicKey) || !verifyStrSignature(b, publicKey)) return null;
  // Two signatures over the same message are not two statements.
  if (equalBytes(a.root, b.root) && equalBytes(a.prevStrHash, b.prevStrHash) && equalBytes(a.treeId, b.treeId) && a.timestampMs === b.timestampMs && equalBytes(a.policyHash, b.policyHash)) return null;
  return { pvId: a.pvId, epoch: a.epoch, first: a, second: b };
}

/** Checks that `next` may follow `prev` (undefined: `next` must be a genesis STR). */
export function checkNextStr(prev: SignedStr | undefined, next: SignedStr, publicKey: Uint8Array, index = 0): ChainIssue | null {
  const issue = (code: ChainIssueCode, message: string, evidence?: Equivocation): ChainIssue =>
    evidence === undefined ? { code, epoch: next.epoch, index, message } : { code, epoch: next.epoch, index, message, evidence };
  if (!verifyStrSignature(next, publicKey)) return issue('bad-signature', `the STR of epoch ${next.epoch} is not signed by ${next.pvId}'s STR key`);
  if (prev === undefined) {
    if (next.epoch === 0 && !equalBytes(next.prevStrHash, ZERO_HASH)) return issue('genesis-prev-hash', 'the STR of epoch 0 must have 32 zero bytes as prevStrHash');
    return null;
  }
  if (next.pvId !== prev.pvId) return issue('pv-id-changed', `pvId changed from "${prev.pvId}" to "${next.pvId}"`);
  if (!equalBytes(next.treeId, prev.treeId)) return issue('tree-id-changed', `treeId changed at epoch ${next.epoch}`);
  if (next.epoch === prev.epoch) {
    const evidence = detectEquivocation(prev, next, publicKey);
    if (evidence !== null) return issue('equivocation', `${next.pvId} signed two different STRs for epoch ${next.epoch}`, evidence);
    return issue('epoch-not-increasing', `epoch ${next.epoch} repeats the previous epoch`);
  }
  if (next.epoch < prev.epoch) return issue('epoch-not-increasing', `epoch ${next.epoch} comes after epoch ${prev.epoch}`);
  if (next.epoch !== prev.epoch + 1) return issue('epoch-gap', `epochs ${prev.epoch + 1}..${next.epoch - 1} are missing`);
  const want = strHash(prev);
  if (!equalBytes(next.prevStrHash, want)) return issue('prev-hash-mismatch', `prevStrHash of epoch ${next.epoch} is ${toHex(next.prevStrHash).slice(0, 16)}…, not the hash of epoch ${prev.epoch} (${toHex(want).slice(0, 16)}…)`);
  if (next.timestampMs <= prev.timestampMs) return issue('timestamp-not-increasing', `timestamp of epoch ${next.epoch} does not increase`);
  return null;
}

/**
 * Verifies a sequence of STRs (oldest first). `previous` is the last STR the
 * caller already trusts; without it the first STR must be genesis or is
 * taken as the starting point. Every issue is reported, not just the first.
 */
export function verifyChain(strs: readonly SignedStr[], publicKey: Uint8Array, opts: { previous?: SignedStr } = {}): ChainReport {
  const issues: ChainIssue[] = [];
  let prev = opts.previous;
  const byEpoch = new Map<number, SignedStr>();
  if (prev !== undefined) byEpoch.set(prev.epoch, prev);
  strs.forEach((s, index) => {
    const earlier = byEpoch.get(s.epoch);
    if (earlier !== undefined && earlier !== prev) {
      const evidence = detectEquivocation(earlier, s, publicKey);
      if (evidence !== null) {
        issues.push({ code: 'equivocation', epoch: s.epoch, index, message: `${s.pvId} signed two different STRs for epoch ${s.epoch}`, evidence });
        return;
      }
    }
    const issue = prev === undefined && s.epoch !== 0 ? (verifyStrSignature(s, publicKey) ? null : checkNextStr(undefined, s, publicKey, index)) : checkNextStr(prev, s, publicKey, index);
    if (issue !== null) issues.push(issue);
    if (issue === null || issue.code !== 'bad-signature') {
      if (!byEpoch.has(s.epoch)) byEpoch.set(s.epoch, s);
      prev = s;
    }
  });
  return { ok: issues.length === 0, issues };
}
