// What a drop or a file picker hands over, as files named by their path:
// a dropped folder is walked (File and Directory Entries API) and each file
// named 'folder/sub/file'; loose files keep their bare names (the daemon
// takes the plugin's name from the manifest). Then the files are grouped into
// uploads the daemon accepts: one archive, one folder, or loose files.

export interface PickedFile {
  /** Path relative to what was dropped: 'folder/sub/file', or a bare name. */
  path: string;
  file: File;
  /** Where the file lies on this machine, when the desktop shell's dialog picked it. */
  source?: string;
}

/** The parts of FileSystemEntry the walk uses (real entries and test fakes alike). */
export interface EntryLike {
  readonly isFile: boolean;
  readonly isDirectory: boolean;
  readonly name: string;
}
export interface FileEntryLike extends EntryLike {
  file(success: (file: File) => void, failure?: (error: unknown) => void): void;
}
export interface DirectoryEntryLike extends EntryLike {
  createReader(): { readEntries(success: (entries: EntryLike[]) => void, failure?: (error: unknown) => void): void };
}

/** The parts of DataTransfer (and its items) the drop handler uses. */
export interface DataTransferLike {
  readonly items?: ArrayLike<{ kind: string; getAsFile(): File | null; webkitGetAsEntry?(): unknown }>;
  readonly files?: ArrayLike<File>;
}

export const ARCHIVE = /\.(tar\.gz|tgz|tar|tar\.bz2|tbz2)$/i;

function fileOf(entry: FileEntryLike): Promise<File> {
  return new Promise((resolve, reject) => entry.file(resolve, reject));
}

async function childrenOf(dir: DirectoryEntryLike): Promise<EntryLike[]> {
  const reader = dir.createReader();
  const all: EntryLike[] = [];
  // readEntries answers in batches (Chromium: 100 at a time) until an empty one.
  for (;;) {
    const batch = await new Promise<EntryLike[]>((resolve, reject) => reader.readEntries(resolve, reject));
    if (batch.length === 0) return all;
    all.push(...batch);
  }
}

/** Every file under `entry`, named by its path from (and including) the entry itself. */
export async function walkEntry(entry: EntryLike, prefix = ''): Promise<PickedFile[]> {
  const path = `${prefix}${entry.name}`;
  if (entry.isFile) return [{ path, file: await fileOf(entry as FileEntryLike) }];
  if (!entry.isDirectory) return [];
  const children = await childrenOf(entry as DirectoryEntryLike);
  children.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const nested = await Promise.all(children.map((c) => walkEntry(c, `${path}/`)));
  return nested.flat();
}

/**
 * The files of a drop. Entries and files must be taken from the DataTransfer
 * before the drop handler yields (the browser empties it afterwards), so this
 * reads them at once and only then walks the folders.
 */
export function droppedFiles(dt: DataTransferLike): Promise<PickedFile[]> {
  const pending: (EntryLike | File)[] = [];
  const items = dt.items === undefined ? [] : Array.from(dt.items).filter((i) => i.kind === 'file');
  for (const item of items) {
    const entry = item.webkitGetAsEntry?.() as EntryLike | null | undefined;
    if (entry !== null && entry !== undefined) pending.push(entry);
    else {
      const file = item.getAsFile();
      if (file !== null) pending.push(file);
    }
  }
  if (items.length === 0 && dt.files !== undefined) pending.push(...Array.from(dt.files));
  return Promise.all(pending.map((p) => (p instanceof File ? [{ path: p.name, file: p }] : walkEntry(p)))).then((lists) => lists.flat());
}

/** The files of an <input type="file">: with webkitdirectory each carries its path under the picked folder. */
export function pickedFiles(list: ArrayLike<File>): PickedFile[] {
  return Array.from(list, (file) => ({ path: file.webkitRelativePath || file.name, file }));
}

export interface UploadBatch {
  kind: 'archive' | 'folder' | 'files';
  /** What the batch is, for the user: the archive's or folder's name, or how many files. */
  label: string;
  files: PickedFile[];
}

/**
 * One upload per plugin: each loose archive alone, each top folder with
 * everything under it, and the loose files (a plugin picked file by file)
 * together.
 */
export function planUploads(files: readonly PickedFile[]): UploadBatch[] {
  const batches: UploadBatch[] = [];
  const folders = new Map<string, PickedFile[]>();
  const loose: PickedFile[] = [];
  for (const f of files) {
    const slash = f.path.indexOf('/');
    if (slash > 0) {
      const top = f.path.slice(0, slash);
      folders.set(top, [...(folders.get(top) ?? []), f]);
    } else if (ARCHIVE.test(f.path)) batches.push({ kind: 'archive', label: f.path, files: [f] });
    else loose.push(f);
  }
  for (const [top, list] of folders) batches.push({ kind: 'folder', label: `${top}/`, files: list });
  if (loose.length > 0) batches.push({ kind: 'files', label: loose.length === 1 ? (loose[0] as PickedFile).path : `${loose.length} files`, files: loose });
  return batches;
}

/** The multipart body of one upload: each file under its relative path. */
export function uploadForm(batch: UploadBatch): FormData {
  const form = new FormData();
  for (const f of batch.files) form.append('file', f.file, f.path);
  return form;
}

export function totalBytes(batch: UploadBatch): number {
  return batch.files.reduce((n, f) => n + f.file.size, 0);
}
