import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LabCa } from '../../certs/lab-ca.ts';
import { buildServiceBundle, bundleFiles } from './service-bundle.ts';

let dir: string;
let app: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spms-bundle-'));
  app = await buildServiceBundle(join(dir, 'bundle'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function run(args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const p = spawn(process.execPath, [join(app, 'spms.mjs'), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    p.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    p.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

describe('the service bundle', () => {
  it('holds the bundle, the prebuilt verifier worker, the specs and the native addon', () => {
    const files = bundleFiles(app);
    expect(files).toEqual(
      expect.arrayContaining(['spms.mjs', 'spms-services.cjs', 'verifier-worker.mjs', 'node_modules/better-sqlite3/build/Release/better_sqlite3.node', 'node_modules/bindings/bindings.js']),
    );
    expect(files.some((f) => f.startsWith('data/hl_specs/') && f.endsWith('.json'))).toBe(true);
    // Nothing of the sources or the build tools comes along.
    expect(files.filter((f) => f.endsWith('.ts') || f.includes('/src/') || f.includes('/deps/'))).toEqual([]);
  });

  it('runs without the sources: usage, per-command help, unknown commands', async () => {
    const usage = await run(['--help']);
    expect(usage.code).toBe(0);
    expect(usage.stdout).toMatch(/pr\s+run a Plugin Repository node/);
    expect(usage.stdout).toMatch(/pv\s+run a Plugin Validator node/);
    expect((await run(['pv', '--help'])).stdout).toContain('usage: spms pv --config FILE');
    const unknown = await run(['lab']);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('unknown command "lab"');
  });

  it('writes a V8 code cache that the runtime takes, and runs without one it rejects', async () => {
    const cache = join(app, 'spms-services.cjs.cache');
    try {
      const written = await run(['--write-code-cache']);
      expect(written.code).toBe(0);
      expect(statSync(cache).size).toBeGreaterThan(100_000);
      const cached = await run(['pv', '--help']);
      expect(cached.code).toBe(0);
      expect(cached.stdout).toContain('usage: spms pv --config FILE');
      expect(cached.stderr).toBe('');
      // A cache from another runtime (here: damaged) is refused by V8; the services still run.
      const bytes = readFileSync(cache);
      writeFileSync(cache, Buffer.concat([bytes.subarray(0, 64).map((b) => b ^ 0xff), bytes.subarray(64)]));
      const refused = await run(['pv', '--help']);
      expect(refused.code).toBe(0);
      expect(refused.stdout).toContain('usage: spms pv --config FILE');
      expect(refused.stderr).toContain('does not fit this runtime');
    } finally {
      rmSync(cache, { force: true });
    }
  });

  it('starts a PR (store in SQLite through the copied addon) and stops it on SIGTERM', async () => {
    const ca = LabCa.init(join(dir, 'ca'), { keyBits: 2048 });
    const pr = ca.issue({ role: 'pr', name: 'pr' });
    const config = join(dir, 'pr.yaml');
    writeFileSync(
      config,
      `dataDir: ${join(dir, 'data')}\nlisten: { port: 0 }\ntls: { cert: ${pr.certFile}, key: ${pr.keyFile}, ca: ${ca.paths.cert}, crl: ${ca.paths.crl} }\nmqtt: { mode: embedded, port: 0 }\n`,
    );
    const node = spawn(process.execPath, [join(app, 'spms.mjs'), 'pr', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'] });
    const exited = new Promise<number | null>((resolve) => node.on('close', (code) => resolve(code)));
    await new Promise<void>((resolve, reject) => {
      let out = '';
      node.stdout.on('data', (c: Buffer) => {
        out += c.toString();
        if (out.includes('"type":"started"')) resolve();
      });
      node.stderr.on('data', (c: Buffer) => (out += c.toString()));
      node.on('close', () => reject(new Error(`the bundled PR exited early: ${out}`)));
    });
    node.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dir, 'data'))).toBe(true);
  });
});
