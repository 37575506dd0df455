export { ArchiveError, type ArchiveErrorCode } from './archive-error.ts';
export { DEFAULT_LIMITS, type ArchiveLimits } from './limits.ts';
export type { PluginFile, PluginTree } from './plugin-tree.ts';
export { readPluginArchive } from './read-archive.ts';
export { readPluginDirectory } from './read-directory.ts';
export { packPluginArchive } from './pack-archive.ts';
