// The lab's libvirt NAT network (NAT mode): a subnet such as 10.20.3.0/24
// with the host at .1, and a DHCP range whose first addresses are fixed to
// the lab's nodes by MAC address, so each node's address is known before it
// boots and can go into the certificates.
import { xmlEscape as x } from './xml-text.ts';

export class SubnetError extends Error {
  readonly code = 'subnet-invalid';
  constructor(
    message: string,
    /** Whether the subnet is no subnet, or one without room for the lab. */
    readonly reason: 'malformed' | 'too-small' = 'malformed',
  ) {
    super(message);
    this.name = 'SubnetError';
  }
}

export interface SubnetPlan {
  gateway: string;
  prefix: number;
  dhcpStart: string;
  dhcpEnd: string;
  /** One fixed address per node, in the order asked. */
  hosts: string[];
}

function toInt(ip: string): number {
  const parts = ip.split('.').map(Number);
  if (parts.length !== 4 || parts.some((p) => !Number.isInteger(p) || p < 0 || p > 255)) throw new SubnetError(`"${ip}" is not an IPv4 address`);
  return parts.reduce((n, p) => n * 256 + p, 0);
}

function toIp(n: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(n / 2 ** shift) % 256).join('.');
}

/** The gateway, the DHCP range and `count` fixed node addresses of `subnet` ("a.b.c.d/prefix"). */
export function planSubnet(subnet: string, count: number): SubnetPlan {
  const m = /^(\d{1,3}(?:\.\d{1,3}){3})\/(\d{1,2})$/.exec(subnet);
  if (m === null) throw new SubnetError(`"${subnet}" is not an IPv4 subnet such as 10.20.3.0/24`);
  const prefix = Number(m[2]);
  if (prefix < 8 || prefix > 29) throw new SubnetError(`the prefix of ${subnet} must be between 8 and 29`);
  const size = 2 ** (32 - prefix);
  const base = toInt(m[1] ?? '');
  if (base % size !== 0) throw new SubnetError(`${subnet} has host bits set: the network address is ${toIp(base - (base % size))}/${prefix}`);
  // .1 is the host; the nodes take the addresses after it, the rest of the range stays dynamic.
  const first = base + 2;
  const last = base + size - 2;
  if (first + count - 1 > last) throw new SubnetError(`${subnet} has room for ${last - first + 1} VMs, the lab needs ${count}`, 'too-small');
  return {
    gateway: toIp(base + 1),
    prefix,
    dhcpStart: toIp(first),
    dhcpEnd: toIp(last),
    hosts: Array.from({ length: count }, (_, i) => toIp(first + i)),
  };
}

export interface NatNetworkSpec {
  name: string;
  subnet: string;
  nodes: { name: string; mac: string }[];
}

export function natNetworkXml(spec: NatNetworkSpec): string {
  const plan = planSubnet(spec.subnet, spec.nodes.length);
  const hosts = spec.nodes.map((n, i) => `        <host mac='${x(n.mac)}' name='${x(n.name)}' ip='${x(plan.hosts[i] ?? '')}'/>\n`).join('');
  return (
    `<network>\n` +
    `  <name>${x(spec.name)}</name>\n` +
    `  <forward mode='nat'/>\n` +
    `  <ip address='${plan.gateway}' prefix='${plan.prefix}'>\n` +
    `    <dhcp>\n      <range start='${plan.dhcpStart}' end='${plan.dhcpEnd}'/>\n${hosts}    </dhcp>\n` +
    `  </ip>\n` +
    `</network>\n`
  );
}
