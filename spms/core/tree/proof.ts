// Lookup proofs (DESIGN §3.3): the terminal node on a name's path at depth d
// and the d sibling hashes from the terminal up to the root.

export type ProofTerminal =
  | { kind: 'empty' }
  | {
      kind: 'leaf';
      /** The leaf's index, or null when it is the queried name's own index (inclusion, or a leaf of an older binding). */
      index: Uint8Array | null;
      version: number;
      bindingHash: Uint8Array;
    };

export interface LookupProof {
  depth: number;
  terminal: ProofTerminal;
  /** siblings[0] is at depth `depth`, the last at depth 1; null marks an empty subtree the verifier recomputes. */
  siblings: (Uint8Array | null)[];
}
