// Why a plugin archive or folder was refused, with a stable code.

export type ArchiveErrorCode =
  | 'packed-too-large'
  | 'unpacked-too-large'
  | 'too-many-entries'
  | 'link'
  | 'special-file'
  | 'absolute-path'
  | 'path-traversal'
  | 'bad-path'
  | 'duplicate-entry'
  | 'not-an-archive'
  | 'corrupt'
  | 'layout'
  | 'unreadable';

export class ArchiveError extends Error {
  constructor(
    readonly code: ArchiveErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ArchiveError';
  }
}
