// Builds and caches the lab's VM images: the base image (vm-images/base,
// mmdebstrap) and the PR and PV role images (vm-images/role, Packer's qemu
// builder booting the base image), each under the hash of its inputs in the
// images directory. An image is rebuilt only when one of its inputs changed.
// One build runs at a time: the builds boot emulated VMs that compete for the
// same cores.
import { spawnSync } from 'node:child_process';
import { chmodSync, createWriteStream, linkSync, copyFileSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ssh2 from 'ssh2';
import type { TaskHandle } from '../tasks/task-handle.ts';
import { BASE_MILESTONES, milestone, ROLE_MILESTONES, type Milestones } from './build-milestones.ts';
import { ImageStore, type ImageKind, type StoredImage } from './image-store.ts';
import { InputHash } from './input-hash.ts';
import { parsePackerLine, uiLines } from './packer-output.ts';
import type { ImageRole, RoleImage, RoleImages } from './role-image.ts';
import { buildServiceBundle } from './service-bundle.ts';
import { ImageToolError, runTool } from './tool-process.ts';
import { withinRange } from './task-range.ts';

export const DEFAULT_RECIPES = fileURLToPath(new URL('../../vm-images/', import.meta.url));
/**
 * Kernel command line of every image (the per-VM `spms.ssh=` is added by
 * whoever boots it). Quiet: under software emulation every character on the
 * serial console costs the VM's CPU; warnings, errors and systemd's failed
 * units still reach the serial log.
 */
export const IMAGE_CMDLINE = 'root=/dev/vda rw console=ttyS0 quiet systemd.show_status=error';
/** QEMU's -accel for the VM that provisions a role image; TCG with a small code cache works everywhere. */
export const DEFAULT_BUILD_ACCEL = 'tcg,thread=multi,tb-size=64';

/** The steps an image build declares on its task. */
export const IMAGE_STEPS = {
  base: 'build the base image',
  bundle: 'bundle the services',
  role: (role: ImageRole) => `build the ${role} image`,
} as const;

/** Share of a cold role image build's time that goes to the base image (measured: ~80 s of ~155 s). */
const BASE_SHARE = 0.5;

export interface ImageBuilderOptions {
  /** The images directory (`<lab dir>/images`). */
  dir: string;
  /** The recipes (default: this checkout's vm-images/). */
  recipes?: string;
  /** The Node.js runtime the guests get (default: the one running this process; the native addons are built for it). */
  nodeBinary?: string;
  /** QEMU -accel value for the provisioning VM. */
  buildAccel?: string;
  /** Size of the root file system (the qcow2 grows only as it is written). */
  diskSize?: string;
}

interface Plan {
  baseId: string;
  base?: StoredImage;
}

export class ImageBuilder implements RoleImages {
  readonly store: ImageStore;
  private readonly recipes: string;
  private readonly nodeBinary: string;
  private readonly buildAccel: string;
  private readonly diskSize: string;
  private versions: Record<string, string> | undefined;
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: ImageBuilderOptions) {
    this.store = new ImageStore(options.dir);
    this.recipes = options.recipes ?? DEFAULT_RECIPES;
    this.nodeBinary = options.nodeBinary ?? process.execPath;
    this.buildAccel = options.buildAccel ?? DEFAULT_BUILD_ACCEL;
    this.diskSize = options.diskSize ?? '4G';
  }

  /** The role's image, building the base image first when it is missing too. */
  ensure(role: ImageRole, task: TaskHandle): Promise<RoleImage> {
    return this.exclusive(async () => {
      const plan = this.plan();
      const baseShare = plan.base === undefined ? BASE_SHARE : 0;
      const base = plan.base ?? (await this.buildBase(plan.baseId, withinRange(task, 0, baseShare)));
      const image = await this.buildRole(role, base, withinRange(task, baseShare, 1));
      return toRoleImage(role, image);
    });
  }

  /** The base image, built when missing. */
  ensureBase(task: TaskHandle): Promise<StoredImage> {
    return this.exclusive(async () => {
      const plan = this.plan();
      return plan.base ?? this.buildBase(plan.baseId, task);
    });
  }

  list(): StoredImage[] {
    return this.store.list();
  }

  /** Makes the next build take Debian's current packages (security updates): a new base, then new role images. */
  refreshDebian(nowMs = Date.now()): void {
    this.store.markDebianRefresh(nowMs);
  }

  /** Removes every image that current inputs would not use, the logs of removed images and abandoned build directories. */
  prune(): Promise<string[]> {
    return this.exclusive(async () => {
      const baseId = this.plan().baseId;
      const bundleDir = this.store.workDir('bundle');
      try {
        const app = await buildServiceBundle(bundleDir);
        const current = new Set([`base-${baseId}`, ...(['pr', 'pv'] as const).map((r) => `${r}-${this.roleId(r, baseId, app)}`)]);
        const removed: string[] = [];
        for (const image of this.store.list()) {
          if (current.has(`${image.kind}-${image.id}`)) continue;
          this.store.remove(image);
          removed.push(image.dir);
        }
        for (const dir of this.store.abandonedWork()) {
          rmSync(dir, { recursive: true, force: true });
          removed.push(dir);
        }
        if (existsSync(this.store.logDir)) {
          for (const name of readdirSync(this.store.logDir)) {
            const image = /^([a-z]+-[0-9a-f]{16})\./.exec(name)?.[1];
            if (image !== undefined && !current.has(image)) {
              rmSync(join(this.store.logDir, name), { force: true });
              removed.push(join(this.store.logDir, name));
            }
          }
        }
        return removed;
      } finally {
        rmSync(bundleDir, { recursive: true, force: true });
      }
    });
  }

  /** The id current inputs give each kind of image (builds the service bundle to hash it). */
  currentIds(): Promise<Record<ImageKind, string>> {
    return this.exclusive(async () => {
      const baseId = this.plan().baseId;
      const bundleDir = this.store.workDir('bundle');
      try {
        const app = await buildServiceBundle(bundleDir);
        return { base: baseId, pr: this.roleId('pr', baseId, app), pv: this.roleId('pv', baseId, app) };
      } finally {
        rmSync(bundleDir, { recursive: true, force: true });
      }
    });
  }

  private exclusive<T>(body: () => Promise<T>): Promise<T> {
    const run = this.queue.then(body, body);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private plan(): Plan {
    const inputs = new InputHash()
      .tree('base', join(this.recipes, 'base'))
      .file('node', this.nodeBinary)
      .text('tools', JSON.stringify(this.toolVersions()))
      .text('disk-size', this.diskSize)
      .text('cmdline', IMAGE_CMDLINE)
      .text('mirrors', `${process.env.SPMS_DEBIAN_MIRROR ?? ''} ${process.env.SPMS_DEBIAN_SECURITY_MIRROR ?? ''}`);
    // Only once a refresh was asked for, so that labs that never asked keep their images.
    const refreshed = this.store.debianRefreshMs();
    if (refreshed > 0) inputs.text('debian-refresh', String(refreshed));
    const baseId = inputs.id();
    const base = this.store.find('base', baseId);
    return base === undefined ? { baseId } : { baseId, base };
  }

  private roleId(role: ImageRole, baseId: string, app: string): string {
    return new InputHash()
      .text('role', role)
      .text('base', baseId)
      .tree('role', join(this.recipes, 'role'))
      .tree('bundle', app)
      .text('packer', this.toolVersions().packer ?? '')
      .text('accel', this.buildAccel)
      .id();
  }

  /** Versions of the build tools (part of the inputs); a missing tool is an error naming its Debian package. */
  private toolVersions(): Record<string, string> {
    this.versions ??= Object.fromEntries(
      (
        [
          ['mmdebstrap', ['--version'], 'mmdebstrap'],
          ['mke2fs', ['-V'], 'e2fsprogs'],
          ['qemu-img', ['--version'], 'qemu-utils'],
          ['qemu-system-x86_64', ['--version'], 'qemu-system-x86'],
          ['packer', ['version'], 'packer'],
        ] as const
      ).map(([tool, args, pkg]) => {
        const r = spawnSync(tool, args, { encoding: 'utf8', env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin`, CHECKPOINT_DISABLE: '1' } });
        if (r.error !== undefined || r.status !== 0) throw new ImageToolError(tool, `is missing or broken (Debian package ${pkg}; scripts/setup.sh --vm installs it)`, []);
        return [tool, `${r.stdout}${r.stderr}`.split('\n')[0]?.trim() ?? ''];
      }),
    );
    return this.versions;
  }

  private async buildBase(id: string, task: TaskHandle): Promise<StoredImage> {
    task.step(IMAGE_STEPS.base);
    task.log(`base image ${id}: building (Debian 12 with mmdebstrap)`);
    const started = Date.now();
    const work = this.store.workDir(`base-${id}`);
    const log = createWriteStream(this.store.logFile('base', id));
    try {
      await runTool({
        name: 'the base image build (vm-images/base/build-base.sh)',
        command: 'bash',
        args: [join(this.recipes, 'base', 'build-base.sh'), work, this.nodeBinary, this.diskSize],
        env: { ...process.env, PATH: `${process.env.PATH ?? ''}:/usr/sbin:/sbin` },
        signal: task.signal,
        onLine: (line) => {
          log.write(`${line}\n`);
          task.log(line);
          progressAt(task, BASE_MILESTONES, line);
        },
      });
      const image = this.store.commit(work, {
        kind: 'base',
        id,
        disk: 'rootfs.qcow2',
        kernel: 'vmlinuz',
        initrd: 'initrd.img',
        cmdline: IMAGE_CMDLINE,
        builtMs: Date.now(),
        buildDurationMs: Date.now() - started,
      });
      task.log(`base image ${id}: built in ${seconds(image.buildDurationMs)}, ${mib(image.sizeBytes)}`);
      task.progress(1);
      return image;
    } catch (e) {
      rmSync(work, { recursive: true, force: true });
      throw withLog(e, this.store.logFile('base', id));
    } finally {
      log.end();
    }
  }

  private async buildRole(role: ImageRole, base: StoredImage, task: TaskHandle): Promise<StoredImage> {
    task.step(IMAGE_STEPS.bundle);
    const bundleDir = this.store.workDir(`bundle-${role}`);
    try {
      const app = await buildServiceBundle(bundleDir);
      const id = this.roleId(role, base.id, app);
      const cached = this.store.find(role, id);
      if (cached !== undefined) {
        task.log(`${role} image ${id}: up to date (built ${new Date(cached.builtMs).toISOString()})`);
        task.progress(1);
        return cached;
      }
      return await this.provision(role, id, base, bundleDir, task);
    } finally {
      rmSync(bundleDir, { recursive: true, force: true });
    }
  }

  private async provision(role: ImageRole, id: string, base: StoredImage, bundleDir: string, task: TaskHandle): Promise<StoredImage> {
    task.step(IMAGE_STEPS.role(role));
    task.log(`${role} image ${id}: building with Packer from base image ${base.id}`);
    const started = Date.now();
    const work = this.store.workDir(`${role}-${id}`);
    const logFile = this.store.logFile(role, id);
    const log = createWriteStream(logFile);
    try {
      const tarball = join(work, 'spms-bundle.tar');
      await runTool({ name: 'tar (service bundle)', command: 'tar', args: ['-C', bundleDir, '-cf', tarball, 'app'], signal: task.signal, onLine: (l) => task.log(l) });
      // A key for this build only: the provisioning VM is reachable with it until the build ends.
      const key = ssh2.utils.generateKeyPairSync('ed25519');
      const keyFile = join(work, 'build-key');
      writeFileSync(keyFile, key.private, { mode: 0o600 });
      chmodSync(keyFile, 0o600);
      const out = join(work, 'out');
      const vars: Record<string, string> = {
        role,
        base_disk: base.disk,
        kernel: base.kernel,
        initrd: base.initrd,
        cmdline: IMAGE_CMDLINE,
        ssh_authorized_key: Buffer.from(key.public.trim(), 'utf8').toString('base64url'),
        ssh_private_key_file: keyFile,
        bundle_tarball: tarball,
        output_dir: out,
        serial_log: `${logFile.slice(0, -'.log'.length)}.serial.log`,
        accel: this.buildAccel,
      };
      await runTool({
        name: `packer (the ${role} image)`,
        command: 'packer',
        args: ['build', '-machine-readable', ...Object.entries(vars).flatMap(([k, v]) => ['-var', `${k}=${v}`]), join(this.recipes, 'role', 'role.json')],
        cwd: work,
        env: { ...process.env, CHECKPOINT_DISABLE: '1', PACKER_CACHE_DIR: join(work, 'packer_cache') },
        signal: task.signal,
        onLine: (line) => {
          log.write(`${line}\n`);
          const record = parsePackerLine(line);
          if (record === undefined) {
            task.log(line);
            return;
          }
          if (record.type !== 'ui') return;
          for (const text of uiLines(record)) {
            task.log(text);
            progressAt(task, ROLE_MILESTONES, text);
          }
        },
        errorText: (line) => {
          const record = parsePackerLine(line);
          if (record === undefined) return line;
          return record.type === 'ui' ? uiLines(record).join('\n') : undefined;
        },
      });
      const image = join(work, 'image');
      mkdirSync(image);
      renameSync(join(out, 'disk.qcow2'), join(image, 'disk.qcow2'));
      linkOrCopy(base.kernel, join(image, 'vmlinuz'));
      linkOrCopy(base.initrd, join(image, 'initrd.img'));
      const stored = this.store.commit(image, {
        kind: role,
        id,
        disk: 'disk.qcow2',
        kernel: 'vmlinuz',
        initrd: 'initrd.img',
        cmdline: IMAGE_CMDLINE,
        builtMs: Date.now(),
        buildDurationMs: Date.now() - started,
        baseId: base.id,
      });
      task.log(`${role} image ${id}: built in ${seconds(stored.buildDurationMs)}, ${mib(statSync(stored.disk).size)} disk`);
      task.progress(1);
      return stored;
    } catch (e) {
      throw withLog(e, logFile);
    } finally {
      log.end();
      rmSync(work, { recursive: true, force: true });
    }
  }
}

function toRoleImage(role: ImageRole, image: StoredImage): RoleImage {
  return { role, id: image.id, disk: image.disk, kernel: image.kernel, initrd: image.initrd, cmdline: image.cmdline, builtMs: image.builtMs, sizeBytes: image.sizeBytes };
}

function progressAt(task: TaskHandle, milestones: Milestones, line: string): void {
  const fraction = milestone(milestones, line);
  if (fraction !== undefined) task.progress(fraction);
}

/** The kernel and initrd are the base image's: shared by hard link where the file system allows. */
function linkOrCopy(from: string, to: string): void {
  try {
    linkSync(from, to);
  } catch {
    copyFileSync(from, to);
  }
}

function withLog(e: unknown, logFile: string): unknown {
  if (e instanceof ImageToolError) return new ImageToolError(e.tool, `${e.reason} (full log: ${logFile})`, e.lastLines);
  return e;
}

const seconds = (ms: number): string => `${(ms / 1000).toFixed(1)} s`;
const mib = (bytes: number): string => `${(bytes / 2 ** 20).toFixed(0)} MiB`;
