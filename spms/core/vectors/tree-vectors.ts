// Computes the tree and binding test vectors from fixed inputs. The generator
// script writes them to tree.json once; the test recomputes and compares, so
// any change to a hashing or encoding rule shows up as a vector mismatch.
import { toHex, utf8 } from '../bytes.ts';
import { bindingHash, encodeBinding, type Binding } from '../binding.ts';
import { hash } from '../hash.ts';
import { indexOf } from '../tree/index-bits.ts';
import { MemoryNodeStore } from '../tree/memory-store.ts';
import { emptyHash, interiorHash, leafHash } from '../tree/node-hash.ts';
import { PrefixTree, type TreeChange } from '../tree/prefix-tree.ts';
import { encodeProof, proofToJson } from '../tree/proof-codec.ts';

export const VECTOR_TREE_ID = hash(utf8('spms/vectors/tree-id'));
const NAMES = ['be.michelfra.disable_cc', 'org.example.fec', 'org.example.monitoring', 'org.example.multipath', 'net.lab.datagram', 'net.lab.qlog'];
const bh = (s: string): Uint8Array => hash(utf8(`binding of ${s}`));

export function computeTreeVectors(): unknown {
  const names = NAMES.map((name) => ({ name, index: toHex(indexOf(name)) }));
  const idx = indexOf(NAMES[0]!);
  const nodes = {
    empty: [0, 1, 5, 9, 256].map((depth) => ({ depth, index: toHex(idx), hash: toHex(emptyHash(VECTOR_TREE_ID, depth, idx)) })),
    leaf: [0, 3, 17].map((depth) => ({ depth, index: toHex(idx), version: depth + 1, bindingHash: toHex(bh('x')), hash: toHex(leafHash(VECTOR_TREE_ID, depth, idx, depth + 1, bh('x'))) })),
    interior: { left: toHex(bh('l')), right: toHex(bh('r')), hash: toHex(interiorHash(bh('l'), bh('r'))) },
  };
  const tree = PrefixTree.create(new MemoryNodeStore(), VECTOR_TREE_ID);
  const epochs: TreeChange[][] = [
    NAMES.slice(0, 4).map((name) => ({ name, bindingHash: bh(name) })),
    [
      { name: NAMES[1]!, bindingHash: bh(`${NAMES[1]!} v2`) },
      { name: NAMES[2]!, remove: true },
      { name: NAMES[4]!, bindingHash: bh(NAMES[4]!) },
    ],
  ];
  const proofNames = [...NAMES, 'org.absent.plugin'];
  const epochVectors = epochs.map((changes, epoch) => {
    const { root } = tree.commit(epoch, changes);
    return {
      epoch,
      changes: changes.map((c) => ('remove' in c ? { name: c.name, remove: true } : { name: c.name, bindingHash: toHex(c.bindingHash) })),
      root: toHex(root),
      proofs: proofNames.map((name) => {
        const proof = tree.prove(name, epoch);
        return { name, binary: toHex(encodeProof(proof)), json: proofToJson(proof) };
      }),
    };
  });
  const binding: Binding = {
    v: 1,
    name: 'org.example.fec',
    manifest: utf8('org.example.fec\nparse_frame param 0x29 replace parse_fec.o\n'),
    pluglets: { 'parse_fec.o': Uint8Array.of(0x7f, 0x45, 0x4c, 0x46, 2, 1, 1), 'b/a.o': Uint8Array.of(1), 'a.o': Uint8Array.of(2) },
  };
  return {
    description: 'SPMS prefix tree and binding test vectors (DESIGN §3.2, §3.3). All byte strings are lowercase hex.',
    treeId: toHex(VECTOR_TREE_ID),
    names,
    nodes,
    epochs: epochVectors,
    binding: {
      value: { v: 1, name: binding.name, manifest: toHex(binding.manifest), pluglets: Object.fromEntries(Object.entries(binding.pluglets).map(([k, v]) => [k, toHex(v)])) },
      cbor: toHex(encodeBinding(binding)),
      bindingHash: toHex(bindingHash(binding)),
    },
  };
}
