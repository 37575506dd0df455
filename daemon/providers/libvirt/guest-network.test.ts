import { describe, expect, it } from 'vitest';
import { natEndpoints, nodeMac, userModeEndpoints } from './guest-network.ts';

const nodes = [
  { id: 'PR', role: 'pr' as const },
  { id: 'PV1', role: 'pv' as const },
];

describe('user-mode endpoints', () => {
  it('forwards each node to loopback, keeps the PR restricted and lets PVs reach it at 10.0.2.2', () => {
    const lab = userModeEndpoints(
      nodes,
      new Map([
        ['PR', { ssh: 4001, https: 4002, mqtt: 4003 }],
        ['PV1', { ssh: 4011, https: 4012 }],
      ]),
    );
    expect(lab.prForGuests).toEqual({ url: 'https://10.0.2.2:4002', mqttUrl: 'mqtts://10.0.2.2:4003' });
    const pr = lab.nodes.get('PR');
    expect(pr).toMatchObject({ ssh: { host: '127.0.0.1', port: 4001 }, url: 'https://127.0.0.1:4002', mqttUrl: 'mqtts://127.0.0.1:4003' });
    expect(pr?.names.ipAddresses).toEqual(['127.0.0.1', '10.0.2.2']);
    expect(pr?.network).toEqual({
      mode: 'user',
      restrict: true,
      forwards: [
        { hostPort: 4001, guestPort: 22 },
        { hostPort: 4002, guestPort: 8443 },
        { hostPort: 4003, guestPort: 8883 },
      ],
    });
    expect(lab.nodes.get('PV1')?.network).toMatchObject({ mode: 'user', restrict: false });
    expect(lab.natNetwork).toBeUndefined();
  });

  it('refuses a lab without ports for a node', () => {
    expect(() => userModeEndpoints(nodes, new Map([['PR', { ssh: 1, https: 2, mqtt: 3 }]]))).toThrow(/no ports were allocated for PV1/);
  });
});

describe('NAT endpoints', () => {
  it('gives each node a fixed address and a stable MAC, and the PR its NAT address for the guests', () => {
    const lab = natEndpoints(nodes, { name: 'spms-lab', subnet: '10.20.3.0/24' }, 'abcd1234');
    expect(lab.prForGuests).toEqual({ url: 'https://10.20.3.2:8443', mqttUrl: 'mqtts://10.20.3.2:8883' });
    expect(lab.nodes.get('PV1')).toMatchObject({ ssh: { host: '10.20.3.3', port: 22 }, url: 'https://10.20.3.3:8443', network: { mode: 'nat', network: 'spms-lab', mac: nodeMac('abcd1234', 'PV1') } });
    expect(lab.nodes.get('PR')?.names.ipAddresses).toEqual(['10.20.3.2', '127.0.0.1']);
    expect(lab.natNetwork?.nodes).toEqual([
      { name: 'PR', mac: nodeMac('abcd1234', 'PR') },
      { name: 'PV1', mac: nodeMac('abcd1234', 'PV1') },
    ]);
    expect(nodeMac('abcd1234', 'PR')).toMatch(/^52:54:00(:[0-9a-f]{2}){3}$/);
    expect(nodeMac('abcd1234', 'PR')).not.toBe(nodeMac('abcd1234', 'PV1'));
  });
});
