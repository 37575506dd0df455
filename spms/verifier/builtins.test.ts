// The built-in verifiers through the PV's contract, on plugins compiled with
// the PV's recipe at test time.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Binding } from '../core/binding.ts';
import { builtinKinds, createVerifier } from './builtins.ts';
import { compilePlugin, materialise } from './compile.ts';
import type { VerifierInput } from './contract.ts';
import { plugletsDir, includeDir } from './corpus/build.ts';
import { VerifierError } from './errors.ts';
import { parseManifest } from './manifest.ts';

const enc = new TextEncoder();
const header = readFileSync(join(includeDir, 'pquic-api.h'));

async function plugin(manifestText: string, sources: Record<string, string>): Promise<VerifierInput> {
  const files = [
    { path: 'cc.plugin', data: enc.encode(manifestText) },
    { path: 'pquic-api.h', data: new Uint8Array(header) },
    ...Object.entries(sources).map(([path, text]) => ({ path, data: enc.encode(text) })),
  ];
  const dir = await materialise(files);
  const manifest = parseManifest(manifestText);
  const compiled = await compilePlugin(dir, manifest);
  const binding: Binding = { v: 1, name: manifest.name, manifest: enc.encode(manifestText), pluglets: compiled.objects };
  return { binding, manifest, sources: files, options: {} };
}

const corpusSource = (name: string): string => readFileSync(join(plugletsDir, `${name}.c`), 'utf8');
const ccManifest = 'be.example.cc\ncongestion_algorithm_notify replace cc.o\n';
let good: VerifierInput;
let bad: VerifierInput;
beforeAll(async () => {
  [good, bad] = await Promise.all([plugin(ccManifest, { 'cc.c': corpusSource('se_cc_ok') }), plugin(ccManifest, { 'cc.c': corpusSource('se_cc_field') })]);
}, 60_000);

describe('built-in verifiers', () => {
  it('registers every kind of the contract', () => {
    expect([...builtinKinds]).toEqual(['wellformed', 'termination', 'side-effects', 'memory', 'compile', 'dummy-pass', 'dummy-fail', 'unavailable']);
    for (const kind of builtinKinds) expect(createVerifier(kind).property).toBe(kind);
  });

  it('refuses unknown kinds and bad options precisely', () => {
    expect(() => createVerifier('seahorn')).toThrow(/unknown verifier kind "seahorn"/);
    const cases: [unknown, RegExp][] = [
      [{ stack: 1024 }, /memory: option stack:/],
      [{ denyHelpers: 'socket' }, /option denyHelpers:/],
      [{ colour: 'red' }, /colour/],
      [{ specDir: '/nonexistent/specs' }, /cannot read the spec directory/],
    ];
    for (const [options, message] of cases) {
      try {
        createVerifier('memory', options);
        expect.unreachable();
      } catch (e) {
        expect(e).toBeInstanceOf(VerifierError);
        expect((e as Error).message).toMatch(message);
      }
    }
  });

  it('passes a correct plugin on all four eBPF properties', async () => {
    for (const kind of ['wellformed', 'termination', 'side-effects', 'memory']) {
      const r = await createVerifier(kind).run(good);
      expect(r.verdict, `${kind}: ${r.log}`).toBe('pass');
      expect(r.property).toBe(kind);
      expect(r.durationMs).toBeGreaterThanOrEqual(0);
      expect(r.log).toContain('cc.o (congestion_algorithm_notify): pass');
    }
  });

  it('fails a plugin whose pluglet writes outside its spec, naming the pluglet', async () => {
    const r = await createVerifier('side-effects', { property: 'spec-conformance' }).run(bad);
    expect(r.verdict).toBe('fail');
    expect(r.property).toBe('spec-conformance');
    expect(r.findings[0]).toMatchObject({ check: 'side-effects', severity: 'error', pluglet: 'cc.o', disasm: 'call set_path' });
    expect(r.log).toContain('AK_PATH_SMOOTHED_RTT');
  });

  it('applies per-run options, and answers error on bad ones', async () => {
    const strict = await createVerifier('side-effects').run({ ...good, manifest: parseManifest('be.example.cc\nprepare_mtu_probe replace cc.o\n'), options: { requireSpec: true } });
    expect(strict.verdict).toBe('fail');
    expect(strict.findings[0]?.message).toMatch(/no side-effect spec for protocol operation "prepare_mtu_probe"/);
    const broken = await createVerifier('memory').run({ ...good, options: { stack: 7 } });
    expect(broken.verdict).toBe('error');
    expect(broken.log).toMatch(/option stack/);
  });

  it('lints the manifest in the wellformed verifier', async () => {
    const r = await createVerifier('wellformed').run({ ...good, manifest: parseManifest('be.example.cc\ncongestion_algorithm_notify replace cc.o\nupdate_rtt post gone.o\n') });
    expect(r.verdict).toBe('fail');
    expect(r.findings.map((f) => f.message).join('\n')).toContain('object "gone.o" is not in the plugin');
  });

  it('answers error when cancelled', async () => {
    const ac = new AbortController();
    ac.abort();
    const r = await createVerifier('termination').run(good, ac.signal);
    expect(r.verdict).toBe('error');
    expect(r.log).toBe('cancelled');
  });

  it('compiles sources cleanly in the compile verifier, and reports refusals with their line', async () => {
    expect((await createVerifier('compile').run(good)).verdict).toBe('pass');
    const sdiv = await plugin(ccManifest, { 'cc.c': corpusSource('cc_signed_div') });
    const r = await createVerifier('compile').run(sdiv);
    expect(r.verdict).toBe('fail');
    expect(r.findings[0]?.message).toMatch(/signed division/);
    expect(r.findings.some((f) => f.source?.file === 'cc.c' && f.source.line === 9)).toBe(true);
    const none = await createVerifier('compile').run({ ...good, sources: [] });
    expect(none.verdict).toBe('pass');
  });

  it('has dummies that always pass and always fail', async () => {
    expect((await createVerifier('dummy-pass').run(good)).verdict).toBe('pass');
    const f = await createVerifier('dummy-fail').run(good);
    expect(f.verdict).toBe('fail');
    expect(f.findings).toHaveLength(1);
  });

  it('has a stand-in for verifiers the host cannot run that answers error with the reason', async () => {
    const v = createVerifier('unavailable', { property: 'compiles', reason: 'compile verifier skipped: clang not found in PATH' });
    expect(v.property).toBe('compiles');
    const r = await v.run(good);
    expect(r.verdict).toBe('error');
    expect(r.findings[0]?.message).toBe('compile verifier skipped: clang not found in PATH');
    expect(r.log).toContain('clang not found');
  });
});
