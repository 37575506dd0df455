// The embedded lab end to end through the daemon's API only: deploy the
// default topology (a PR and three PVs as processes), upload a plugin, watch
// it go announcement → binding → verifiers → decision → epoch on the event
// socket, check its proof with spms/client, survive a PV crash, issue and
// revoke a developer, and tear down leaving no process and no open port.
import { spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon } from '../../daemon/daemon.ts';
import { DaemonClient } from '../../daemon/daemon-client.ts';
import type { LabStatus } from '../../daemon/lab.ts';
import type { Task } from '../../daemon/tasks/task.ts';
import { caKeyResolver } from '../../spms/client/ca-trust.ts';
import { nodeTransport } from '../../spms/client/node-transport.ts';
import { fromHex, generateStrKeyPair, proofFromJson, signStr, strFromJson, strToJson, toHex, verifyLookup, verifyStrSignature } from '../../spms/core/index.ts';
import { packPluginArchive, readPluginDirectory } from '../../spms/verifier/archive/index.ts';
import { EventLog } from '../support/event-log.ts';

const ROOT = resolve(import.meta.dirname, '../..');
const HELLO = join(ROOT, 'test/fixtures/plugins/org.example.hello');
const NAME = 'org.example.hello';

let dir: string;
let daemon: Daemon;
let client: DaemonClient;
let log: EventLog;

function helloFiles(): { path: string; data: Uint8Array }[] {
  return readdirSync(HELLO).map((f) => ({ path: `${NAME}/${f}`, data: new Uint8Array(readFileSync(join(HELLO, f))) }));
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

function portOpen(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((res) => {
    const s = connect(Number(u.port), u.hostname);
    s.once('connect', () => {
      s.destroy();
      res(true);
    });
    s.once('error', () => res(false));
  });
}

async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spms-daemon-lab-'));
  daemon = await Daemon.start({ labDir: dir, port: 0, caKeyBits: 2048, deploy: 'never' });
  client = new DaemonClient(daemon.url, daemon.token);
  log = await EventLog.follow(client);
});

