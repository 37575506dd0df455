import { afterEach, describe, expect, it } from 'vitest';
import { desktop, fromDesktop, uploadSource } from './desktop.ts';

// jsdom's File has no arrayBuffer(); FileReader reads it as a browser would.
function bytesOf(file: File): Promise<ArrayBuffer> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(reader.result as ArrayBuffer);
    reader.onerror = () => reject(reader.error ?? new Error('unreadable'));
    reader.readAsArrayBuffer(file);
  });
}

afterEach(() => {
  delete window.spmsDesktop;
});

describe('desktop extras', () => {
  it('are absent in a browser', () => {
    expect(desktop()).toBeUndefined();
  });

  it('are refused when what the page holds does not look like the shell’s bridge', () => {
    (window as unknown as { spmsDesktop: unknown }).spmsDesktop = { openFiles: 'no' };
    expect(desktop()).toBeUndefined();
  });

  it('turn the dialog’s files into upload files named by their path, keeping where they lie', async () => {
    const files = fromDesktop([
      { name: 'quic-ack/ack.plugin', path: '/home/u/src/quic-ack/ack.plugin', bytes: new TextEncoder().encode('org.pquic.ack\n') },
      { name: 'quic-ack/src/ack.c', path: '/home/u/src/quic-ack/src/ack.c', bytes: new Uint8Array([1, 2, 3]) },
    ]);
    expect(files.map((f) => f.path)).toEqual(['quic-ack/ack.plugin', 'quic-ack/src/ack.c']);
    expect(files[1]?.file.name).toBe('ack.c');
    expect(new Uint8Array(await bytesOf((files[1] as { file: File }).file))).toEqual(new Uint8Array([1, 2, 3]));
    expect(uploadSource(files)).toBe('/home/u/src/quic-ack');
  });

  it('show a loose picked file itself, and nothing for dropped files', () => {
    const [f] = fromDesktop([{ name: 'ack.tar.gz', path: '/tmp/ack.tar.gz', bytes: new Uint8Array(2) }]);
    expect(uploadSource([f as never])).toBe('/tmp/ack.tar.gz');
    expect(uploadSource([{ path: 'x/y', file: new File([], 'y') }])).toBeUndefined();
    expect(uploadSource([])).toBeUndefined();
  });
});
