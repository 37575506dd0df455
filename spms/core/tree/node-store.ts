// Where a prefix tree keeps its nodes. The tree logic only sees this
// interface, so the same code runs over memory (tests, browser, benchmarks)
// and over SQLite (the PV node).

export const EMPTY = 0;
export const LEAF = 1;
export const INTERIOR = 2;
export type NodeKind = typeof EMPTY | typeof LEAF | typeof INTERIOR;

/** A pointer to a child: its kind and hash. Empty subtrees are never stored, only referenced. */
export interface NodeRef {
  readonly kind: NodeKind;
  readonly hash: Uint8Array;
}

export interface LeafRecord extends NodeRef {
  readonly kind: typeof LEAF;
  readonly depth: number;
  readonly index: Uint8Array;
  readonly version: number;
  readonly bindingHash: Uint8Array;
}

export interface InteriorRecord extends NodeRef {
  readonly kind: typeof INTERIOR;
  /** May be the child record itself (stores that keep objects) or a bare reference. */
  readonly left: NodeRef;
  readonly right: NodeRef;
}

export type NodeRecord = LeafRecord | InteriorRecord;

/** Everything one epoch adds, written atomically. */
export interface TreeCommit {
  readonly epoch: number;
  readonly root: NodeRef;
  /** Nodes created by this epoch (nodes shared with earlier epochs are not repeated). */
  readonly nodes: readonly NodeRecord[];
  /** Last version of names removed in this epoch, so a re-insertion continues the count. */
  readonly tombstones: readonly { index: Uint8Array; version: number }[];
}

export interface NodeStore {
  readTreeId(): Uint8Array | undefined;
  /** Fixed once, at the tree's genesis. */
  writeTreeId(treeId: Uint8Array): void;
  getNode(hash: Uint8Array): NodeRecord | undefined;
  getRoot(epoch: number): NodeRef | undefined;
  latestEpoch(): number | undefined;
  getTombstone(index: Uint8Array): number | undefined;
  commit(change: TreeCommit): void;
}

export function isRecord(ref: NodeRef): ref is NodeRecord {
  return (ref.kind === LEAF && 'bindingHash' in ref) || (ref.kind === INTERIOR && 'left' in ref);
}
