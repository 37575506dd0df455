// DESIGN §3.2 limits on a submitted plugin.
export interface ArchiveLimits {
  packedBytes: number;
  unpackedBytes: number;
  entries: number;
}

export const DEFAULT_LIMITS: ArchiveLimits = { packedBytes: 16 * 1024 * 1024, unpackedBytes: 64 * 1024 * 1024, entries: 1024 };
