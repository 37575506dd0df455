// The loopback ports that user-mode networking forwards into each VM: SSH,
// the node's HTTPS gateway and, for the PR, its MQTT broker. Kept in a file
// so that a redeploy gives every node the ports it had (the URLs users and
// peers know stay valid) whenever they are still free.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);
const vmPortsSchema = z.object({ ssh: port, https: port, mqtt: port.optional() }).strict();
const fileSchema = z.record(z.string(), vmPortsSchema);

export type VmPorts = z.infer<typeof vmPortsSchema>;

function tryListen(wanted: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen({ host: '127.0.0.1', port: wanted, exclusive: true }, () => {
      const got = (server.address() as AddressInfo).port;
      server.close(() => resolve(got));
    });
  });
}

function readSaved(file: string): Record<string, VmPorts> {
  if (!existsSync(file)) return {};
  try {
    const parsed = fileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    // A damaged file only costs the nodes their previous ports.
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * Ports for each node, preferring the ones saved in `file`, recorded there.
 * A port is checked free when chosen; QEMU binds it when the VM starts, and
 * a port taken in between makes that start fail with a message naming it.
 */
export async function allocateVmPorts(file: string, nodes: { id: string; mqtt: boolean }[]): Promise<Map<string, VmPorts>> {
  const saved = readSaved(file);
  // Fresh ports avoid every saved one, so a node never takes the port another node is about to reuse.
  const reserved = new Set(Object.values(saved).flatMap((p) => [p.ssh, p.https, ...(p.mqtt === undefined ? [] : [p.mqtt])]));
  const assigned = new Set<number>();
  const pick = async (previous: number | undefined): Promise<number> => {
    if (previous !== undefined && !assigned.has(previous) && (await tryListen(previous)) !== undefined) {
      assigned.add(previous);
      return previous;
    }
    for (let attempt = 0; attempt < 100; attempt++) {
      const fresh = await tryListen(0);
      if (fresh !== undefined && !reserved.has(fresh) && !assigned.has(fresh)) {
        assigned.add(fresh);
        return fresh;
      }
    }
    throw new Error('no free port on 127.0.0.1');
  };
  const result = new Map<string, VmPorts>();
  for (const node of nodes) {
    const before = saved[node.id];
    const ssh = await pick(before?.ssh);
    const https = await pick(before?.https);
    result.set(node.id, node.mqtt ? { ssh, https, mqtt: await pick(before?.mqtt) } : { ssh, https });
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(Object.fromEntries(result), null, 2)}\n`);
  renameSync(tmp, file);
  return result;
}
