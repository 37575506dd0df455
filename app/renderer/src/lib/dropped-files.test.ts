import { describe, expect, it } from 'vitest';
import { droppedFiles, pickedFiles, planUploads, uploadForm, walkEntry, type DataTransferLike, type EntryLike, type PickedFile } from './dropped-files.ts';

function fileEntry(name: string, text = name): EntryLike & { file(ok: (f: File) => void): void } {
  return { isFile: true, isDirectory: false, name, file: (ok) => ok(new File([text], name)) };
}

/** A directory whose reader answers in batches of `batch`, like Chromium's (100). */
function dirEntry(name: string, children: EntryLike[], batch = 2): EntryLike & { createReader(): { readEntries(ok: (e: EntryLike[]) => void): void } } {
  return {
    isFile: false,
    isDirectory: true,
    name,
    createReader: () => {
      let at = 0;
      return {
        readEntries: (ok) => {
          const chunk = children.slice(at, at + batch);
          at += chunk.length;
          queueMicrotask(() => ok(chunk));
        },
      };
    },
  };
}

const paths = (files: PickedFile[]): string[] => files.map((f) => f.path);

describe('dropped files', () => {
  it('walks a dropped folder, naming each file by its path, reading every batch of a directory', async () => {
    const tree = dirEntry('org.example.hello', [fileEntry('hello.plugin'), dirEntry('src', [fileEntry('a.c'), fileEntry('b.c'), fileEntry('c.c')]), fileEntry('README')]);
    const files = await walkEntry(tree);
    expect(paths(files)).toEqual(['org.example.hello/README', 'org.example.hello/hello.plugin', 'org.example.hello/src/a.c', 'org.example.hello/src/b.c', 'org.example.hello/src/c.c']);
    expect(files[1]?.file.name).toBe('hello.plugin');
    expect(files[1]?.file.size).toBe('hello.plugin'.length);
  });

  it('takes entries when the browser gives them and plain files otherwise', async () => {
    const loose = new File(['x'], 'notes.txt');
    const dt: DataTransferLike = {
      items: [
        { kind: 'file', getAsFile: () => null, webkitGetAsEntry: () => dirEntry('plug', [fileEntry('p.plugin')]) },
        { kind: 'file', getAsFile: () => loose, webkitGetAsEntry: () => null },
        { kind: 'string', getAsFile: () => null },
      ],
    };
    expect(paths(await droppedFiles(dt))).toEqual(['plug/p.plugin', 'notes.txt']);
  });

  it('falls back to the file list when there are no items', async () => {
    expect(paths(await droppedFiles({ files: [new File(['a'], 'a.tar.gz')] }))).toEqual(['a.tar.gz']);
  });

  it('names picked files by their folder path when a folder was picked', () => {
    const inFolder = new File(['m'], 'hello.plugin');
    Object.defineProperty(inFolder, 'webkitRelativePath', { value: 'hello/hello.plugin' });
    expect(paths(pickedFiles([inFolder, new File(['c'], 'x.c')]))).toEqual(['hello/hello.plugin', 'x.c']);
  });

  it('plans one upload per archive, per folder, and one for the loose files', () => {
    const f = (path: string): PickedFile => ({ path, file: new File([path], path.split('/').at(-1) as string) });
    const batches = planUploads([f('a.tar.gz'), f('one/one.plugin'), f('one/src/x.c'), f('two/two.plugin'), f('b.tgz'), f('hello.plugin'), f('hello.c')]);
    expect(batches.map((b) => [b.kind, b.label, paths(b.files)])).toEqual([
      ['archive', 'a.tar.gz', ['a.tar.gz']],
      ['archive', 'b.tgz', ['b.tgz']],
      ['folder', 'one/', ['one/one.plugin', 'one/src/x.c']],
      ['folder', 'two/', ['two/two.plugin']],
      ['files', '2 files', ['hello.plugin', 'hello.c']],
    ]);
    expect(planUploads([f('x.tar.bz2')])[0]?.kind).toBe('archive');
    expect(planUploads([f('x.tar.xz')])[0]?.kind).toBe('files');
  });

  it('puts every file in the form under its relative path', () => {
    const form = uploadForm({ kind: 'folder', label: 'p/', files: [{ path: 'p/src/a.c', file: new File(['a'], 'a.c') }] });
    const part = form.getAll('file')[0] as File;
    expect(part.name).toBe('p/src/a.c');
  });
});
