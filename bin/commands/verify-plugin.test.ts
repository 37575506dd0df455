// spms verify-plugin and spms disasm as real processes, on a plugin folder
// with C sources, an archive of it, single objects and bad usage.
import { execFile } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { packPluginArchive } from '../../spms/verifier/archive/index.ts';
import { includeDir, plugletsDir } from '../../spms/verifier/corpus/build.ts';
import { mutantsDir } from '../../spms/verifier/corpus/make-mutants.ts';

const spms = join(import.meta.dirname, '..', 'spms.js');

function cli(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [spms, ...args], { timeout: 60_000 }, (err, stdout, stderr) => {
      resolve({ code: err === null ? 0 : typeof err.code === 'number' ? err.code : -1, stdout, stderr });
    });
  });
}

function pluginDir(files: Record<string, string>): string {
  const dir = join(mkdtempSync(join(tmpdir(), 'spms-cli-')), 'be.example.cc');
  mkdirSync(dir);
  writeFileSync(join(dir, 'pquic-api.h'), readFileSync(join(includeDir, 'pquic-api.h')));
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}
const src = (name: string): string => readFileSync(join(plugletsDir, `${name}.c`), 'utf8');
const manifest = 'be.example.cc\ncongestion_algorithm_notify replace cc.o\nupdate_rtt post walk.o\n';

describe('spms verify-plugin', () => {
  it('passes a plugin folder whose sources it compiles, and refuses it when a pluglet breaks its spec', async () => {
    const ok = await cli('verify-plugin', pluginDir({ 'cc.plugin': manifest, 'cc.c': src('se_cc_ok'), 'walk.c': src('loop_list') }));
    expect(ok.code, ok.stdout + ok.stderr).toBe(0);
    expect(ok.stdout).toContain('be.example.cc: PASS');
    expect(ok.stdout).toContain('walk.c:13');
    const bad = await cli('verify-plugin', pluginDir({ 'cc.plugin': manifest, 'cc.c': src('se_cc_field'), 'walk.c': src('loop_list') }), '--json');
    expect(bad.code).toBe(1);
    const report = JSON.parse(bad.stdout) as { verdict: string; pluglets: { pluglet: string; verdicts: Record<string, string> }[] };
    expect(report.verdict).toBe('fail');
    expect(report.pluglets.find((p) => p.pluglet === 'cc.o')?.verdicts['side-effects']).toBe('fail');
  });

  it('reads archives and honours the list assumption switch', async () => {
    const dir = pluginDir({ 'cc.plugin': manifest, 'cc.c': src('se_cc_ok'), 'walk.c': src('loop_list') });
    const files = ['cc.plugin', 'cc.c', 'walk.c', 'pquic-api.h'].map((path) => ({ path, data: new Uint8Array(readFileSync(join(dir, path))) }));
    const archive = join(dir, '..', 'cc.tar.gz');
    writeFileSync(archive, await packPluginArchive({ name: 'be.example.cc', files }));
    expect((await cli('verify-plugin', archive, '--checks', 'termination')).code).toBe(0);
    const strict = await cli('verify-plugin', archive, '--checks', 'termination', '--no-list-assumption');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('does not assume lists are finite');
  });

  it('checks a lone object, anchored with --protoop, under a stack profile', async () => {
    const obj = join(mutantsDir, 'frame_1000.o');
    expect((await cli('verify-plugin', obj, '--protoop', 'update_rtt')).code).toBe(0);
    const strict = await cli('verify-plugin', obj, '--stack', '512', '--checks', 'memory');
    expect(strict.code).toBe(1);
    expect(strict.stdout).toContain('leaves the 512-byte stack');
  });

  it('reports a broken manifest as a failure', async () => {
    const r = await cli('verify-plugin', pluginDir({ 'cc.plugin': 'be.example.cc\nupdate_rtt sideways cc.o\n', 'cc.c': src('se_cc_ok') }));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('cc.plugin: line 2: unknown anchor "sideways"');
  });

  it('answers usage errors with exit 2', async () => {
    expect((await cli('verify-plugin')).code).toBe(2);
    const r = await cli('verify-plugin', join(mutantsDir, 'jmp32.o'), '--checks', 'wellformed,speed');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('unknown check "speed"');
    expect((await cli('verify-plugin', '/nonexistent/x.o')).code).toBe(2);
    expect((await cli('verify-plugin', '--help')).code).toBe(0);
  });
});

describe('spms disasm', () => {
  it('prints instructions with helper names, strings and source lines', async () => {
    const r = await cli('disasm', join(mutantsDir, 'frame_1000.o'));
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/call my_malloc/);
    expect(r.stdout).toMatch(/; mem_ok\.c:\d+/);
  });

  it('refuses what is not an eBPF object', async () => {
    const bogus = join(mkdtempSync(join(tmpdir(), 'spms-cli-')), 'x.o');
    writeFileSync(bogus, 'not an elf');
    const r = await cli('disasm', bogus);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('malformed ELF');
  });
});
