// The lab's storage: a directory pool under the lab directory and, per node,
// a qcow2 volume backed by its role image, so the image itself is never
// written and each node's changes stay in its own small file.
import { xmlEscape as x } from './xml-text.ts';

export function dirPoolXml(name: string, path: string): string {
  return `<pool type='dir'>\n  <name>${x(name)}</name>\n  <target>\n    <path>${x(path)}</path>\n  </target>\n</pool>\n`;
}

export function overlayVolumeXml(name: string, capacityGiB: number, backingFile: string): string {
  if (!Number.isInteger(capacityGiB) || capacityGiB < 1) throw new RangeError(`a volume needs a whole number of GiB, not ${capacityGiB}`);
  return (
    `<volume type='file'>\n` +
    `  <name>${x(name)}</name>\n` +
    `  <capacity unit='GiB'>${capacityGiB}</capacity>\n` +
    `  <target>\n    <format type='qcow2'/>\n  </target>\n` +
    `  <backingStore>\n    <path>${x(backingFile)}</path>\n    <format type='qcow2'/>\n  </backingStore>\n` +
    `</volume>\n`
  );
}
