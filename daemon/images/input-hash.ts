// The cache key of an image: a SHA-256 over everything it is built from —
// recipe files (paths, executable bits and contents, in a stable order),
// binaries shipped into it, tool versions and settings. Equal inputs give the
// same id; any change to one of them gives another.
import { createHash, type Hash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, sep } from 'node:path';

/** Length of an image id in hex digits: 64 bits tell builds apart and keep directory names short. */
export const IMAGE_ID_LENGTH = 16;

export class InputHash {
  private readonly hash: Hash = createHash('sha256');

  /** A named value (a setting, a tool's version, another image's id). */
  text(label: string, value: string): this {
    return this.entry('text', label, Buffer.from(value, 'utf8'));
  }

  /** A file's contents and whether it is executable. */
  file(label: string, path: string): this {
    const executable = (statSync(path).mode & 0o111) !== 0;
    return this.entry(executable ? 'exec' : 'file', label, readFileSync(path));
  }

  /** Every file under `dir`, by path relative to it; symbolic links by their target. */
  tree(label: string, dir: string): this {
    for (const path of filesUnder(dir)) this.file(`${label}/${relative(dir, path).split(sep).join('/')}`, path);
    return this;
  }

  /** The id of these inputs. */
  id(): string {
    return this.hash.copy().digest('hex').slice(0, IMAGE_ID_LENGTH);
  }

  // Length-prefixed fields, so that no two different input lists hash alike.
  private entry(kind: string, label: string, data: Buffer): this {
    const head = Buffer.from(`${kind}\0${label}\0${data.length}\0`, 'utf8');
    this.hash.update(head).update(data);
    return this;
  }
}

function filesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...filesUnder(path));
    else out.push(path);
  }
  return out;
}
