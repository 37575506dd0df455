// The versioned, compressed Merkle prefix tree of DESIGN §3.3. Every commit
// makes one new immutable version that shares all untouched nodes with the
// previous one, touching O(changes · log N) nodes.
import { equalBytes } from '../bytes.ts';
import { TreeError } from '../errors.ts';
import { validateName } from '../name.ts';
import { bitAt, compareIndex, indexOf } from './index-bits.ts';
import { emptyHash, interiorHash, leafHash } from './node-hash.ts';
import { EMPTY, INTERIOR, LEAF, isRecord, type InteriorRecord, type LeafRecord, type NodeRecord, type NodeRef, type NodeStore } from './node-store.ts';
import type { LookupProof } from './proof.ts';

export type TreeChange = { name: string; bindingHash: Uint8Array } | { name: string; remove: true };

export interface CommitResult {
  epoch: number;
  root: Uint8Array;
  inserted: number;
  updated: number;
  removed: number;
  /** Nodes this epoch created (its storage cost). */
  nodesCreated: number;
}

export interface TreeStats {
  leaves: number;
  interiors: number;
  empties: number;
  maxDepth: number;
}

export interface LeafEntry {
  depth: number;
  version: number;
  bindingHash: Uint8Array;
}

/** One change, by index; bindingHash null removes the name. */
interface Pending {
  index: Uint8Array;
  key: number;
  bindingHash: Uint8Array | null;
}

/** A leaf to place while (re)building a subtree. */
interface Placed {
  index: Uint8Array;
  version: number;
  bindingHash: Uint8Array;
}

/**
 * Sorts a batch by index. Up to 2^21 changes, the 32-bit index prefix and the
 * position are packed into one float per change and sorted natively (a large
 * first epoch is mostly sort otherwise); equal prefixes are then ordered by
 * the full index.
 */
function sortPending(pending: Pending[]): void {
  const n = pending.length;
  if (n > 1 << 21) {
    pending.sort((a, b) => a.key - b.key || compareIndex(a.index, b.index));
    return;
  }
  const packed = new Float64Array(n);
  for (let i = 0; i < n; i++) packed[i] = (pending[i] as Pending).key * (1 << 21) + i;
  packed.sort();
  const sorted = new Array<Pending>(n);
  for (let i = 0; i < n; i++) sorted[i] = pending[(packed[i] as number) % (1 << 21)] as Pending;
  for (let i = 0; i < n;) {
    let j = i + 1;
    while (j < n && (sorted[j] as Pending).key === (sorted[i] as Pending).key) j++;
    if (j - i > 1) {
      const run = sorted.slice(i, j).sort((a, b) => compareIndex(a.index, b.index));
      for (let k = 0; k < run.length; k++) sorted[i + k] = run[k] as Pending;
    }
    i = j;
  }
  for (let i = 0; i < n; i++) pending[i] = sorted[i] as Pending;
}

class CommitContext {
  readonly nodes: NodeRecord[] = [];
  readonly tombstones: { index: Uint8Array; version: number }[] = [];
  inserted = 0;
  updated = 0;
  removed = 0;
}

function randomTreeId(): Uint8Array {
  const id = new Uint8Array(32);
  globalThis.crypto.getRandomValues(id);
  return id;
}

export class PrefixTree {
  readonly store: NodeStore;
  readonly treeId: Uint8Array;

  private constructor(store: NodeStore, treeId: Uint8Array) {
    this.store = store;
    this.treeId = treeId;
  }

  /** Genesis: a new tree with a fresh (or given) treeId over an empty store. */
  static create(store: NodeStore, treeId: Uint8Array = randomTreeId()): PrefixTree {
    if (store.readTreeId() !== undefined) throw new TreeError('tree-exists', 'this store already holds a tree; open it instead');
    if (treeId.length !== 32) throw new TreeError('tree-id-length', 'treeId must be 32 bytes');
    store.writeTreeId(treeId);
    return new PrefixTree(store, Uint8Array.from(treeId));
  }

  static open(store: NodeStore): PrefixTree {
    const treeId = store.readTreeId();
    if (treeId === undefined) throw new TreeError('tree-missing', 'this store holds no tree; create one first');
    return new PrefixTree(store, treeId);
  }

  latestEpoch(): number | undefined {
    return this.store.latestEpoch();
  }

  /** The root hash of the empty tree: E(0, ε). */
  emptyRoot(): Uint8Array {
    return emptyHash(this.treeId, 0, new Uint8Array(32));
  }

  root(epoch: number): Uint8Array {
    return this.rootRef(epoch).hash;
  }

