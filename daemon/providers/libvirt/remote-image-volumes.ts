// The role images on a remote libvirt host. A VM there cannot use the files
// of this machine's image cache, so the lab uploads each role image into its
// pool on that host, through the libvirt connection: the qcow2 (the backing
// file of the nodes' overlays) and the kernel and initrd of the direct kernel
// boot, as raw volumes. An upload is kept for later deploys as long as the
// image's id is unchanged; a new id replaces it. The volumes carry the lab id
// but not the lab's name prefix, so that teardown, which removes every
// volume with that prefix, leaves them for the next deploy; they are
// recorded in the lab's created.json (incomplete until the last byte
// arrived), and pruning the images removes them.
import { statSync } from 'node:fs';
import type { ImageRole, RoleImage } from '../../images/role-image.ts';
import type { TaskHandle } from '../../tasks/task-handle.ts';
import { hostLabel } from './accelerator.ts';
import type { CreatedResources, CreatedResourcesFile } from './created-resources.ts';
import type { Virsh } from './virsh.ts';

/** The paths of an image's files on its host, as the domain XML names them. */
export interface ImageFiles {
  disk: string;
  kernel: string;
  initrd: string;
}

export type UploadedImage = CreatedResources['images'][number];

/** How often the upload's progress goes to the task's log. */
const LOG_EVERY_MS = 5000;

export function imageVolumeNames(labId: string, role: ImageRole, imageId: string): ImageFiles {
  if (!/^[A-Za-z0-9]{8,}$/.test(imageId)) throw new RangeError(`an image id is a content hash, not "${imageId}"`);
  const base = `spms-image-${labId}-${role}-${imageId.slice(0, 16)}`;
  return { disk: `${base}.qcow2`, kernel: `${base}.vmlinuz`, initrd: `${base}.initrd` };
}

const MiB = (bytes: number): string => (bytes / 2 ** 20).toFixed(0);

export class RemoteImageVolumes {
  constructor(
    private readonly created: CreatedResourcesFile,
    private readonly labId: string,
  ) {}

  /**
   * The image's files in `pool` on the host of `virsh`, uploaded unless an
   * earlier deploy left them complete; uploads of the role under another
   * image id are removed. The upload is a step of `task`, its progress the
   * task's 0..1; `signal` (default: the task's) stops it.
   */
  async ensure(virsh: Virsh, pool: string, image: RoleImage, task: TaskHandle, signal: AbortSignal = task.signal): Promise<ImageFiles> {
    const names = imageVolumeNames(this.labId, image.role, image.id);
    const wanted = [names.disk, names.kernel, names.initrd];
    const host = virsh.uri;
    const label = hostLabel(host);
    const present = await virsh.volumeNames(pool);
    const isThis = (r: UploadedImage): boolean => r.uri === host && r.pool === pool && r.role === image.role && r.id === image.id;
    const recorded = this.created.read().images.find(isThis);
    if (recorded?.complete === true && wanted.every((v) => present.includes(v))) {
      task.log(`${label}: the ${image.role} image ${image.id.slice(0, 12)} is in the pool ${pool} already`);
    } else {
      // What an interrupted upload left is not to be trusted.
      for (const v of wanted) if (present.includes(v)) await virsh.volumeDelete(pool, v);
      this.created.update((r) => {
        r.images = [...r.images.filter((x) => !isThis(x)), { uri: host, pool, role: image.role, id: image.id, volumes: wanted, complete: false }];
      });
      await this.upload(virsh, pool, image, names, task, signal);
      this.created.update((r) => {
        for (const x of r.images) if (isThis(x)) x.complete = true;
      });
    }
    for (const stale of this.created.read().images.filter((r) => r.uri === host && r.pool === pool && r.role === image.role && r.id !== image.id)) {
      await this.remove(virsh, stale);
      task.log(`${label}: the out-of-date ${image.role} image ${stale.id.slice(0, 12)} removed from the pool ${pool}`);
    }
    return { disk: await virsh.volumePath(pool, names.disk), kernel: await virsh.volumePath(pool, names.kernel), initrd: await virsh.volumePath(pool, names.initrd) };
  }

  private async upload(virsh: Virsh, pool: string, image: RoleImage, names: ImageFiles, task: TaskHandle, signal: AbortSignal): Promise<void> {
    const files = [
      { file: image.disk, volume: names.disk },
      { file: image.kernel, volume: names.kernel },
      { file: image.initrd, volume: names.initrd },
    ].map((f) => ({ ...f, bytes: statSync(f.file).size }));
    const total = files.reduce((sum, f) => sum + f.bytes, 0);
    task.step(`upload the ${image.role} image to ${hostLabel(virsh.uri)}`);
    task.log(`${hostLabel(virsh.uri)}: uploading the ${image.role} image ${image.id.slice(0, 12)} (${MiB(total)} MiB) into the pool ${pool}`);
    const started = Date.now();
    let done = 0;
    let logged = started;
    for (const f of files) {
      await virsh.volumeCreateRaw(pool, f.volume, f.bytes);
      await virsh.volumeUpload(pool, f.volume, f.file, {
        signal,
        progress: (sent) => {
          const all = done + sent;
          task.progress(total === 0 ? 1 : all / total);
          if (Date.now() - logged >= LOG_EVERY_MS) {
            logged = Date.now();
            task.log(`${hostLabel(virsh.uri)}: ${MiB(all)} of ${MiB(total)} MiB of the ${image.role} image sent`);
          }
        },
      });
      done += f.bytes;
    }
    const s = (Date.now() - started) / 1000;
    task.log(`${hostLabel(virsh.uri)}: the ${image.role} image uploaded, ${MiB(total)} MiB in ${s.toFixed(1)} s (${(total / 2 ** 20 / Math.max(s, 0.001)).toFixed(0)} MiB/s)`);
  }

  /** Removes an upload's volumes that are still there, and its record. */
  async remove(virsh: Virsh, upload: UploadedImage): Promise<void> {
    const present = await virsh.volumeNames(upload.pool);
    for (const v of upload.volumes) if (present.includes(v)) await virsh.volumeDelete(upload.pool, v);
    this.created.update((r) => {
      r.images = r.images.filter((x) => !(x.uri === upload.uri && x.pool === upload.pool && x.role === upload.role && x.id === upload.id));
    });
  }
}
