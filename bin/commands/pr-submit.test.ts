import { spawn } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { LabCa } from '../../certs/lab-ca.ts';

const spms = join(dirname(fileURLToPath(import.meta.url)), '..', 'spms.js');

function runCli(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [spms, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('spms pr and spms submit', () => {
  it('runs a PR, submits a folder to it, and stops cleanly on SIGTERM', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spms-cli-pr-'));
    const ca = LabCa.init(join(dir, 'ca'), { keyBits: 2048 });
    const pr = ca.issue({ role: 'pr', name: 'pr' });
    const dev = ca.issue({ role: 'developer', name: 'alice', namespaces: ['org.example'] });
    const config = join(dir, 'pr.yaml');
    writeFileSync(config, `dataDir: data\nlisten: { port: 0 }\ntls: { cert: ${pr.certFile}, key: ${pr.keyFile}, ca: ${ca.paths.cert}, crl: ${ca.paths.crl} }\nmqtt: { mode: embedded, port: 0 }\n`);
    const plugin = join(dir, 'org.example.cli');
    mkdirSync(plugin);
    writeFileSync(join(plugin, 'cli.plugin'), 'org.example.cli\n');
    writeFileSync(join(plugin, 'cli.c'), 'int cli;\n');

    const node = spawn(process.execPath, [spms, 'pr', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => node.on('close', (code) => resolve(code)));
    const port = await new Promise<number>((resolve, reject) => {
      let out = '';
      node.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        const started = out.split('\n').find((l) => l.includes('"type":"started"'));
        if (started !== undefined) resolve((JSON.parse(started) as { payload: { port: number } }).payload.port);
      });
      node.on('close', () => reject(new Error(`spms pr exited early: ${out}`)));
    });
    const args = ['--pr', `https://127.0.0.1:${port}`, '--cert', dev.certFile, '--key', dev.keyFile, '--ca', ca.paths.cert];
    const ok = await runCli(['submit', plugin, ...args]);
    expect(ok.code).toBe(0);
    expect(JSON.parse(ok.stdout)).toMatchObject({ name: 'org.example.cli', version: 1, created: true, archiveHash: expect.stringMatching(/^[0-9a-f]{64}$/) });
    const refused = await runCli(['submit', config, ...args]);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toContain('not-an-archive');
    const unreachable = await runCli(['submit', plugin, ...args.map((a) => a.replace(`:${port}`, ':1'))]);
    expect(unreachable.code).toBe(3);

    node.kill('SIGTERM');
    expect(await exited).toBe(0);
  });

  it('exits 1 naming the faulty field of a bad configuration, 2 on usage errors', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'spms-cli-pr-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ dataDir: 'd', listen: { port: 'x' }, tls: { cert: 'a', key: 'b', ca: 'c' } }));
    const bad = await runCli(['pr', '--config', join(dir, 'bad.json')]);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toContain('listen.port');
    expect((await runCli(['pr'])).code).toBe(2);
    expect((await runCli(['submit', 'x'])).code).toBe(2);
  });
});
