// Step-by-step recomputation of a lookup proof (DESIGN §3.3) for drawing it
// and for "what if" edits: the terminal's hash, then one interior hash per
// level up to the root, then the comparison with the signed root. Each step
// is compared with the same step of the proof as served, so an edited value
// shows exactly where the recomputed path first departs from it.
import { equalBytes, fromHex, indexOf, recomputePath, samePrefix, toHex, verifyLookupAt, type LookupProof, type LookupVerdict } from '../../../../spms/core/index.ts';

/** A proof and what it is checked against. */
export interface ProofContext {
  name: string;
  proof: LookupProof;
  treeId: Uint8Array;
  /** The root the STR signs. */
  signedRoot: Uint8Array;
  /** The binding hash the proof must include, or 'absent'. */
  expected: Uint8Array | 'absent';
}

/** Replacement values as typed (hex), keyed by what they replace; absent keys keep the proof's value. */
export interface ProofEdits {
  /** By the sibling's depth (1 = just below the root). */
  siblings?: Readonly<Record<number, string>>;
  /** The terminal leaf's binding hash. */
  bindingHash?: string;
  /** The signed root. */
  root?: string;
}

export type TerminalKind = 'leaf' | 'other-leaf' | 'empty';

export interface TerminalStep {
  kind: 'terminal';
  depth: number;
  terminal: TerminalKind;
  /** The leaf's version (leaf terminals). */
  version: number | null;
  /** Index of the other name whose leaf ends the path (absence by another leaf), hex. */
  leafIndex: string | null;
  /** Binding hash used (leaf terminals). */
  bindingHash: string | null;
  bindingEdited: boolean;
  /** The recomputed terminal hash, null when an input is not a hash. */
  output: string | null;
  reference: string;
  /** False when the leaf of another name does not share the queried name's first `depth` bits. */
  onPath: boolean;
  invalid?: string;
  ok: boolean;
}

export interface CombineStep {
  kind: 'combine';
  /** Depth of the path node and its sibling; the output is their parent at depth - 1. */
  depth: number;
  /** Bit depth-1 of the name's index: 0 = the path goes left, 1 = right. */
  bit: 0 | 1;
  /** The sibling hash used (as edited, or recomputed when the proof leaves it out as empty). */
  sibling: string;
  /** The proof omits this sibling: an empty subtree the verifier recomputes. */
  siblingEmpty: boolean;
  siblingEdited: boolean;
  /** The path node's hash coming from below, null when not computable. */
  child: string | null;
  output: string | null;
  reference: string;
  invalid?: string;
  ok: boolean;
}

export interface RootStep {
  kind: 'root';
  computed: string | null;
  /** The signed root as used (edited or from the STR). */
  signed: string;
  rootEdited: boolean;
  invalid?: string;
  ok: boolean;
}

export type ProofStep = TerminalStep | CombineStep | RootStep;

/** A value that can be edited: the signed root, the leaf's binding hash, or the sibling at a depth. */
export type EditTarget = 'root' | 'binding' | `sibling-${number}`;

export interface FailingStep {
  /** Position in `steps`. */
  step: number;
  /** Depth of the first hash that no longer matches (0 for the root comparison). */
  depth: number;
  message: string;
}

export interface ProofAnalysis {
  kind: 'inclusion' | 'absence';
  terminal: TerminalKind;
  depth: number;
  /** The name's index, hex. */
  index: string;
  /** Bottom-up: the terminal, one combine step per depth from `depth` to 1, the root comparison. */
  steps: ProofStep[];
  /** Recomputed hash of the path node at each depth 0..depth (null where not computable). */
  nodes: (string | null)[];
  /** The first step that fails, bottom-up, or null when every step holds. */
  failing: FailingStep | null;
  /** spms/core's verdict on the proof as edited. */
  verdict: LookupVerdict;
  /** Whether any value differs from the proof as served. */
  edited: boolean;
}

const HEX32 = /^[0-9a-f]{64}$/;

/** "first bit" / "first 3 bits": the prefix a path of that depth fixes. */
export function firstBits(n: number): string {
  return n === 1 ? 'first bit' : `first ${n} bits`;
}

/** A typed hash, normalised; undefined when it is not 64 hex digits. */
export function parseHash(text: string): string | undefined {
  const t = text.trim().toLowerCase();
  return HEX32.test(t) ? t : undefined;
}

function terminalKind(proof: LookupProof, index: Uint8Array): TerminalKind {
  const t = proof.terminal;
  if (t.kind === 'empty') return 'empty';
  return t.index === null || equalBytes(t.index, index) ? 'leaf' : 'other-leaf';
}

