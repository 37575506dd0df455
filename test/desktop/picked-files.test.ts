// Reading what the user picked in the desktop shell's file dialog.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { PickError, readPicked } from '../../app/main/picked-files.ts';

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spms-pick-'));
  const plugin = join(dir, 'org.example.hello');
  mkdirSync(join(plugin, 'src'), { recursive: true });
  writeFileSync(join(plugin, 'org.example.hello.plugin'), 'org.example.hello\nhello src/hello.o\n');
  writeFileSync(join(plugin, 'src', 'hello.c'), 'int f(void) { return 0; }\n');
  symlinkSync('/etc/passwd', join(plugin, 'src', 'link'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const text = (b: Uint8Array): string => new TextDecoder().decode(b);

describe('readPicked', () => {
  it("names a folder's files <folder>/<path>, skipping links", async () => {
    const files = await readPicked([join(dir, 'org.example.hello')], true);
    expect(files.map((f) => f.name)).toEqual(['org.example.hello/org.example.hello.plugin', 'org.example.hello/src/hello.c']);
    expect(files[1]?.path).toBe(join(dir, 'org.example.hello', 'src', 'hello.c'));
    expect(text(files[1]?.bytes ?? new Uint8Array())).toBe('int f(void) { return 0; }\n');
    expect(files[1]?.bytes.byteLength).toBe(files[1]?.bytes.buffer.byteLength);
  });

  it('names picked files by their bare names', async () => {
    const files = await readPicked([join(dir, 'org.example.hello', 'src', 'hello.c')], false);
    expect(files.map((f) => f.name)).toEqual(['hello.c']);
  });

  it('refuses what is not of the kind asked for', async () => {
    await expect(readPicked([join(dir, 'org.example.hello')], false)).rejects.toThrow(PickError);
    await expect(readPicked([join(dir, 'org.example.hello', 'src', 'hello.c')], true)).rejects.toThrow(PickError);
    await expect(readPicked([join(dir, 'org.example.hello', 'src', 'link')], false)).rejects.toThrow(PickError);
  });

  it('stops at the upload limits before reading', async () => {
    const folder = [join(dir, 'org.example.hello')];
    await expect(readPicked(folder, true, { files: 1, bytes: 1 << 20, directories: 10 })).rejects.toThrow(/more than 1 files/);
    await expect(readPicked(folder, true, { files: 10, bytes: 20, directories: 10 })).rejects.toThrow(/more than 20 bytes/);
    await expect(readPicked(folder, true, { files: 10, bytes: 1 << 20, directories: 1 })).rejects.toThrow(/more than 1 folders/);
  });
});
