// The libvirt provider on a remote host, with real VMs. Everything runs in a
// network namespace this test creates: a libvirtd of its own
// (test/support/netns-libvirtd.ts), an OpenSSH server on 127.0.0.1:<port> of
// the namespace with keys the test generates (test/support/netns-sshd.ts),
// and the daemon's side (test/vm/libvirt-remote-deploy.ts, through `ip netns
// exec`), which names that libvirtd with a qemu+ssh URI, so the provider
// takes its remote path: it creates its pool there, uploads the role images
// into it over the libvirt connection, and boots a PR and a PV (1 vCPU,
// 768 MiB each) on the lab's NAT network from the uploaded volumes. The
// driver waits until both are healthy and the PV's STR reached the PR, tears
// the lab down (the uploaded images stay for the next deploy), runs the
// upload phase again (nothing is sent), prunes the uploads (the pool goes
// with them); the test then checks that no process of the namespace is left.
//
// Needs root (ip netns, libvirt's system instance), dnsmasq, sshd and nc
// (scripts/setup.sh --vm). Role images: as in test/vm/libvirt-remote-deploy.ts
// (SPMS_VM_ROLE_IMAGES or SPMS_VM_CACHE). SPMS_VM_SSH_PORT: the port sshd
// listens on inside the namespace (default 2222).
import { execFile, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startNetnsLibvirtd, type NetnsLibvirtd } from '../support/netns-libvirtd.ts';
import { startNetnsSshd, type NetnsSshd } from '../support/netns-sshd.ts';
import { REMOTE_TEST_POOL, type RemoteDeployResult } from './libvirt-remote-lab.ts';

const run = promisify(execFile);
const ROOT = resolve(import.meta.dirname, '../..');
const DRIVER = join(ROOT, 'test/vm/libvirt-remote-deploy.ts');
const NETNS = `spms-remote-test-${process.pid}`;
const SSH_PORT = Number(process.env.SPMS_VM_SSH_PORT ?? '2222');

let libvirtd: NetnsLibvirtd | undefined;
let sshd: NetnsSshd | undefined;

function deployInside(ns: NetnsLibvirtd, uri: string, labDir: string): Promise<RemoteDeployResult> {
  const [command = 'ip', ...args] = ns.inside([process.execPath, '--import', 'tsx', DRIVER, uri, labDir]);
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.once('error', fail);
    child.once('close', (code) => {
      const last = out.trim().split('\n').at(-1) ?? '';
      try {
        done(JSON.parse(last) as RemoteDeployResult);
      } catch {
        fail(new Error(`the driver exited with ${code} without results: ${out.slice(-2000)}`));
      }
    });
  });
}

beforeAll(async () => {
  const started = Date.now();
  libvirtd = await startNetnsLibvirtd(NETNS, join(tmpdir(), NETNS));
  sshd = await startNetnsSshd(libvirtd, join(libvirtd.dir, 'sshd'), SSH_PORT);
  console.log(`libvirtd and sshd answer in the namespace ${NETNS} after ${((Date.now() - started) / 1000).toFixed(1)} s: ${sshd.libvirtUri()}`);
});

afterAll(async () => {
  // Only when the test stopped short of its own cleanup.
  await sshd?.stop();
  await libvirtd?.stop();
});

