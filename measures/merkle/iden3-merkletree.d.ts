// The part of @iden3/js-merkletree the benchmark uses. Its published typings
// re-export without file extensions, which NodeNext resolution cannot follow,
// so the surface is declared here.
declare module '@iden3/js-merkletree' {
  export class Hash {
    readonly value: Uint8Array;
  }
  export class Proof {
    existence: boolean;
    bytes(): Uint8Array;
  }
  export interface ITreeStorage {
    readonly prefix: Uint8Array;
  }
  export class InMemoryDB implements ITreeStorage {
    readonly prefix: Uint8Array;
    constructor(prefix: Uint8Array);
  }
  export class Merkletree {
    constructor(db: ITreeStorage, writable: boolean, maxLevels: number);
    root(): Promise<Hash>;
    add(k: bigint, v: bigint): Promise<void>;
    update(k: bigint, v: bigint): Promise<unknown>;
    delete(k: bigint): Promise<void>;
    generateProof(k: bigint, rootKey?: Hash): Promise<{ proof: Proof; value: bigint }>;
  }
  export function str2Bytes(s: string): Uint8Array;
  export function verifyProof(rootKey: Hash, proof: Proof, k: bigint, v: bigint): Promise<boolean>;
}
