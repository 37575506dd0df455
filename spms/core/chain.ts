// STR chain rules a client checks (DESIGN §3.4): epochs increase by one,
// prevStrHash links, timestamps increase, treeId and pvId never change,
// signatures verify; two valid STRs for one epoch with different content are
// equivocation, kept as evidence.
import { equalBytes, toHex } from './bytes.ts';
import { encodeStrMessage, strHash, verifyStrSignature, ZERO_HASH, type SignedStr } from './str.ts';

export type ChainIssueCode =
  'bad-signature' | 'epoch-gap' | 'epoch-not-increasing' | 'prev-hash-mismatch' | 'genesis-prev-hash' | 'timestamp-not-increasing' | 'tree-id-changed' | 'pv-id-changed' | 'equivocation';

/** Proof of misbehaviour: two STRs of one PV key for one epoch that say different things. */
export interface Equivocation {
  pvId: string;
  epoch: number;
  first: SignedStr;
  second: SignedStr;
}

export interface ChainIssue {
  code: ChainIssueCode;
  /** Epoch of the STR at fault. */
  epoch: number;
  /** Position of that STR in the checked sequence. */
  index: number;
  message: string;
  evidence?: Equivocation;
}

export interface ChainReport {
  ok: boolean;
  issues: ChainIssue[];
}

const short = (bytes: Uint8Array): string => `${toHex(bytes).slice(0, 16)}…`;

/**
 * Two STRs validly signed by `publicKey` with the same pvId and epoch and
 * different messages, or null. Two signatures over one message are not two
 * statements (Ed25519 is deterministic, so they can only come from the same
 * signing), hence the comparison is over the signed message.
 */
export function detectEquivocation(a: SignedStr, b: SignedStr, publicKey: Uint8Array): Equivocation | null {
  if (a.pvId !== b.pvId || a.epoch !== b.epoch) return null;
  if (!verifyStrSignature(a, publicKey) || !verifyStrSignature(b, publicKey)) return null;
  if (equalBytes(encodeStrMessage(a), encodeStrMessage(b))) return null;
  return { pvId: a.pvId, epoch: a.epoch, first: a, second: b };
}

/** Every rule `next` breaks as the successor of `prev` (undefined: `next` starts the sequence). */
function issuesOfNext(prev: SignedStr | undefined, next: SignedStr, publicKey: Uint8Array, index: number): ChainIssue[] {
  const issue = (code: ChainIssueCode, message: string): ChainIssue => ({ code, epoch: next.epoch, index, message });
  // An unsigned STR says nothing about the chain, so nothing else is checked on it.
  if (!verifyStrSignature(next, publicKey)) return [issue('bad-signature', `the STR of epoch ${next.epoch} is not signed by ${JSON.stringify(next.pvId)}'s STR key`)];
  const issues: ChainIssue[] = [];
  if (next.epoch === 0 && !equalBytes(next.prevStrHash, ZERO_HASH)) issues.push(issue('genesis-prev-hash', 'the STR of epoch 0 must have 32 zero bytes as prevStrHash'));
  if (prev === undefined) return issues;
  if (next.pvId !== prev.pvId) issues.push(issue('pv-id-changed', `pvId changed from ${JSON.stringify(prev.pvId)} to ${JSON.stringify(next.pvId)}`));
  if (!equalBytes(next.treeId, prev.treeId)) issues.push(issue('tree-id-changed', `treeId changed from ${short(prev.treeId)} to ${short(next.treeId)} at epoch ${next.epoch}`));
  if (next.epoch === prev.epoch) {
    const evidence = detectEquivocation(prev, next, publicKey);
    if (evidence !== null) return [...issues, { ...issue('equivocation', `${JSON.stringify(next.pvId)} signed two different STRs for epoch ${next.epoch}`), evidence }];
    return [...issues, issue('epoch-not-increasing', `epoch ${next.epoch} repeats the previous epoch`)];
  }
  if (next.epoch < prev.epoch) return [...issues, issue('epoch-not-increasing', `epoch ${next.epoch} comes after epoch ${prev.epoch}`)];
  if (next.epoch !== prev.epoch + 1) {
    const missing = next.epoch === prev.epoch + 2 ? `epoch ${prev.epoch + 1} is` : `epochs ${prev.epoch + 1} to ${next.epoch - 1} are`;
    // Across a gap the previous hash cannot be checked: the STR it names is missing.
    issues.push(issue('epoch-gap', `${missing} missing between epoch ${prev.epoch} and epoch ${next.epoch}`));
  } else {
    const want = strHash(prev);
    if (!equalBytes(next.prevStrHash, want))
      issues.push(issue('prev-hash-mismatch', `prevStrHash of epoch ${next.epoch} is ${short(next.prevStrHash)}, not the hash of epoch ${prev.epoch} (${short(want)})`));
  }
  if (next.timestampMs <= prev.timestampMs)
    issues.push(issue('timestamp-not-increasing', `timestamp of epoch ${next.epoch} (${next.timestampMs}) is not after that of epoch ${prev.epoch} (${prev.timestampMs})`));
  return issues;
}

/**
 * What a PR runs on every posted STR: the first rule `next` breaks as the
 * successor of `prev`, or null. With `prev` undefined, `next` must be a
 * validly signed genesis STR or a starting point the caller chose to trust.
 * `index` is only reported back, as the position of `next` in the caller's sequence.
 */
export function checkNextStr(prev: SignedStr | undefined, next: SignedStr, publicKey: Uint8Array, index = 0): ChainIssue | null {
  return issuesOfNext(prev, next, publicKey, index)[0] ?? null;
}

/**
 * Verifies a sequence of STRs (oldest first). `previous` is the last STR the
 * caller already trusts; without it the first STR must be genesis or is
 * taken as the starting point. Every issue is reported, not just the first.
 * The chain continues from the newest STR that was signed and moved the
 * epoch forward, so one bad STR does not hide the state of the ones after it.
 */
export function verifyChain(strs: readonly SignedStr[], publicKey: Uint8Array, opts: { previous?: SignedStr } = {}): ChainReport {
  const issues: ChainIssue[] = [];
  let prev = opts.previous;
  // First validly signed STR seen per epoch, to catch forks that are not adjacent.
  const byEpoch = new Map<number, SignedStr>();
  if (prev !== undefined) byEpoch.set(prev.epoch, prev);
  strs.forEach((s, index) => {
    const earlier = byEpoch.get(s.epoch);
    if (earlier !== undefined && earlier !== prev) {
      const evidence = detectEquivocation(earlier, s, publicKey);
      if (evidence !== null) {
        issues.push({ code: 'equivocation', epoch: s.epoch, index, message: `${JSON.stringify(s.pvId)} signed two different STRs for epoch ${s.epoch}`, evidence });
        return;
      }
    }
    const found = issuesOfNext(prev, s, publicKey, index);
    issues.push(...found);
    const signed = found[0]?.code !== 'bad-signature';
    if (signed && !byEpoch.has(s.epoch)) byEpoch.set(s.epoch, s);
    if (signed && (prev === undefined || s.epoch > prev.epoch)) prev = s;
  });
  return { ok: issues.length === 0, issues };
}
