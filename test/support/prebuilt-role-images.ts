// Role images built elsewhere, laid out as the image builder writes them:
// DIR/pr and DIR/pv, each with disk.qcow2, vmlinuz, initrd.img and
// image.json. Lets a VM test boot images it does not build or rebuild.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRole, RoleImage, RoleImages } from '../../daemon/images/role-image.ts';

export class PrebuiltRoleImages implements RoleImages {
  constructor(private readonly dir: string) {}

  ensure(role: ImageRole): Promise<RoleImage> {
    const d = join(this.dir, role);
    const manifest = JSON.parse(readFileSync(join(d, 'image.json'), 'utf8')) as { id: string; cmdline: string; builtMs: number };
    const disk = join(d, 'disk.qcow2');
    return Promise.resolve({
      role,
      id: manifest.id,
      disk,
      kernel: join(d, 'vmlinuz'),
      initrd: join(d, 'initrd.img'),
      cmdline: manifest.cmdline,
      builtMs: manifest.builtMs,
      sizeBytes: statSync(disk).size,
    });
  }
}
