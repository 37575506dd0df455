// What the desktop shell adds to the panel, as `window.spmsDesktop` (absent
// in a browser): a native file picker and "show in folder". The preload
// exposes exactly this; the main process answers on these channels.

/** A file the user picked: `name` is the bare file name, or `<folder>/<path>` for a folder's files (as an upload expects). */
export interface PickedFile {
  name: string;
  /** Absolute path on this machine (for revealInFolder). */
  path: string;
  bytes: Uint8Array;
}

export interface OpenFilesOptions {
  /** Pick one folder (its files, recursively) instead of files. */
  directory?: boolean;
}

export interface SpmsDesktop {
  /** Opens the system file dialog; resolves with the files read (empty when cancelled), rejects beyond the upload limits. */
  openFiles(options?: OpenFilesOptions): Promise<PickedFile[]>;
  /** Shows a picked file, or a file of the lab directory, in the system's file manager; false when refused or missing. */
  revealInFolder(path: string): Promise<boolean>;
}

export const CHANNELS = {
  openFiles: 'spms-desktop:open-files',
  revealInFolder: 'spms-desktop:reveal-in-folder',
} as const;