/** Recomputes `ctx.proof` with `edits` applied and finds the first step that departs from the proof as served. */
export function analyzeProof(ctx: ProofContext, edits: ProofEdits = {}): ProofAnalysis {
  const index = indexOf(ctx.name);
  const { proof, treeId } = ctx;
  const d = proof.depth;
  const reference = recomputePath(proof, index, treeId);
  const terminal = terminalKind(proof, index);

  // The proof as edited; a value that is not a hash keeps the original so the levels below still compute.
  const invalidAt = new Map<number, string>(); // step position -> why
  const siblings = proof.siblings.slice();
  const siblingEdited: boolean[] = new Array<boolean>(d).fill(false);
  for (let i = 0; i < d; i++) {
    const depth = d - i;
    const typed = edits.siblings?.[depth];
    if (typed === undefined) continue;
    const h = parseHash(typed);
    const original = toHex((reference.steps[i] as { sibling: Uint8Array }).sibling);
    if (h === undefined) invalidAt.set(1 + i, `the sibling hash at depth ${depth} is not 64 hex digits`);
    else if (h !== original) {
      siblings[i] = fromHex(h);
      siblingEdited[i] = true;
    }
  }
  let edited = siblingEdited.some((e) => e);
  let editedProof: LookupProof = { ...proof, siblings };
  let bindingHash: string | null = null;
  let bindingEdited = false;
  if (proof.terminal.kind === 'leaf') {
    bindingHash = toHex(proof.terminal.bindingHash);
    if (edits.bindingHash !== undefined) {
      const h = parseHash(edits.bindingHash);
      if (h === undefined) invalidAt.set(0, 'the leaf binding hash is not 64 hex digits');
      else if (h !== bindingHash) {
        bindingHash = h;
        bindingEdited = true;
        edited = true;
        editedProof = { ...editedProof, terminal: { ...proof.terminal, bindingHash: fromHex(h) } };
      }
    }
  }
  let signed = toHex(ctx.signedRoot);
  let rootEdited = false;
  if (edits.root !== undefined) {
    const h = parseHash(edits.root);
    if (h === undefined) invalidAt.set(d + 1, 'the signed root is not 64 hex digits');
    else if (h !== signed) {
      signed = h;
      rootEdited = true;
      edited = true;
    }
  }

  const path = recomputePath(editedProof, index, treeId);
  const firstInvalid = invalidAt.size === 0 ? Infinity : Math.min(...invalidAt.keys());
  // Steps at and above a value that is not a hash cannot be computed.
  const computable = (step: number): boolean => step < firstInvalid;

  const steps: ProofStep[] = [];
  const pt = proof.terminal;
  const onPath = !(pt.kind === 'leaf' && pt.index !== null && !samePrefix(pt.index, index, d));
  const terminalOut = computable(0) ? toHex(path.terminal) : null;
  const terminalRef = toHex(reference.terminal);
  steps.push({
    kind: 'terminal',
    depth: d,
    terminal,
    version: pt.kind === 'leaf' ? pt.version : null,
    leafIndex: terminal === 'other-leaf' && pt.kind === 'leaf' && pt.index !== null ? toHex(pt.index) : null,
    bindingHash,
    bindingEdited,
    output: terminalOut,
    reference: terminalRef,
    onPath,
    ...(invalidAt.has(0) ? { invalid: invalidAt.get(0) as string } : {}),
    ok: terminalOut === terminalRef && onPath,
  });
  const nodes: (string | null)[] = new Array<string | null>(d + 1).fill(null);
  nodes[d] = terminalOut;
  for (let i = 0; i < d; i++) {
    const s = path.steps[i]!;
    const r = reference.steps[i]!;
    const pos = 1 + i;
    const output = computable(pos) ? toHex(s.parent) : null;
    const child = nodes[s.depth] ?? null;
    const typed = edits.siblings?.[s.depth];
    steps.push({
      kind: 'combine',
      depth: s.depth,
      bit: s.bit,
      sibling: invalidAt.has(pos) && typed !== undefined ? typed : toHex(s.sibling),
      siblingEmpty: proof.siblings[i] === null,
      siblingEdited: siblingEdited[i] === true,
      child,
      output,
      reference: toHex(r.parent),
      ...(invalidAt.has(pos) ? { invalid: invalidAt.get(pos) as string } : {}),
      ok: output === toHex(r.parent),
    });
    nodes[s.depth - 1] = output;
  }
  const computed = nodes[0] ?? null;
  steps.push({
    kind: 'root',
    computed,
    signed: invalidAt.has(d + 1) ? (edits.root ?? signed) : signed,
    rootEdited,
    ...(invalidAt.has(d + 1) ? { invalid: invalidAt.get(d + 1) as string } : {}),
    ok: computed !== null && !invalidAt.has(d + 1) && computed === signed,
  });

  const failing = firstFailing(steps, d);
  let verdict: LookupVerdict;
  if (invalidAt.size > 0) verdict = { ok: false, code: 'malformed', message: invalidAt.get(firstInvalid) as string };
  else verdict = verifyLookupAt(editedProof, index, ctx.name, ctx.expected, fromHex(signed), treeId);
  return { kind: terminal === 'leaf' ? 'inclusion' : 'absence', terminal, depth: d, index: toHex(index), steps, nodes, failing, verdict, edited: edited || invalidAt.size > 0 };
}

function firstFailing(steps: ProofStep[], d: number): FailingStep | null {
  const at = steps.findIndex((s) => !s.ok);
  if (at < 0) return null;
  const s = steps[at]!;
  if (s.kind === 'terminal') {
    const message =
      s.invalid ?? (!s.onPath ? `the leaf in the proof does not share the name's ${firstBits(d)}` : `the ${s.terminal === 'empty' ? 'empty subtree' : 'leaf'} at depth ${d} hashes differently`);
    return { step: at, depth: d, message };
  }
  if (s.kind === 'combine') {
    return { step: at, depth: s.depth - 1, message: s.invalid ?? `the node at depth ${s.depth - 1} recomputes to a different hash (sibling at depth ${s.depth})` };
  }
  return { step: at, depth: 0, message: s.invalid ?? (s.computed === null ? 'the root cannot be recomputed' : 'the recomputed root differs from the signed root') };
}
