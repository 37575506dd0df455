// What test/vm/libvirt-nat.test.ts and its driver (libvirt-nat-deploy.ts)
// share: the names the lab gives libvirt, and the driver's results.

export const NAT_TEST_NETWORK = { name: 'spms-nat-test', subnet: '10.20.3.0/24' } as const;
export const NAT_TEST_POOL = 'spms-nat-test';

/** What the driver prints, one JSON object on stdout. */
export interface NatDeployResult {
  /** The accelerator chosen, and why. */
  accelerator: string;
  planNetwork: string;
  nodes: { id: string; health: string; url: string; mqttUrl?: string }[];
  /** Milliseconds from the start of the deploy: SSH answering, healthy, and the deploy's return. */
  times: { ssh: Record<string, number>; healthy: Record<string, number>; deployed: number };
  /** Per PV: whether the PR saw it connect to its broker, whether the PR accepted its first STR, and when. */
  strs: Record<string, { mqttHolder: boolean; accepted: boolean; atMs: number }>;
  /** The network libvirt ran, as dumped while the lab was up. */
  networkXml: string;
  /** After teardown, as libvirt lists them, and the files left in the lab's pool directory. */
  left: { domains: string[]; networks: string[]; pools: string[]; poolFiles: string[] };
  error?: string;
}
