// The desktop shell's checks on what pages and disk hand its main process.
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WINDOW,
  externalUrl,
  IpcArgumentError,
  isInside,
  parseOpenFilesOptions,
  parseRevealPath,
  parseShellArgs,
  parseWindowState,
  sameOrigin,
  ShellUsageError,
  visibleState,
} from '../../app/main/guards.ts';

describe('IPC arguments', () => {
  it('openFiles takes nothing or {directory: boolean}', () => {
    expect(parseOpenFilesOptions(undefined)).toEqual({ directory: false });
    expect(parseOpenFilesOptions({})).toEqual({ directory: false });
    expect(parseOpenFilesOptions({ directory: true })).toEqual({ directory: true });
    for (const bad of ['x', 1, [], { directory: 'yes' }, { directory: true, path: '/etc' }, { __proto__: { directory: true }, extra: 1 }]) {
      expect(() => parseOpenFilesOptions(bad)).toThrow(IpcArgumentError);
    }
  });

  it('revealInFolder takes an absolute path, normalised', () => {
    expect(parseRevealPath('/home/u/lab/../lab/ca/ca.crt')).toBe('/home/u/lab/ca/ca.crt');
    for (const bad of [undefined, null, 3, {}, '', 'relative/path', '/a\0b', `/${'a'.repeat(5000)}`]) expect(() => parseRevealPath(bad)).toThrow(IpcArgumentError);
  });

  it('a path is inside a root only below it, never beside or above', () => {
    const roots = ['/home/u/lab', '/home/u/plugins/hello.tar.gz'];
    expect(isInside('/home/u/lab', roots)).toBe(true);
    expect(isInside('/home/u/lab/nodes/PV1.log', roots)).toBe(true);
    expect(isInside('/home/u/plugins/hello.tar.gz', roots)).toBe(true);
    expect(isInside('/home/u/lab-other/x', roots)).toBe(false);
    expect(isInside('/home/u/lab/../.ssh/id_ed25519', roots)).toBe(false);
    expect(isInside('/home/u', roots)).toBe(false);
    expect(isInside('/home/u/lab/..x', roots)).toBe(true);
  });
});

describe('navigation', () => {
  it('keeps pages on the daemon origin', () => {
    const origin = 'http://127.0.0.1:7780';
    expect(sameOrigin('http://127.0.0.1:7780/#/plugins', origin)).toBe(true);
    expect(sameOrigin('http://127.0.0.1:7781/', origin)).toBe(false);
    expect(sameOrigin('http://localhost:7780/', origin)).toBe(false);
    expect(sameOrigin('https://127.0.0.1:7780/', origin)).toBe(false);
    expect(sameOrigin('http://127.0.0.1:7780.evil.example/', origin)).toBe(false);
    expect(sameOrigin('not a url', origin)).toBe(false);
  });

  it('hands only web and mail links to the system', () => {
    expect(externalUrl('https://example.org/doc')).toBe(true);
    expect(externalUrl('http://example.org/')).toBe(true);
    expect(externalUrl('mailto:a@example.org')).toBe(true);
    for (const bad of ['file:///etc/passwd', 'javascript:alert(1)', 'smb://host/share', 'x']) expect(externalUrl(bad)).toBe(false);
  });
});

describe('window state', () => {
  it('reads a saved state and falls back to the default when damaged', () => {
    expect(parseWindowState({ x: 10, y: 20, width: 1000, height: 700, maximized: true })).toEqual({ x: 10, y: 20, width: 1000, height: 700, maximized: true });
    expect(parseWindowState({ width: 1000, height: 700 })).toEqual({ width: 1000, height: 700, maximized: false });
    expect(parseWindowState({ x: 1.5, y: 0, width: 1000, height: 700 })).toEqual({ width: 1000, height: 700, maximized: false });
    for (const bad of [null, 'x', [], { width: 10, height: 700 }, { width: '1000', height: 700 }, { width: 1e9, height: 700 }]) expect(parseWindowState(bad)).toEqual(DEFAULT_WINDOW);
  });

  it('drops a position no screen shows', () => {
    const screens = [{ x: 0, y: 0, width: 1920, height: 1080 }];
    const onScreen = { x: 100, y: 100, width: 1000, height: 700, maximized: false };
    expect(visibleState(onScreen, screens)).toEqual(onScreen);
    expect(visibleState({ ...onScreen, x: 1900 }, screens)).toEqual({ width: 1000, height: 700, maximized: false });
    expect(visibleState({ ...onScreen, x: 3000 }, [...screens, { x: 1920, y: 0, width: 2560, height: 1440 }])).toEqual({ ...onScreen, x: 3000 });
  });
});

describe('shell arguments', () => {
  it('reads its options and ignores the rest', () => {
    expect(parseShellArgs([])).toEqual({ deploy: true, keepDaemon: false });
    expect(parseShellArgs(['--lab-dir', '/tmp/lab', '--port=8000', '--no-deploy', '--keep-daemon'])).toEqual({ labDir: '/tmp/lab', port: 8000, deploy: false, keepDaemon: true });
    expect(parseShellArgs(['--deploy', '--open', '--no-sandbox', '--port', '0'])).toEqual({ port: 0, deploy: true, keepDaemon: false });
  });

  it('refuses a bad port or a missing value', () => {
    for (const bad of [['--port', 'x'], ['--port', '70000'], ['--port'], ['--lab-dir'], ['--port=']]) expect(() => parseShellArgs(bad)).toThrow(ShellUsageError);
  });
});
