// A NodeStore in memory. Interior records hold their children as objects, so
// walking the tree is pointer chasing; the hash -> node table that getNode
// needs is built only if someone asks by hash.
import { toHex } from '../bytes.ts';
import { INTERIOR, isRecord, type NodeRecord, type NodeRef, type NodeStore, type TreeCommit } from './node-store.ts';

export class MemoryNodeStore implements NodeStore {
  private treeId: Uint8Array | undefined;
  private readonly roots: NodeRef[] = [];
  private firstEpoch = 0;
  private readonly tombstones = new Map<string, number>();
  private byHash: Map<string, NodeRecord> | undefined;

  readTreeId(): Uint8Array | undefined {
    return this.treeId;
  }

  writeTreeId(treeId: Uint8Array): void {
    if (this.treeId !== undefined) throw new Error('tree id is already set');
    this.treeId = Uint8Array.from(treeId);
  }

  getNode(hash: Uint8Array): NodeRecord | undefined {
    if (this.byHash === undefined) {
      this.byHash = new Map();
      for (const root of this.roots) this.index(root);
    }
    return this.byHash.get(toHex(hash));
  }

  getRoot(epoch: number): NodeRef | undefined {
    return this.roots[epoch - this.firstEpoch];
  }

  latestEpoch(): number | undefined {
    return this.roots.length === 0 ? undefined : this.firstEpoch + this.roots.length - 1;
  }

  getTombstone(index: Uint8Array): number | undefined {
    return this.tombstones.size === 0 ? undefined : this.tombstones.get(toHex(index));
  }

  commit(change: TreeCommit): void {
    const latest = this.latestEpoch();
    if (latest === undefined) this.firstEpoch = change.epoch;
    else if (change.epoch !== latest + 1) throw new Error(`epoch ${change.epoch} does not follow ${latest}`);
    this.roots.push(change.root);
    for (const t of change.tombstones) this.tombstones.set(toHex(t.index), t.version);
    if (this.byHash !== undefined) for (const n of change.nodes) this.byHash.set(toHex(n.hash), n);
  }

  private index(ref: NodeRef): void {
    const stack: NodeRef[] = [ref];
    while (stack.length > 0) {
      const r = stack.pop() as NodeRef;
      if (!isRecord(r)) continue;
      const key = toHex(r.hash);
      if (this.byHash!.has(key)) continue;
      this.byHash!.set(key, r);
      if (r.kind === INTERIOR) stack.push(r.left, r.right);
    }
  }
}
