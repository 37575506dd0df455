import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import type { PickedFile } from '../../lib/dropped-files.ts';
import DropZone from './DropZone.svelte';

let component: ReturnType<typeof mount> | undefined;
afterEach(() => {
  if (component) unmount(component);
  component = undefined;
  delete window.spmsDesktop;
});

function render(onfiles: (f: PickedFile[]) => void): HTMLElement {
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  component = mount(DropZone, { target, props: { onfiles } });
  flushSync();
  return target.querySelector('[data-testid="dropzone"]') as HTMLElement;
}

function dragEvent(type: string, dataTransfer: unknown): Event {
  const e = new Event(type, { bubbles: true, cancelable: true });
  Object.defineProperty(e, 'dataTransfer', { value: dataTransfer });
  return e;
}

describe('DropZone', () => {
  it('hands over the dropped folder, walked, with paths relative to it', async () => {
    const onfiles = vi.fn();
    const zone = render(onfiles);
    const folder = {
      isFile: false,
      isDirectory: true,
      name: 'org.example.hello',
      createReader: () => {
        let done = false;
        return {
          readEntries: (ok: (e: unknown[]) => void) => {
            ok(done ? [] : [{ isFile: true, isDirectory: false, name: 'hello.plugin', file: (cb: (f: File) => void) => cb(new File(['m'], 'hello.plugin')) }]);
            done = true;
          },
        };
      },
    };
    const dt = { items: [{ kind: 'file', getAsFile: () => null, webkitGetAsEntry: () => folder }], dropEffect: 'none' };
    zone.dispatchEvent(dragEvent('dragenter', dt));
    zone.dispatchEvent(dragEvent('dragover', dt));
    flushSync();
    expect(zone.classList.contains('over')).toBe(true);
    const drop = dragEvent('drop', dt);
    zone.dispatchEvent(drop);
    expect(drop.defaultPrevented).toBe(true);
    await vi.waitFor(() => expect(onfiles).toHaveBeenCalledOnce());
    expect((onfiles.mock.calls[0]?.[0] as PickedFile[]).map((f) => f.path)).toEqual(['org.example.hello/hello.plugin']);
    flushSync();
    expect(zone.classList.contains('over')).toBe(false);
  });

  it('offers labelled pickers for files (several) and for a folder', () => {
    const onfiles = vi.fn();
    const zone = render(onfiles);
    const labels = [...zone.querySelectorAll('label')];
    const files = labels.find((l) => l.textContent?.trim() === 'Choose files')?.querySelector('input') as HTMLInputElement;
    const folder = labels.find((l) => l.textContent?.trim() === 'Choose a folder')?.querySelector('input') as HTMLInputElement;
    expect(files.type).toBe('file');
    expect(files.multiple).toBe(true);
    expect(folder.hasAttribute('webkitdirectory')).toBe(true);
    const picked = [new File(['a'], 'a.tar.gz')];
    Object.defineProperty(files, 'files', { value: picked });
    files.dispatchEvent(new Event('change', { bubbles: true }));
    expect(onfiles).toHaveBeenCalledWith([{ path: 'a.tar.gz', file: picked[0] }]);
  });

  it('says so when a drop holds nothing to upload', async () => {
    const onfiles = vi.fn();
    const zone = render(onfiles);
    zone.dispatchEvent(dragEvent('drop', { items: [{ kind: 'string', getAsFile: () => null }] }));
    await vi.waitFor(() => expect(zone.querySelector('[role="alert"]')?.textContent).toMatch(/Nothing to upload/));
    expect(onfiles).not.toHaveBeenCalled();
  });

  it('in the desktop shell, picks through the system dialog (files or a folder) and says why a pick failed', async () => {
    const asked: unknown[] = [];
    let answer: () => Promise<{ name: string; path: string; bytes: Uint8Array }[]> = () =>
      Promise.resolve([{ name: 'hello/hello.plugin', path: '/src/hello/hello.plugin', bytes: new Uint8Array([109]) }]);
    // The preload's bridge, as the shell puts it in the page.
    window.spmsDesktop = {
      openFiles: (options) => {
        asked.push(options);
        return answer();
      },
      revealInFolder: () => Promise.resolve(true),
    };
    const onfiles = vi.fn();
    const zone = render(onfiles);
    expect(zone.querySelectorAll('input[type="file"]')).toHaveLength(0);
    const buttons = [...zone.querySelectorAll('button')];
    const folder = buttons.find((b) => b.textContent?.trim() === 'Choose a folder') as HTMLButtonElement;
    folder.click();
    await vi.waitFor(() => expect(onfiles).toHaveBeenCalledOnce());
    expect(asked).toEqual([{ directory: true }]);
    const [picked] = onfiles.mock.calls[0]?.[0] as PickedFile[];
    expect(picked).toMatchObject({ path: 'hello/hello.plugin', source: '/src/hello/hello.plugin' });

    answer = () => Promise.reject(new Error('the folder holds more than 4096 files'));
    (buttons.find((b) => b.textContent?.trim() === 'Choose files') as HTMLButtonElement).click();
    await vi.waitFor(() => expect(zone.querySelector('[role="alert"]')?.textContent).toMatch(/could not be read: the folder holds more than 4096 files/));
    expect(asked).toEqual([{ directory: true }, { directory: false }]);
    expect(onfiles).toHaveBeenCalledOnce();
  });
});
