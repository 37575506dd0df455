// `spms lab` as a user runs it: up starts a daemon in the background and
// deploys the default lab, status/logs/open read it, down leaves nothing running.
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureDaemon } from '../lib/lab-daemon.ts';

const SPMS = resolve(import.meta.dirname, '../spms.js');
let dir: string;

function spms(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((res) => {
    execFile(process.execPath, [SPMS, ...args], { env: { ...process.env, SPMS_LAB_DIR: dir, DISPLAY: '' }, timeout: 120_000 }, (err, stdout, stderr) => {
      res({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : 1, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spms-lab-cli-'));
});

afterAll(async () => {
  await spms(['lab', 'down']);
  rmSync(dir, { recursive: true, force: true });
});

describe('spms lab', () => {
  it('says when no daemon runs', async () => {
    const r = await spms(['lab', 'status']);
    expect(r.code).toBe(3);
    expect(r.stdout).toContain(`no daemon runs for ${dir}`);
    expect((await spms(['lab', 'logs'])).code).toBe(3);
    expect((await spms(['lab', 'down'])).code).toBe(0);
    expect((await spms(['lab', 'sideways'])).code).toBe(3);
  });

  it('brings the default lab up, reports it, and takes it down', async () => {
    const up = await spms(['lab', 'up', '--port', '0']);
    expect(up.stderr).toContain('daemon started at http://127.0.0.1:');
    expect(up.code, up.stderr).toBe(0);
    expect(up.stdout).toMatch(/panel: http:\/\/127\.0\.0\.1:\d+\/login\?code=/);
    const status = await spms(['lab', 'status', '--json']);
    expect(status.code).toBe(0);
    const s = JSON.parse(status.stdout) as { daemon: { pid: number }; nodes: { id: string; health: string; url: string; pid: number }[] };
    expect(s.nodes.map((n) => [n.id, n.health])).toEqual([
      ['PR', 'healthy'],
      ['PV1', 'healthy'],
      ['PV2', 'healthy'],
      ['PV3', 'healthy'],
    ]);
    expect(s.nodes.every((n) => n.url.startsWith('https://127.0.0.1:'))).toBe(true);
    // A second "up" finds the running lab and changes nothing.
    const again = await spms(['lab', 'up']);
    expect(again.code).toBe(0);
    expect(again.stderr).not.toContain('daemon started');
    const logs = await spms(['lab', 'logs', 'PV1', '--tail', '5']);
    expect(logs.code).toBe(0);
    expect(logs.stdout.trim().split('\n').length).toBeLessThanOrEqual(5);
    expect(logs.stdout).toContain('"node":"PV1"');
    const open = await spms(['lab', 'open']);
    expect(open.stdout).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/login\?code=/);
    const down = await spms(['lab', 'down']);
    expect(down.code, down.stderr).toBe(0);
    expect(alive(s.daemon.pid)).toBe(false);
    expect(s.nodes.filter((n) => alive(n.pid))).toEqual([]);
    expect(existsSync(join(dir, 'daemon.json'))).toBe(false);
    expect((await spms(['lab', 'status'])).code).toBe(3);
  });

  it('exports the lab for terraform/, from its state file or from its daemon', async () => {
    const offline = await spms(['lab', 'export-terraform']);
    expect(offline.code, offline.stderr).toBe(0);
    const file = join(dir, 'terraform', 'terraform.tfvars.json');
    expect(offline.stdout).toContain(`wrote ${file}: 4 nodes on 1 host`);
    expect(offline.stdout).toMatch(/apply: terraform -chdir=\S+\/terraform apply -var-file=/);
    expect(offline.stderr).toMatch(/note: pr and pv images not built yet/);
    const tfvars = JSON.parse(readFileSync(file, 'utf8')) as { hosts: Record<string, string>; nodes: Record<string, { role: string }> };
    expect(tfvars.hosts).toEqual({ local: 'qemu:///system' });
    expect(Object.entries(tfvars.nodes).map(([id, n]) => `${id}:${n.role}`)).toEqual(['PR:pr', 'PV1:pv', 'PV2:pv', 'PV3:pv']);
    expect((await spms(['lab', 'export-terraform', 'extra'])).code).toBe(2);
    const empty = mkdtempSync(join(tmpdir(), 'spms-lab-cli-empty-'));
    const none = await spms(['lab', 'export-terraform', '--lab-dir', empty]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain(`no lab in ${empty}`);
    rmSync(empty, { recursive: true, force: true });
    // With a daemon running, the same lab comes from GET /api/lab/terraform.
    await ensureDaemon(dir, 0);
    const out = join(dir, 'from-daemon.json');
    const online = await spms(['lab', 'export-terraform', '--out', out]);
    expect(online.code, online.stderr).toBe(0);
    expect(JSON.parse(readFileSync(out, 'utf8'))).toEqual(tfvars);
    expect((await spms(['lab', 'down'])).code).toBe(0);
  });
});