afterAll(async () => {
  log.close();
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the embedded lab through the daemon API', () => {
  let status: LabStatus;

  it('cancels a deploy, leaving nothing running', async () => {
    const { task } = await client.post<{ task: Task }>('/api/lab/deploy');
    await expect(client.post('/api/lab/deploy')).rejects.toMatchObject({ status: 409, code: 'busy' });
    await log.waitFor((e) => e.type === 'task-step' && e.payload.taskId === task.id && e.payload.step === 'start PR');
    await client.post(`/api/tasks/${task.id}/cancel`);
    const done = await client.waitForTask(task.id);
    expect(done.status).toBe('cancelled');
    expect(done.error?.step).toBeDefined();
    const s = await client.get<LabStatus>('/api/lab/status');
    expect(s.deployment.status).toBe('none');
    expect(s.nodes.filter((n) => n.pid !== undefined && alive(n.pid))).toEqual([]);
    await expect(client.post(`/api/tasks/${task.id}/cancel`)).rejects.toMatchObject({ status: 409, code: 'task-over' });
  });

  it('deploys the default topology: every node healthy, task steps in order', async () => {
    const { task } = await client.post<{ task: Task }>('/api/lab/deploy');
    const done = await client.waitForTask(task.id);
    expect(done.error).toBeUndefined();
    expect(done.status).toBe('succeeded');
    expect(done.steps.map((s) => s.name)).toEqual(['plan', 'certificates', 'configuration', 'start PR', 'start PVs', 'lab developer']);
    status = await client.get<LabStatus>('/api/lab/status');
    expect(status.deployment.status).toBe('deployed');
    expect(status.nodes.map((n) => [n.id, n.health])).toEqual([
      ['PR', 'healthy'],
      ['PV1', 'healthy'],
      ['PV2', 'healthy'],
      ['PV3', 'healthy'],
    ]);
    // A deploy while deployed is refused with the error shape, not run twice.
    await expect(client.put('/api/lab/topology', { topology: (await client.get<{ topology: unknown }>('/api/lab/topology')).topology })).rejects.toMatchObject({ status: 409, code: 'lab-deployed' });
  });

  it('carries an uploaded plugin through announcement, binding, verifiers, decision and epoch on every PV', async () => {
    const before = log.lastSeq;
    const submitted = await client.upload<{ name: string; version: number; created: boolean }>(helloFiles());
    expect(submitted).toMatchObject({ name: NAME, version: 1, created: true });
    for (const pv of ['PV1', 'PV2', 'PV3']) {
      const of = (type: string) => (e: { node: string; type: string; payload: Record<string, unknown> }) => e.node === pv && e.type === type && e.payload.name === NAME;
      const announced = await log.waitFor(of('announcement'), 60_000, before);
      const bound = await log.waitFor(of('binding-built'), 60_000, before);
      const finished = await log.waitFor((e) => e.node === pv && e.type === 'verifier-finished' && e.seq > bound.seq, 60_000, before);
      const decided = await log.waitFor(of('decision'), 60_000, before);
      expect(decided.payload.valid).toBe(true);
      const epoch = await log.waitFor((e) => e.node === pv && e.type === 'epoch-published' && (e.payload.changes as { name: string }[]).some((c) => c.name === NAME), 60_000, before);
      expect(announced.seq).toBeLessThan(bound.seq);
      expect(bound.seq).toBeLessThan(finished.seq);
      expect(finished.seq).toBeLessThan(decided.seq);
      expect(decided.seq).toBeLessThan(epoch.seq);
    }
    expect(log.events.some((e) => e.node === 'PR' && e.type === 'submission')).toBe(true);
  });

  it('refuses bad uploads with a clear error, and the lab is unchanged', async () => {
    const enc = (t: string): Uint8Array => new TextEncoder().encode(t);
    const before = await client.get<unknown>('/api/plugins');
    const cases: { files: { path: string; data: Uint8Array }[]; message: RegExp }[] = [
      { files: [{ path: 'broken.tar.gz', data: new Uint8Array([0x1f, 0x8b, 8, 0, 1, 2, 3]) }], message: /not a valid plugin/ },
      { files: [{ path: '../escape/x.plugin', data: enc('org.example.escape\n') }], message: /climbs out/ },
      {
        files: [
          { path: 'org.example.a/a.plugin', data: enc('org.example.a\n') },
          { path: 'org.example.b/b.c', data: enc('') },
        ],
        message: /exactly one top directory/,
      },
      { files: [{ path: 'wake.c', data: enc('int x;') }], message: /no \.plugin manifest/ },
    ];
    for (const c of cases) {
      await expect(client.upload(c.files)).rejects.toMatchObject({ status: 400, code: 'bad-plugin', message: expect.stringMatching(c.message) });
    }
    const notMultipart = await fetch(`${daemon.url}/api/plugins`, { method: 'POST', headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' }, body: '{}' });
    expect(notMultipart.status).toBe(415);
    expect(((await notMultipart.json()) as { error: { code: string } }).error.code).toBe('bad-upload');
    await expect(client.upload([])).rejects.toMatchObject({ status: 400, code: 'bad-upload' });
    expect(await client.get<unknown>('/api/plugins')).toEqual(before);
    expect((await client.get<LabStatus>('/api/lab/status')).nodes.every((n) => n.health === 'healthy')).toBe(true);
  });

  it('serves a proof that spms/client verifies, a sound chain, a bundle the formula accepts and a quiet monitor', async () => {
    const p = await client.get<{ kind: string; bindingHash: string; str: unknown; proof: unknown; epoch: number }>(`/api/proofs/${NAME}?pv=PV1`);
    expect(p.kind).toBe('inclusion');
    const str = strFromJson(p.str);
    const proof = proofFromJson(p.proof);
    expect(verifyLookup(proof, NAME, fromHex(p.bindingHash), str.root, str.treeId).ok).toBe(true);
    // The STR is signed with the key PV1's certificate carries, checked against the lab root.
    const pvInfo = JSON.parse(new TextDecoder().decode((await nodeTransport({ ca: daemon.lab.ca.rootPem }).request('GET', `${status.nodes[1]?.url ?? ''}/v1/info`)).body)) as { certificate: string };
    const key = caKeyResolver({ root: daemon.lab.ca.rootPem })({ pvId: 'PV1', certificate: pvInfo.certificate, str, proof });
    expect(key.ok).toBe(true);
    if (key.ok) expect(verifyStrSignature(str, key.publicKey)).toBe(true);
    const absent = await client.get<{ kind: string; verdict: { ok: boolean } }>('/api/proofs/org.example.absent?pv=PV2');
    expect(absent).toMatchObject({ kind: 'absence', verdict: { ok: true } });
    const chain = await client.get<{ chain: { ok: boolean }; strs: { signatureOk: boolean }[] }>('/api/pvs/PV1/epochs');
    expect(chain.chain.ok).toBe(true);
    expect(chain.strs.length).toBeGreaterThan(1);
    expect(chain.strs.every((s) => s.signatureOk)).toBe(true);
    await log.waitFor((e) => e.type === 'binding-expected' && e.payload.name === NAME);
    const bundle = await client.post<{ verdict: { accepted: boolean; verified: string[] } }>('/api/bundles/check', { name: NAME, formula: 'PV1 & (PV2 | PV3)' });
    expect(bundle.verdict.accepted).toBe(true);
    const monitor = await client.post<{ alerts: unknown[]; observations: { state: string }[] }>('/api/monitor', { names: [NAME] });
    expect(monitor.alerts).toEqual([]);
    expect(monitor.observations.some((o) => o.state === 'expected')).toBe(true);
    // A developer who expected another binding is alerted on every PV.
    const other = await client.post<{ alerts: { pvId: string; code: string }[] }>('/api/monitor', { names: [NAME], expect: { [NAME]: ['00'.repeat(32)] } });
    expect(new Set(other.alerts.filter((a) => a.code === 'unexpected-binding').map((a) => a.pvId))).toEqual(new Set(['PV1', 'PV2', 'PV3']));
    const plugin = await client.get<{ submittedByLab: { bindingHash?: string }[] }>(`/api/plugins/${NAME}`);
    expect(plugin.submittedByLab[0]?.bindingHash).toBe(p.bindingHash);
  });

  it('shows, in the PV’s chain, an equivocating STR the PR refused, with both STRs as evidence', async () => {
    // PV3 misbehaves: with its own STR key and certificate it signs a second, different STR for an epoch it already published.
    const published = await client.get<{ strs: { hash: string; signatureOk: boolean }[] }>('/api/pvs/PV3/epochs');
    const { hash: _hash, signatureOk: _ok, ...json } = published.strs.at(-1) ?? { hash: '', signatureOk: false };
    const honest = strFromJson(json);
    const secret = fromHex(readFileSync(join(dir, 'nodes', 'PV3', 'str-ed25519.key'), 'utf8').trim());
    const forged = signStr({ ...honest, root: new Uint8Array(32).fill(7) }, generateStrKeyPair(secret).secretKey);
    const files = daemon.lab.ca.holderFiles('pv', 'PV3');
    const asPv3 = nodeTransport({ ca: daemon.lab.ca.rootPem, cert: readFileSync(files.certFile), key: readFileSync(files.keyFile) });
    const pr = (await client.get<LabStatus>('/api/lab/status')).nodes.find((n) => n.id === 'PR')?.url ?? '';
    const refused = await asPv3.request('POST', `${pr}/v1/strs`, { body: new TextEncoder().encode(JSON.stringify(strToJson(forged))), contentType: 'application/json', accept: 'application/json' });
    expect(refused.status).toBe(409);
    const chain = await client.get<{ chain: { ok: boolean; issues: { code: string; epoch: number; reportedBy?: string; evidence?: { first: { root: string }; second: { root: string } } }[] } }>(
      '/api/pvs/PV3/epochs',
    );
    expect(chain.chain.ok).toBe(false);
    const issue = chain.chain.issues.find((i) => i.reportedBy === 'pr');
    expect(issue).toMatchObject({ code: 'equivocation', epoch: honest.epoch });
    expect(issue?.evidence?.first.root).toBe(toHex(honest.root));
    expect(issue?.evidence?.second.root).toBe('07'.repeat(32));
    // The other PVs' chains are untouched.
    expect((await client.get<{ chain: { ok: boolean } }>('/api/pvs/PV2/epochs')).chain.ok).toBe(true);
  });

  it('reports a killed PV, restarts it, and the lab goes on', async () => {
    const pv2 = (await client.get<LabStatus>('/api/lab/status')).nodes.find((n) => n.id === 'PV2');
    const pid = pv2?.pid as number;
    const before = log.lastSeq;
    process.kill(pid, 'SIGKILL');
    await log.waitFor((e) => e.node === 'PV2' && e.type === 'node-exited', 30_000, before);
    await log.waitFor((e) => e.node === 'PV2' && e.type === 'node-restarting', 30_000, before);
    const healthy = await log.waitFor((e) => e.node === 'PV2' && e.type === 'node-healthy', 60_000, before);
    await log.waitFor((e) => e.node === 'PV2' && e.type === 'epoch-published', 60_000, healthy.seq);
    const now = (await client.get<LabStatus>('/api/lab/status')).nodes.find((n) => n.id === 'PV2');
    expect(now?.health).toBe('healthy');
    expect(now?.restarts).toBe(1);
    expect(now?.pid).not.toBe(pid);
    expect((await client.get<{ kind: string }>(`/api/proofs/${NAME}?pv=PV2`)).kind).toBe('inclusion');
  });

  it('issues a developer through the API who can submit under its namespace, and is refused once revoked', async () => {
    const issued = await client.post<{ certificate: { serial: string }; certPem: string; keyPem: string }>('/api/ca/developers', { name: 'carol', namespaces: ['org.carol'] });
    const carol = nodeTransport({ ca: daemon.lab.ca.rootPem, cert: issued.certPem, key: issued.keyPem });
    const tree = await readPluginDirectory(HELLO);
    const archive = await packPluginArchive({
      name: 'org.carol.hello',
      files: tree.files.map((f) => (f.path.endsWith('.plugin') ? { ...f, data: new TextEncoder().encode(new TextDecoder().decode(f.data).replace(NAME, 'org.carol.hello')) } : f)),
    });
    const pr = status.nodes[0]?.url ?? '';
    const ok = await carol.request('POST', `${pr}/v1/plugins`, { body: archive, contentType: 'application/gzip' });
    expect(ok.status).toBe(201);
    const outside = await carol.request('POST', `${pr}/v1/plugins`, { body: await packPluginArchive(tree), contentType: 'application/gzip' });
    expect(outside.status).toBe(403);
    await client.post(`/api/ca/certificates/${issued.certificate.serial}/revoke`, { reason: 'keyCompromise' });
    const refused = await carol.request('POST', `${pr}/v1/plugins`, { body: archive, contentType: 'application/gzip' });
    expect(refused.status).toBe(401);
    expect(new TextDecoder().decode(refused.body)).toMatch(/revoked/);
  });

  it('tears down leaving no node process and no listening port', async () => {
    const nodes = (await client.get<LabStatus>('/api/lab/status')).nodes;
    const { task } = await client.post<{ task: Task }>('/api/lab/teardown');
    expect((await client.waitForTask(task.id)).status).toBe('succeeded');
    for (const n of nodes) {
      expect(alive(n.pid as number)).toBe(false);
      expect(await portOpen(n.url)).toBe(false);
      if (n.mqttUrl !== undefined) expect(await portOpen(n.mqttUrl.replace('mqtts', 'https'))).toBe(false);
    }
    expect((await client.get<LabStatus>('/api/lab/status')).deployment.status).toBe('none');
  });
});

describe('a daemon process', () => {
  it('takes its nodes down with it, even when killed', async () => {
    const other = mkdtempSync(join(tmpdir(), 'spms-daemon-kill-'));
    const child = spawn(process.execPath, [join(ROOT, 'bin/spms.js'), 'daemon', '--lab-dir', other, '--port', '0', '--deploy'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (out += c.toString()));
    try {
      await until(() => out.includes('daemon listening'), 'the daemon to listen', 60_000);
      const url = /"url":"(http:[^"]+)"/.exec(out)?.[1] as string;
      const c = new DaemonClient(url, readFileSync(join(other, 'daemon.token'), 'utf8').trim());
      const deploy = (await c.get<{ tasks: Task[] }>('/api/tasks')).tasks[0] as Task;
      expect((await c.waitForTask(deploy.id)).status).toBe('succeeded');
      const pids = (await c.get<LabStatus>('/api/lab/status')).nodes.map((n) => n.pid as number);
      expect(pids.every(alive)).toBe(true);
      child.kill('SIGKILL');
      await until(() => pids.every((p) => !alive(p)), 'every node to exit after the daemon was killed', 30_000);
    } finally {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      rmSync(other, { recursive: true, force: true });
    }
  });
});
