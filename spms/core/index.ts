// The protocol core's public surface (DESIGN §3): browser-safe, no Node built-ins.
export * from './bytes.ts';
export * from './hash.ts';
export * from './errors.ts';
export * from './name.ts';
export * from './cbor.ts';
export * from './binding.ts';
export * from './tree/index-bits.ts';
export * from './tree/node-hash.ts';
export * from './tree/node-store.ts';
export * from './tree/memory-store.ts';
export * from './tree/prefix-tree.ts';
export * from './tree/proof.ts';
export * from './tree/proof-codec.ts';
export * from './tree/verify-lookup.ts';
