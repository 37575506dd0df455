// What the lab created on its libvirt hosts, kept in a file so that a
// teardown after a failed deploy, or after the daemon restarted, still
// removes it: the hosts it used, the networks and pools it created (a
// network or pool that was there before is used, never removed), and the
// owners of the image files its VMs were given, to put back if libvirt's
// dynamic ownership changed them, and the role images it uploaded to remote
// hosts (kept for later deploys; `complete` only once every byte arrived).
// Domains and the nodes' volumes need no record: they carry the lab's name
// prefix (and domains the lab id in their metadata).
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { z } from 'zod';

const schema = z
  .object({
    hosts: z.array(z.string()).default([]),
    networks: z.array(z.object({ uri: z.string(), name: z.string() }).strict()).default([]),
    pools: z.array(z.object({ uri: z.string(), name: z.string() }).strict()).default([]),
    owners: z.array(z.object({ path: z.string(), uid: z.number().int(), gid: z.number().int() }).strict()).default([]),
    images: z.array(z.object({ uri: z.string(), pool: z.string(), role: z.enum(['pr', 'pv']), id: z.string(), volumes: z.array(z.string()), complete: z.boolean() }).strict()).default([]),
  })
  .strict();

export type CreatedResources = z.infer<typeof schema>;

export class CreatedResourcesFile {
  constructor(readonly path: string) {}

  read(): CreatedResources {
    const empty: CreatedResources = { hosts: [], networks: [], pools: [], owners: [], images: [] };
    if (!existsSync(this.path)) return empty;
    let raw: unknown;
    try {
      raw = JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (e) {
      throw new Error(`the record of the lab's libvirt resources ${this.path} is not JSON (${(e as Error).message}); remove what it named by hand (virsh net-list, pool-list) and delete it`, {
        cause: e,
      });
    }
    const parsed = schema.safeParse(raw);
    if (!parsed.success) throw new Error(`the record of the lab's libvirt resources ${this.path} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return parsed.data;
  }

  update(change: (r: CreatedResources) => void): CreatedResources {
    const r = this.read();
    change(r);
    const tmp = `${this.path}.${process.pid}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(r, null, 2)}\n`);
    renameSync(tmp, this.path);
    return r;
  }
}
