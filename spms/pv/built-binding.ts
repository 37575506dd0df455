// What the binding generator produces from a submitted archive.
import type { Binding } from '../core/index.ts';

export interface BuiltBinding {
  binding: Binding;
  bytes: Uint8Array;
  hash: Uint8Array;
  /** The plugin's non-object files (sources, headers, Makefile), for source-level verifiers. */
  sources: { path: string; data: Uint8Array }[];
}

export type BindingBuilder = (archive: Uint8Array, expectedName: string) => Promise<BuiltBinding>;

export class BindingBuildError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly log = '',
  ) {
    super(message);
    this.name = 'BindingBuildError';
  }
}
