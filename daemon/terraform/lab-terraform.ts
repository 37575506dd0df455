// A lab's Terraform export from what the lab keeps: its state (topology and
// libvirt settings), its SSH key and its built images. The daemon's
// GET /api/lab/terraform and `spms lab export-terraform` both go through here.
import { existsSync, readFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { ImageStore } from '../images/image-store.ts';
import type { ImageRole, RoleImage } from '../images/role-image.ts';
import { chooseAccelerator, readHostVirtFacts } from '../providers/libvirt/accelerator.ts';
import { parseLibvirtSettings } from '../providers/libvirt/libvirt-settings.ts';
import type { Topology } from '../state/topology.ts';
import { terraformVars, type TerraformExport } from './terraform-vars.ts';

/** The public half of the key the lab's VMs accept for root. */
export function labSshPublicKeyFile(labDir: string): string {
  return join(labDir, 'ssh', 'id_ed25519.pub');
}

/** Where `spms lab export-terraform` writes by default. */
export function defaultTfvarsFile(labDir: string): string {
  return join(labDir, 'terraform', 'terraform.tfvars.json');
}

export interface LabTerraformSource {
  topology: Topology;
  provider: { kind: string; settings: Record<string, unknown> };
}

/** The newest built image of each role in the lab's image store. */
function newestImages(labDir: string): Partial<Record<ImageRole, RoleImage>> {
  const images: Partial<Record<ImageRole, RoleImage>> = {};
  for (const stored of new ImageStore(join(labDir, 'images')).list()) {
    if (stored.kind === 'base' || images[stored.kind] !== undefined) continue;
    const { kind, id, disk, kernel, initrd, cmdline, builtMs, sizeBytes } = stored;
    images[kind] = { role: kind, id, disk, kernel, initrd, cmdline, builtMs, sizeBytes };
  }
  return images;
}

/** `images` overrides the lab's newest built ones (e.g. the images a deploy ensured). */
export function labTerraformExport(labDir: string, state: LabTerraformSource, images?: Partial<Record<ImageRole, RoleImage>>): TerraformExport {
  const settings = parseLibvirtSettings(state.provider.settings.libvirt);
  const keyFile = labSshPublicKeyFile(labDir);
  const result = terraformVars({
    topology: state.topology,
    settings,
    labDir,
    images: images ?? newestImages(labDir),
    sshPublicKey: existsSync(keyFile) ? readFileSync(keyFile, 'utf8') : '',
    probedAccelerator: settings.accelerator === 'auto' ? chooseAccelerator('auto', readHostVirtFacts()).accelerator : undefined,
    localHost: hostname(),
  });
  if (state.provider.kind !== 'libvirt') result.notes.unshift(`the lab runs with the ${state.provider.kind} provider: the export uses its libvirt settings (the defaults unless set in the panel)`);
  return result;
}
