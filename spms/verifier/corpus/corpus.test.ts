// The corpus: every C pluglet is compiled with the PV's recipe at test time
// and must get, check by check, the verdict and the reason its header states;
// the committed byte-level mutants likewise.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseOptions } from '../builtins.ts';
import type { CheckName, CheckPolicy } from '../pluglet-report.ts';
import { CHECK_NAMES, verifyPluglet } from '../pluglet-report.ts';
import { loadSpecs } from '../specs.ts';
import type { CorpusEntry } from './build.ts';
import { buildCorpus } from './build.ts';
import type { MutantSpec } from './make-mutants.ts';
import { mutantsDir } from './make-mutants.ts';

function policy(options: Record<string, unknown>): CheckPolicy {
  const o = parseOptions('corpus', options);
  const p: CheckPolicy = { stackSize: o.stack ?? 2048, denyHelpers: new Set(o.denyHelpers ?? []), assumeFiniteLists: o.assumeFiniteLists ?? true, specs: loadSpecs(), requireSpec: false };
  if (o.allowHelpers !== undefined) p.allowHelpers = new Set(o.allowHelpers);
  return p;
}

let corpus: CorpusEntry[] = [];
beforeAll(async () => {
  corpus = await buildCorpus();
}, 120_000);

const entry = (name: string): CorpusEntry => {
  const e = corpus.find((c) => c.name === name);
  if (e === undefined) throw new Error(`no corpus entry ${name}`);
  return e;
};

describe('corpus pluglets', () => {
  it('holds cases for every check, passing and failing', () => {
    for (const check of CHECK_NAMES) {
      for (const verdict of ['pass', 'fail'] as const) {
        expect(
          corpus.some((e) => e.expectations.some((x) => x.check === check && x.verdict === verdict)),
          `${check}=${verdict}`,
        ).toBe(true);
      }
    }
  });

  it('gets every stated verdict for the stated reason', () => {
    const problems: string[] = [];
    for (const e of corpus) {
      if (e.compileFails !== undefined) continue;
      if (e.object === undefined) {
        problems.push(`${e.name}: did not compile: ${e.findings.map((f) => f.message).join('; ')}`);
        continue;
      }
      for (const x of e.expectations) {
        const r = verifyPluglet(e.name, e.object, [x.check], policy(x.options), e.protoop === undefined ? undefined : { protoop: e.protoop });
        const errors = r.findings.filter((f) => f.severity === 'error' && f.check === x.check);
        if (r.verdicts[x.check] !== x.verdict)
          problems.push(`${e.name} ${x.check} ${JSON.stringify(x.options)}: ${r.verdicts[x.check]} instead of ${x.verdict} (${errors.map((f) => f.message).join('; ')})`);
        else if (x.reason !== undefined && !errors.some((f) => f.message.includes(x.reason as string)))
          problems.push(`${e.name} ${x.check}: no error mentions "${x.reason}" (${errors.map((f) => f.message).join('; ')})`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('reports the refusals of the compile step with their reason', () => {
    const refused = corpus.filter((e) => e.compileFails !== undefined);
    expect(refused.length).toBeGreaterThanOrEqual(3);
    for (const e of refused) {
      expect(e.object, e.name).toBeUndefined();
      expect(
        e.findings.some((f) => f.check === 'compile' && f.severity === 'error' && f.message.includes(e.compileFails as string)),
        `${e.name}: ${JSON.stringify(e.findings)}`,
      ).toBe(true);
    }
  });

  it('locates findings by instruction, disassembly and source line', () => {
    const e = entry('se_update_rtt_field');
    const r = verifyPluglet('se_update_rtt_field.o', e.object as Uint8Array, ['side-effects'], policy({}), { protoop: 'update_rtt' });
    const f = r.findings.find((x) => x.severity === 'error');
    expect(f?.instruction).toBeTypeOf('number');
    expect(f?.disasm).toBe('call set_cnx');
    expect(f?.source?.file).toMatch(/se_update_rtt_field\.c$/);
    expect(f?.source?.line).toBe(8);
  });

  it('reports an unproven loop at its header with its source line', () => {
    const e = entry('loop_ne_step');
    const r = verifyPluglet('loop_ne_step.o', e.object as Uint8Array, ['termination'], policy({}));
    const f = r.findings.find((x) => x.severity === 'error');
    expect(f?.message).toMatch(/the loop starting at \d+/);
    expect(f?.source?.line).toBe(10);
  });

  it('reports helpers that change core state outside the specs as warnings', () => {
    const r = verifyPluglet('se_state_helper.o', entry('se_state_helper').object as Uint8Array, ['side-effects'], policy({}), { protoop: 'set_next_wake_time' });
    expect(r.findings.filter((f) => f.severity === 'warning').map((f) => f.message)).toEqual([expect.stringContaining('picoquic_set_cnx_state changes core state by itself')]);
  });

  it('is deterministic', () => {
    for (const e of corpus.filter((x) => x.object !== undefined)) {
      const run = (): string => {
        const r = verifyPluglet(e.name, e.object as Uint8Array, CHECK_NAMES, policy({}), e.protoop === undefined ? undefined : { protoop: e.protoop });
        return JSON.stringify([r.verdicts, r.findings]);
      };
      expect(run()).toBe(run());
    }
  });

  it('emits no string relocation with an addend and no BPF-to-BPF call from the recipe', () => {
    for (const e of corpus) {
      if (e.object === undefined || e.name === 'wf_bpf_call') continue;
      const r = verifyPluglet(e.name, e.object, ['wellformed'], policy({}));
      expect(
        r.findings.filter((f) => /addend|BPF-to-BPF|JMP32/.test(f.message)),
        e.name,
      ).toEqual([]);
    }
  });
});

describe('committed mutants', () => {
  const specs = JSON.parse(readFileSync(join(mutantsDir, 'expect.json'), 'utf8')) as MutantSpec[];
  it.each(specs.map((s) => [`${s.file} ${s.check} ${JSON.stringify(s.options)}`, s] as const))('%s', (_label, s) => {
    const bytes = new Uint8Array(readFileSync(join(mutantsDir, s.file)));
    const r = verifyPluglet(s.file, bytes, [s.check as CheckName], policy(s.options));
    const errors = r.findings.filter((f) => f.severity === 'error');
    expect(r.verdicts[s.check], errors.map((f) => f.message).join('; ')).toBe(s.verdict);
    if (s.reason !== undefined) expect(errors.map((f) => f.message).join('\n')).toContain(s.reason);
  });
});
