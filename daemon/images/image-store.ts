// The images directory (<lab dir>/images/ by default): one directory per
// built image, named <kind>-<id> and holding the disk, the kernel, the initrd
// and image.json; builds in progress under .work/ (renamed into place when
// they succeed, so a half-built image is never found); build logs under
// logs/; debian-refresh, when the base last took Debian's current packages.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { ImageRole } from './role-image.ts';

export type ImageKind = 'base' | ImageRole;
export const IMAGE_KINDS: readonly ImageKind[] = ['base', 'pr', 'pv'];

const manifestSchema = z
  .object({
    kind: z.enum(['base', 'pr', 'pv']),
    id: z.string().regex(/^[0-9a-f]{16}$/),
    disk: z.string().min(1),
    kernel: z.string().min(1),
    initrd: z.string().min(1),
    cmdline: z.string(),
    builtMs: z.number().int().nonnegative(),
    buildDurationMs: z.number().int().nonnegative(),
    /** The base image a role image was built from. */
    baseId: z.string().optional(),
  })
  .strict();

export type ImageManifest = z.infer<typeof manifestSchema>;

export interface StoredImage extends ImageManifest {
  dir: string;
  /** Bytes on the host's disk of everything in the image's directory. */
  sizeBytes: number;
}

const MANIFEST = 'image.json';
const DEBIAN_REFRESH = 'debian-refresh';

export class ImageStore {
  constructor(readonly dir: string) {}

  get logDir(): string {
    return join(this.dir, 'logs');
  }

  logFile(kind: ImageKind, id: string): string {
    return join(this.logDir, `${kind}-${id}.log`);
  }

  /** The image of `kind` built from inputs `id`, if it is complete. */
  find(kind: ImageKind, id: string): StoredImage | undefined {
    return this.read(join(this.dir, `${kind}-${id}`));
  }

  /**
   * When the base image was last asked to take Debian's current packages
   * (ms, 0 if never). It is one of the base image's inputs: the recipe names
   * packages, not versions, so without it a base never picks up updates.
   */
  debianRefreshMs(): number {
    const path = join(this.dir, DEBIAN_REFRESH);
    if (!existsSync(path)) return 0;
    const value = Number(readFileSync(path, 'utf8').trim());
    if (!Number.isSafeInteger(value) || value < 0) throw new Error(`${path} does not hold a time in ms: delete it or run spms images build --refresh`);
    return value;
  }

  /** Asks the next build for a base image from Debian's current packages. */
  markDebianRefresh(nowMs: number): void {
    mkdirSync(this.dir, { recursive: true });
    writeFileSync(join(this.dir, DEBIAN_REFRESH), `${nowMs}\n`);
  }

  /** Every complete image, newest first. */
  list(): StoredImage[] {
    if (!existsSync(this.dir)) return [];
    return readdirSync(this.dir, { withFileTypes: true })
      .filter((e) => e.isDirectory() && /^(base|pr|pv)-[0-9a-f]{16}$/.test(e.name))
      .flatMap((e) => this.read(join(this.dir, e.name)) ?? [])
      .sort((a, b) => b.builtMs - a.builtMs);
  }

  /** A fresh directory for a build step, named after the building process so that prune can tell abandoned ones. */
  workDir(label: string): string {
    const dir = join(this.dir, '.work', `${label}-${process.pid}-${Date.now()}`);
    mkdirSync(dir, { recursive: true });
    mkdirSync(this.logDir, { recursive: true });
    return dir;
  }

  /** Makes the finished image in `imageDir` (files named relative to it in `manifest`) the image of its kind and id. */
  commit(imageDir: string, manifest: ImageManifest): StoredImage {
    writeFileSync(join(imageDir, MANIFEST), `${JSON.stringify(manifest, null, 2)}\n`);
    const final = join(this.dir, `${manifest.kind}-${manifest.id}`);
    rmSync(final, { recursive: true, force: true });
    renameSync(imageDir, final);
    const stored = this.read(final);
    if (stored === undefined) throw new Error(`the image just written to ${final} cannot be read back`);
    return stored;
  }

  remove(image: StoredImage): void {
    rmSync(image.dir, { recursive: true, force: true });
    rmSync(this.logFile(image.kind, image.id), { force: true });
  }

  /** Work directories whose building process is gone. */
  abandonedWork(): string[] {
    const work = join(this.dir, '.work');
    if (!existsSync(work)) return [];
    return readdirSync(work)
      .filter((name) => {
        const pid = Number(/-(\d+)-\d+$/.exec(name)?.[1] ?? NaN);
        return !Number.isInteger(pid) || !processAlive(pid);
      })
      .map((name) => join(work, name));
  }

  private read(dir: string): StoredImage | undefined {
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(join(dir, MANIFEST), 'utf8'));
    } catch {
      return undefined;
    }
    const parsed = manifestSchema.safeParse(raw);
    if (!parsed.success) return undefined;
    const m = parsed.data;
    const files = [m.disk, m.kernel, m.initrd].map((f) => join(dir, f));
    if (!files.every((f) => existsSync(f))) return undefined;
    return { ...m, dir, disk: files[0] as string, kernel: files[1] as string, initrd: files[2] as string, sizeBytes: diskUsage(dir) };
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Allocated bytes (qcow2 and sparse files count for what they hold); hard links shared with another image count in each. */
function diskUsage(dir: string): number {
  return readdirSync(dir).reduce((sum, name) => sum + statSync(join(dir, name)).blocks * 512, 0);
}
