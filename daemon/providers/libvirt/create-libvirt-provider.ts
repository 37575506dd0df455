// The libvirt provider as the daemon creates it: role images from the image
// builder in <labDir>/images unless the daemon shares its own.
import { join } from 'node:path';
import { ImageBuilder } from '../../images/image-builder.ts';
import type { RoleImages } from '../../images/role-image.ts';
import type { ProviderContext } from '../provider.ts';
import { LibvirtProvider } from './libvirt-provider.ts';
import type { LibvirtSettings } from './libvirt-settings.ts';

export function createLibvirtProvider(ctx: ProviderContext, settings: LibvirtSettings, images?: RoleImages): LibvirtProvider {
  return new LibvirtProvider(ctx, settings, images ?? new ImageBuilder({ dir: join(ctx.labDir, 'images') }));
}
