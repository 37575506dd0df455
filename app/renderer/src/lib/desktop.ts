// The desktop shell's extras, when the panel runs in it: the preload puts
// `window.spmsDesktop` in the page (native file dialog, show in folder). In
// a browser it is absent and the panel uses the web equivalents; nothing
// else of the panel depends on where it runs.
import type { PickedFile as DesktopFile, SpmsDesktop } from '../../../preload/desktop-api.ts';
import type { PickedFile } from './dropped-files.ts';

declare global {
  interface Window {
    spmsDesktop?: SpmsDesktop;
  }
}

/** The shell's extras, or undefined in a browser (or when what is there does not look like them). */
export function desktop(): SpmsDesktop | undefined {
  const d: unknown = typeof window === 'undefined' ? undefined : window.spmsDesktop;
  if (typeof d !== 'object' || d === null) return undefined;
  const { openFiles, revealInFolder } = d as Partial<SpmsDesktop>;
  return typeof openFiles === 'function' && typeof revealInFolder === 'function' ? (d as SpmsDesktop) : undefined;
}

/** The files the native dialog read, as an upload takes them. */
export function fromDesktop(files: DesktopFile[]): PickedFile[] {
  // Copy into a fresh ArrayBuffer: what crosses the bridge may be a view on a larger or shared buffer.
  return files.map((f) => ({ path: f.name, source: f.path, file: new File([new Uint8Array(f.bytes)], f.name.split('/').pop() ?? f.name) }));
}

/**
 * Where a picked upload came from, to show in the file manager: the folder
 * when the pick was one folder, else the first file.
 */
export function uploadSource(files: readonly PickedFile[]): string | undefined {
  const first = files[0];
  if (first?.source === undefined) return undefined;
  const slash = first.path.indexOf('/');
  if (slash < 0) return first.source;
  // '<folder>/<rel>' picked from '/abs/…/<folder>/<rel>': cut the relative part off the absolute path.
  const rel = first.path.slice(slash);
  return first.source.endsWith(rel) ? first.source.slice(0, first.source.length - rel.length) : first.source;
}
