// The loopback ports of the lab's nodes. They are kept in a file so that a
// redeploy gives every node the ports it had, and the URLs users, peers and
// bundles know stay valid, whenever those ports are still free.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { z } from 'zod';

const port = z.number().int().min(1).max(65535);
const portsFileSchema = z.record(z.string(), z.object({ http: port, mqtt: port.optional() }));

export type NodePorts = z.infer<typeof portsFileSchema>[string];

/** Whether `port` can be listened on at 127.0.0.1 (0: any free port), as the port obtained. */
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

function readPortsFile(file: string): Record<string, NodePorts> {
  if (!existsSync(file)) return {};
  try {
    const parsed = portsFileSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
    // A damaged file only costs the nodes their previous ports.
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

/**
 * Ports for each node (an MQTT port too where asked), preferring the ones in
 * `file`, and records the result there. A port is checked free when chosen;
 * another program could still take it before the node binds it, and the node
 * then fails to start with EADDRINUSE in its log.
 */
export async function allocateNodePorts<T extends { id: string; mqtt: boolean }>(file: string, nodes: T[]): Promise<(T & { ports: NodePorts })[]> {
  const saved = readPortsFile(file);
  // Fresh ports avoid every saved one, so a node never takes the port another node is about to reuse.
  const reserved = new Set(Object.values(saved).flatMap((p) => (p.mqtt === undefined ? [p.http] : [p.http, p.mqtt])));
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
  const result: (T & { ports: NodePorts })[] = [];
  for (const node of nodes) {
    const http = await pick(saved[node.id]?.http);
    result.push({ ...node, ports: node.mqtt ? { http, mqtt: await pick(saved[node.id]?.mqtt) } : { http } });
  }
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(Object.fromEntries(result.map((n) => [n.id, n.ports])), null, 2)}\n`);
  renameSync(tmp, file);
  return result;
}