describe('the libvirt provider on a remote host reached over SSH', () => {
  it('uploads the role images into its pool there, boots PR and PV from them, and leaves only the cached images until they are pruned', async () => {
    const ns = libvirtd;
    const server = sshd;
    if (ns === undefined || server === undefined) throw new Error('libvirtd or sshd did not start');
    const uri = server.libvirtUri();
    const label = `qemu+ssh://root@127.0.0.1:${server.port}/system`;
    const result = await deployInside(ns, uri, join(ns.dir, 'lab'));
    console.log(
      `accelerator: ${result.accelerator}\n` +
        `uploads:\n  ${result.uploads.join('\n  ')}\n` +
        `healthy after ${JSON.stringify(result.times.healthy)} ms, deploy returned after ${result.times.deployed} ms, STR accepted after ${JSON.stringify(result.times.strs)} ms\n` +
        `reuse: ${result.reuse.ms} ms: ${result.reuse.lines.join(' | ')}`,
    );
    expect(result.error).toBeUndefined();
    expect(result.accelerator).toBe(`TCG on ${label} because its CPU has neither vmx nor svm (no hardware virtualisation, or PVM)`);
    expect(result.planSteps).toContainEqual(expect.stringMatching(/^upload to qemu\+ssh:/));

    // Both images went up, each as its own task step, with its size and time in the log.
    expect(result.steps.filter((s) => s.startsWith('upload the '))).toEqual([`upload the pr image to ${label}`, `upload the pv image to ${label}`]);
    expect(result.uploads.filter((l) => /image uploaded, \d+ MiB in [\d.]+ s/.test(l))).toHaveLength(2);
    expect(result.nodes).toEqual([
      { id: 'PR', health: 'healthy', url: 'https://10.20.5.2:8443' },
      { id: 'PV1', health: 'healthy', url: 'https://10.20.5.3:8443' },
    ]);
    expect(result.times.strs.PV1).toBeTypeOf('number');

    // Every file a domain names is in the pool on the remote host, none in the local image cache.
    expect(result.poolPath).toBe(`/var/lib/libvirt/images/${REMOTE_TEST_POOL}`);
    for (const id of ['PR', 'PV1']) {
      const files = result.domains[id];
      expect(files).toBeDefined();
      for (const path of Object.values(files ?? {})) {
        expect(path.startsWith(`${result.poolPath}/`)).toBe(true);
        expect(result.localImages).not.toContain(path);
      }
      expect(files?.backing).toMatch(new RegExp(`/spms-image-[0-9a-f]{8}-${id === 'PR' ? 'pr' : 'pv'}-[0-9a-f]+\\.qcow2$`));
    }

    // Teardown left the uploaded images (three volumes per role) and their pool, nothing else.
    expect(result.afterTeardown.domains).toEqual([]);
    expect(result.afterTeardown.networks).toEqual([]);
    expect(result.afterTeardown.pools).toEqual([REMOTE_TEST_POOL]);
    expect(result.afterTeardown.volumes.sort()).toEqual(
      ['pr', 'pv'].flatMap((role) => ['initrd', 'qcow2', 'vmlinuz'].map((ext) => expect.stringMatching(new RegExp(`^spms-image-[0-9a-f]{8}-${role}-[0-9a-f]+\\.${ext}$`)) as string)),
    );
    // The next deploy finds them and sends nothing.
    expect(result.reuse.lines.filter((l) => / image \w+ is in the pool /.test(l))).toHaveLength(2);
    expect(result.reuse.lines.some((l) => /uploading/.test(l))).toBe(false);
    // Pruning removed them, and the pool the lab had created with them.
    expect(result.afterPrune.removed).toHaveLength(6);
    expect(result.afterPrune.pools).toEqual([]);
    expect(result.afterPrune).toMatchObject({ recordedImages: 0, recordedPools: 0 });
    expect(existsSync(join(ns.stateDir('lib'), 'images', REMOTE_TEST_POOL))).toBe(false);

    // Only the three daemons still run in the namespace: no QEMU, no dnsmasq, no SSH session.
    const left = await ns.pids();
    const commands = await Promise.all(left.map(async (pid) => (await run('ps', ['-o', 'comm=', '-p', String(pid)]).catch(() => ({ stdout: '' }))).stdout.trim()));
    expect(commands.filter((c) => c !== '').sort()).toEqual(['libvirtd', 'sshd', 'virtlogd']);

    sshd = undefined;
    await server.stop();
    libvirtd = undefined;
    await ns.stop();
    expect(left.filter((pid) => existsSync(`/proc/${pid}`))).toEqual([]);
    expect(existsSync(ns.dir)).toBe(false);
  });
});