  /**
   * Applies one epoch's batch. Epochs follow each other by exactly one; a
   * name may appear once per batch; removing an absent name and setting a
   * name to the binding it already has change nothing.
   */
  commit(epoch: number, changes: readonly TreeChange[]): CommitResult {
    const latest = this.store.latestEpoch();
    if (!Number.isSafeInteger(epoch) || epoch < 0) throw new TreeError('bad-epoch', `epoch must be a non-negative integer, got ${epoch}`);
    if (latest !== undefined && epoch !== latest + 1) throw new TreeError('epoch-order', `epoch ${epoch} does not follow the latest epoch ${latest}`);
    const pending = this.sortChanges(changes);
    const previous: NodeRef = latest === undefined ? { kind: EMPTY, hash: this.emptyRoot() } : this.rootRef(latest);
    const ctx = new CommitContext();
    const root = pending.length === 0 ? previous : this.update(ctx, previous, 0, pending, 0, pending.length);
    this.store.commit({ epoch, root, nodes: ctx.nodes, tombstones: ctx.tombstones });
    return { epoch, root: root.hash, inserted: ctx.inserted, updated: ctx.updated, removed: ctx.removed, nodesCreated: ctx.nodes.length };
  }

  /** The leaf of `name` at `epoch`, if present. */
  get(name: string, epoch: number): LeafEntry | undefined {
    const index = indexOf(validateName(name));
    let ref = this.rootRef(epoch);
    let depth = 0;
    while (ref.kind === INTERIOR) {
      const node = this.load(ref) as InteriorRecord;
      ref = bitAt(index, depth) === 0 ? node.left : node.right;
      depth++;
    }
    if (ref.kind !== LEAF) return undefined;
    const leaf = this.load(ref) as LeafRecord;
    return equalBytes(leaf.index, index) ? { depth, version: leaf.version, bindingHash: leaf.bindingHash } : undefined;
  }

  /** An inclusion or absence proof for `name` against the root of `epoch`. */
  prove(name: string, epoch: number): LookupProof {
    const index = indexOf(validateName(name));
    let ref = this.rootRef(epoch);
    const path: NodeRef[] = [];
    while (ref.kind === INTERIOR) {
      const node = this.load(ref) as InteriorRecord;
      if (bitAt(index, path.length) === 0) {
        path.push(node.right);
        ref = node.left;
      } else {
        path.push(node.left);
        ref = node.right;
      }
    }
    const depth = path.length;
    const siblings: (Uint8Array | null)[] = new Array(depth);
    for (let i = 0; i < depth; i++) {
      const s = path[depth - 1 - i] as NodeRef;
      siblings[i] = s.kind === EMPTY ? null : s.hash;
    }
    if (ref.kind === EMPTY) return { depth, terminal: { kind: 'empty' }, siblings };
    const leaf = this.load(ref) as LeafRecord;
    return {
      depth,
      terminal: {
        kind: 'leaf',
        index: equalBytes(leaf.index, index) ? null : leaf.index,
        version: leaf.version,
        bindingHash: leaf.bindingHash,
      },
      siblings,
    };
  }

  /** Node counts of one epoch's tree (a full walk: for measures and tests). */
  stats(epoch: number): TreeStats {
    const stats: TreeStats = { leaves: 0, interiors: 0, empties: 0, maxDepth: 0 };
    const stack: [NodeRef, number][] = [[this.rootRef(epoch), 0]];
    while (stack.length > 0) {
      const [ref, depth] = stack.pop() as [NodeRef, number];
      if (depth > stats.maxDepth) stats.maxDepth = depth;
      if (ref.kind === EMPTY) stats.empties++;
      else if (ref.kind === LEAF) stats.leaves++;
      else {
        stats.interiors++;
        const node = this.load(ref) as InteriorRecord;
        stack.push([node.left, depth + 1], [node.right, depth + 1]);
      }
    }
    return stats;
  }

  private rootRef(epoch: number): NodeRef {
    const ref = this.store.getRoot(epoch);
    if (ref === undefined) throw new TreeError('unknown-epoch', `epoch ${epoch} is not stored in this tree`);
    return ref;
  }

  private load(ref: NodeRef): NodeRecord {
    if (isRecord(ref)) return ref;
    const node = this.store.getNode(ref.hash);
    if (node === undefined || node.kind !== ref.kind) throw new TreeError('missing-node', 'a node referenced by the tree is missing from its store');
    return node;
  }

  private sortChanges(changes: readonly TreeChange[]): Pending[] {
    const pending: Pending[] = changes.map((c) => {
      const index = indexOf(validateName(c.name));
      const remove = 'remove' in c && c.remove === true;
      if (!remove) {
        const bh = (c as { bindingHash: unknown }).bindingHash;
        if (!(bh instanceof Uint8Array) || bh.length !== 32) throw new TreeError('bad-binding-hash', `bindingHash of "${c.name}" must be 32 bytes`);
      }
      const key = (((index[0] as number) << 24) | ((index[1] as number) << 16) | ((index[2] as number) << 8) | (index[3] as number)) >>> 0;
      return { index, key, bindingHash: remove ? null : (c as { bindingHash: Uint8Array }).bindingHash };
    });
    sortPending(pending);
    for (let i = 1; i < pending.length; i++) {
      if (equalBytes((pending[i - 1] as Pending).index, (pending[i] as Pending).index)) {
        const dup = changes.find((c) => equalBytes(indexOf(c.name), (pending[i] as Pending).index));
        throw new TreeError('duplicate-change', `"${dup?.name ?? '?'}" appears more than once in one batch`);
      }
    }
    return pending;
  }

