// What test/vm/libvirt-remote.test.ts and its driver
// (libvirt-remote-deploy.ts) share: the names the lab gives libvirt, and the
// driver's results.

export const REMOTE_TEST_NETWORK = { name: 'spms-remote-test', subnet: '10.20.5.0/24' } as const;
export const REMOTE_TEST_POOL = 'spms-remote-test';

/** A domain's files as its XML names them on the remote host. */
export interface DomainFiles {
  kernel: string;
  initrd: string;
  disk: string;
  backing: string;
  serial: string;
}

/** What the driver prints, one JSON object on stdout. */
export interface RemoteDeployResult {
  /** The accelerator chosen for the remote host, and why. */
  accelerator: string;
  planSteps: string[];
  /** The task's steps in order, and the upload lines of its log. */
  steps: string[];
  uploads: string[];
  /** The local image files the lab was deployed from. */
  localImages: string[];
  /** The pool's directory on the remote host, as libvirt there names it. */
  poolPath: string;
  /** Per node, what its domain names, read while the lab was up. */
  domains: Record<string, DomainFiles>;
  nodes: { id: string; health: string; url: string }[];
  /** Milliseconds from the start of the deploy: each upload, healthy, the deploy's return; per PV, the first accepted STR. */
  times: { healthy: Record<string, number>; deployed: number; strs: Record<string, number> };
  /** After teardown: the remote's domains, networks, pools and the pool's volumes. */
  afterTeardown: { domains: string[]; networks: string[]; pools: string[]; volumes: string[] };
  /** A second upload phase after teardown: what it logged and how long it took. */
  reuse: { lines: string[]; ms: number };
  /** After pruning the uploaded images: what was removed, and the remote's pools and the lab's record. */
  afterPrune: { removed: string[]; pools: string[]; recordedImages: number; recordedPools: number };
  error?: string;
}
