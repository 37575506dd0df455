// How each node is reached, from the daemon and from the other guests.
//
// User mode: every VM has its own QEMU user-mode network. The daemon reaches
// a node through loopback port forwards (SSH, HTTPS, MQTT). The PR keeps
// restrict=on: it only answers its forwards. A PV must reach the PR, which
// restrict=on forbids, so PVs run with restrict=off and reach the PR at
// 10.0.2.2, user-mode networking's alias for the host's loopback, on the
// PR's forwarded ports. (guestfwd to a command is not an option under
// libvirt, whose QEMU sandbox denies spawning; guestfwd to a chardev carries
// a single connection.) The PR's certificate therefore names 10.0.2.2.
//
// NAT mode: every VM has a fixed address on the lab's NAT network, and
// everyone, the daemon included, talks to the guests' own ports there.
import { createHash } from 'node:crypto';
import type { NodeRole } from '../provider.ts';
import type { DomainNetwork } from './domain-xml.ts';
import type { NatNetworkSpec } from './network-xml.ts';
import { planSubnet } from './network-xml.ts';
import type { NodeNames } from './vm-certificate.ts';
import type { VmPorts } from './vm-ports.ts';

/** The ports the services listen on inside every guest. */
export const GUEST_PORTS = { ssh: 22, https: 8443, mqtt: 8883 } as const;

/** The host's loopback as a user-mode guest sees it. */
export const USER_MODE_HOST_ALIAS = '10.0.2.2';

export interface NodeEndpoints {
  /** Where the daemon opens SSH. */
  ssh: { host: string; port: number };
  /** The node's HTTPS gateway as the daemon and users reach it. */
  url: string;
  /** PR only: its broker as the daemon and users reach it. */
  mqttUrl?: string;
  /** What the node's certificate must name. */
  names: NodeNames;
  network: DomainNetwork;
}

export interface LabEndpoints {
  nodes: Map<string, NodeEndpoints>;
  /** The PR as the PV guests reach it. */
  prForGuests: { url: string; mqttUrl: string };
  /** NAT mode: the network to create. */
  natNetwork?: NatNetworkSpec;
}

const LOOPBACK_NAMES: NodeNames = { ipAddresses: ['127.0.0.1'], dnsNames: ['localhost'] };

export function userModeEndpoints(nodes: { id: string; role: NodeRole }[], ports: Map<string, VmPorts>): LabEndpoints {
  const result = new Map<string, NodeEndpoints>();
  let prForGuests: LabEndpoints['prForGuests'] | undefined;
  for (const n of nodes) {
    const p = ports.get(n.id);
    if (p === undefined) throw new Error(`no ports were allocated for ${n.id}`);
    const forwards = [
      { hostPort: p.ssh, guestPort: GUEST_PORTS.ssh },
      { hostPort: p.https, guestPort: GUEST_PORTS.https },
      ...(p.mqtt === undefined ? [] : [{ hostPort: p.mqtt, guestPort: GUEST_PORTS.mqtt }]),
    ];
    const isPr = n.role === 'pr';
    if (isPr) {
      if (p.mqtt === undefined) throw new Error(`the PR ${n.id} has no MQTT port`);
      prForGuests = { url: `https://${USER_MODE_HOST_ALIAS}:${p.https}`, mqttUrl: `mqtts://${USER_MODE_HOST_ALIAS}:${p.mqtt}` };
    }
    result.set(n.id, {
      ssh: { host: '127.0.0.1', port: p.ssh },
      url: `https://127.0.0.1:${p.https}`,
      ...(isPr ? { mqttUrl: `mqtts://127.0.0.1:${p.mqtt}` } : {}),
      names: isPr ? { ipAddresses: [...LOOPBACK_NAMES.ipAddresses, USER_MODE_HOST_ALIAS], dnsNames: LOOPBACK_NAMES.dnsNames } : LOOPBACK_NAMES,
      network: { mode: 'user', forwards, restrict: isPr },
    });
  }
  if (prForGuests === undefined) throw new Error('the lab has no PR');
  return { nodes: result, prForGuests };
}

/** A locally administered MAC (52:54:00, QEMU's prefix) that stays the same for a node of a lab. */
export function nodeMac(labId: string, nodeId: string): string {
  const h = createHash('sha256').update(`${labId}/${nodeId}`).digest();
  return ['52', '54', '00', ...[0, 1, 2].map((i) => (h[i] ?? 0).toString(16).padStart(2, '0'))].join(':');
}

export function natEndpoints(nodes: { id: string; role: NodeRole }[], network: { name: string; subnet: string }, labId: string): LabEndpoints {
  const plan = planSubnet(network.subnet, nodes.length);
  const result = new Map<string, NodeEndpoints>();
  let prForGuests: LabEndpoints['prForGuests'] | undefined;
  const hosts = nodes.map((n, i) => ({ ...n, ip: plan.hosts[i] ?? '', mac: nodeMac(labId, n.id) }));
  for (const n of hosts) {
    const isPr = n.role === 'pr';
    const url = `https://${n.ip}:${GUEST_PORTS.https}`;
    if (isPr) prForGuests = { url, mqttUrl: `mqtts://${n.ip}:${GUEST_PORTS.mqtt}` };
    result.set(n.id, {
      ssh: { host: n.ip, port: GUEST_PORTS.ssh },
      url,
      ...(isPr ? { mqttUrl: `mqtts://${n.ip}:${GUEST_PORTS.mqtt}` } : {}),
      names: { ipAddresses: [n.ip, ...LOOPBACK_NAMES.ipAddresses], dnsNames: LOOPBACK_NAMES.dnsNames },
      network: { mode: 'nat', network: network.name, mac: n.mac },
    });
  }
  if (prForGuests === undefined) throw new Error('the lab has no PR');
  return { nodes: result, prForGuests, natNetwork: { name: network.name, subnet: network.subnet, nodes: hosts.map((h) => ({ name: h.id, mac: h.mac })) } };
}