  /** First position in [lo, hi) whose bit `depth` is 1 (the range is sorted and shares the first `depth` bits). */
  private split(items: readonly { index: Uint8Array }[], lo: number, hi: number, depth: number): number {
    let a = lo;
    let b = hi;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (bitAt((items[m] as { index: Uint8Array }).index, depth) === 0) a = m + 1;
      else b = m;
    }
    return a;
  }

  private update(ctx: CommitContext, ref: NodeRef, depth: number, changes: Pending[], lo: number, hi: number): NodeRef {
    if (lo === hi) return ref;
    if (ref.kind === INTERIOR) {
      const node = this.load(ref) as InteriorRecord;
      const mid = this.split(changes, lo, hi, depth);
      const left = this.update(ctx, node.left, depth + 1, changes, lo, mid);
      const right = this.update(ctx, node.right, depth + 1, changes, mid, hi);
      if (left === node.left && right === node.right) return ref;
      const anyIndex = (changes[lo] as Pending).index;
      if (left.kind === EMPTY && right.kind === EMPTY) return { kind: EMPTY, hash: emptyHash(this.treeId, depth, anyIndex) };
      // Compression: a lone leaf under an interior moves up to the interior's place.
      if (left.kind === EMPTY && right.kind === LEAF) return this.relocate(ctx, right, depth);
      if (right.kind === EMPTY && left.kind === LEAF) return this.relocate(ctx, left, depth);
      return this.interior(ctx, left, right);
    }
    // A leaf or an empty subtree: collect the leaves that remain here, then rebuild.
    const placed: Placed[] = [];
    let existing: LeafRecord | undefined;
    let existingKept = false;
    if (ref.kind === LEAF) existing = this.load(ref) as LeafRecord;
    for (let i = lo; i < hi; i++) {
      const c = changes[i] as Pending;
      if (existing !== undefined && equalBytes(c.index, existing.index)) {
        if (c.bindingHash === null) {
          ctx.removed++;
          ctx.tombstones.push({ index: existing.index, version: existing.version });
        } else if (equalBytes(c.bindingHash, existing.bindingHash)) {
          placed.push(existing);
          existingKept = true;
        } else {
          ctx.updated++;
          placed.push({ index: existing.index, version: existing.version + 1, bindingHash: c.bindingHash });
        }
        existing = undefined;
      } else if (c.bindingHash !== null) {
        ctx.inserted++;
        placed.push({ index: c.index, version: (this.store.getTombstone(c.index) ?? 0) + 1, bindingHash: c.bindingHash });
      }
    }
    if (existing !== undefined) {
      // The changes arrive sorted by index: the kept leaf goes where it belongs, no sort needed.
      const at = this.insertionPoint(placed, existing.index);
      placed.splice(at, 0, existing);
      existingKept = true;
    }
    if (placed.length === 0) {
      return ref.kind === EMPTY ? ref : { kind: EMPTY, hash: emptyHash(this.treeId, depth, (changes[lo] as Pending).index) };
    }
    if (placed.length === 1 && existingKept) return ref;
    return this.build(ctx, depth, placed, 0, placed.length);
  }

  private insertionPoint(sorted: readonly Placed[], index: Uint8Array): number {
    let a = 0;
    let b = sorted.length;
    while (a < b) {
      const m = (a + b) >>> 1;
      if (compareIndex((sorted[m] as Placed).index, index) < 0) a = m + 1;
      else b = m;
    }
    return a;
  }

  private build(ctx: CommitContext, depth: number, leaves: Placed[], lo: number, hi: number): NodeRef {
    if (hi - lo === 1) return this.leaf(ctx, depth, leaves[lo] as Placed);
    const mid = this.split(leaves, lo, hi, depth);
    const left: NodeRef = mid > lo ? this.build(ctx, depth + 1, leaves, lo, mid) : { kind: EMPTY, hash: emptyHash(this.treeId, depth + 1, (leaves[mid] as Placed).index, true) };
    const right: NodeRef = hi > mid ? this.build(ctx, depth + 1, leaves, mid, hi) : { kind: EMPTY, hash: emptyHash(this.treeId, depth + 1, (leaves[lo] as Placed).index, true) };
    return this.interior(ctx, left, right);
  }

  private leaf(ctx: CommitContext, depth: number, p: Placed): LeafRecord {
    if ('kind' in p && (p as LeafRecord).depth === depth) return p as LeafRecord;
    const record: LeafRecord = {
      kind: LEAF,
      hash: leafHash(this.treeId, depth, p.index, p.version, p.bindingHash),
      depth,
      index: p.index,
      version: p.version,
      bindingHash: p.bindingHash,
    };
    ctx.nodes.push(record);
    return record;
  }

  private relocate(ctx: CommitContext, ref: NodeRef, depth: number): LeafRecord {
    return this.leaf(ctx, depth, this.load(ref) as LeafRecord);
  }

  private interior(ctx: CommitContext, left: NodeRef, right: NodeRef): InteriorRecord {
    const record: InteriorRecord = { kind: INTERIOR, hash: interiorHash(left.hash, right.hash), left, right };
    ctx.nodes.push(record);
    return record;
  }
}
