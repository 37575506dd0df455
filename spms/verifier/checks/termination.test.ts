// Loop classes on hand-made objects, where the exact shape of each loop is
// fixed (no compiler in between).
import { describe, expect, it } from 'vitest';
import type { RawInsn } from '../corpus/elf-builder.ts';
import { buildElf, op } from '../corpus/elf-builder.ts';
import type { CheckPolicy } from '../pluglet-report.ts';
import { verifyPluglet } from '../pluglet-report.ts';
import { loadSpecs } from '../specs.ts';

const policy: CheckPolicy = { stackSize: 2048, denyHelpers: new Set(), assumeFiniteLists: true, specs: loadSpecs(), requireSpec: false };

function termination(insns: RawInsn[], calls: Record<number, string> = {}): { verdict: string | undefined; messages: string } {
  const r = verifyPluglet('hand.o', buildElf(insns, calls), ['termination', 'wellformed'], policy);
  expect(r.verdicts.wellformed, r.findings.map((f) => f.message).join('\n')).toBe('pass');
  return {
    verdict: r.verdicts.termination,
    messages: r.findings
      .filter((f) => f.check === 'termination')
      .map((f) => f.message)
      .join('\n'),
  };
}

// r0 = 0; r1 = START; L: r0 += 1; r1 += STEP; if r1 <cmp> BOUND goto L; exit
const counted = (start: number, step: number, cmp: number, bound: number): RawInsn[] => [
  { op: op.movImm, dst: 0, imm: 0 },
  { op: op.movImm, dst: 1, imm: start },
  { op: op.addImm, dst: 0, imm: 1 },
  { op: op.addImm, dst: 1, imm: step },
  { op: cmp, dst: 1, imm: bound, off: -3 },
  { op: op.exit },
];

describe('termination on hand-made loops', () => {
  it('proves constant-bound loops up and down', () => {
    expect(termination(counted(0, 1, op.jltImm, 10)).verdict).toBe('pass');
    expect(termination(counted(100, -3, op.jgtImm, 5)).verdict).toBe('pass');
    expect(termination(counted(100, -3, op.jsgtImm, -5)).verdict).toBe('pass');
  });

  it('proves "!=" exits whose bound is met exactly, refuses those that step over it', () => {
    expect(termination(counted(0, 2, op.jneImm, 8)).verdict).toBe('pass');
    const over = termination(counted(0, 2, op.jneImm, 7));
    expect(over.verdict).toBe('fail');
    expect(over.messages).toContain('may be stepped over');
    const wrong = termination(counted(10, 1, op.jneImm, 5));
    expect(wrong.verdict).toBe('fail');
    expect(wrong.messages).toContain('add a guard');
  });

  it('refuses a counter moving away from its bound', () => {
    const r = termination(counted(5, -1, op.jltImm, 10));
    expect(r.verdict).toBe('fail');
    expect(r.messages).toContain('decreases');
  });

  it('refuses a loop whose variable may wrap past the bound', () => {
    // r2 = input (any value); r1 = 0; L: r1 += 3; if r1 < r2 goto L
    const r = termination(
      [
        { op: op.movImm, dst: 2, imm: 0 },
        { op: op.movImm, dst: 3, imm: 0 },
        { op: op.call, imm: 0 },
        { op: op.movReg, dst: 2, src: 0 },
        { op: op.movImm, dst: 1, imm: 0 },
        { op: op.addImm, dst: 1, imm: 3 },
        { op: 0xad, dst: 1, src: 2, off: -2 },
        { op: op.movImm, dst: 0, imm: 0 },
        { op: op.exit },
      ],
      { 2: 'get_cnx' },
    );
    expect(r.verdict).toBe('fail');
    expect(r.messages).toContain('may wrap around');
  });

  it('refuses a loop without exit and a cycle with two entries', () => {
    const spin = termination([{ op: op.movImm, dst: 0, imm: 0 }, { op: op.addImm, dst: 0, imm: 1 }, { op: op.ja, off: -2 }, { op: op.exit }]);
    expect(spin.verdict).toBe('fail');
    expect(spin.messages).toContain('has no exit');
    // if r1 == 0 goto B; A: r0 += 1; B: r0 += 1; if r0 < 10 goto A; exit
    const tangled = termination([
      { op: op.movImm, dst: 0, imm: 0 },
      { op: op.jeqImm, dst: 1, imm: 0, off: 1 },
      { op: op.addImm, dst: 0, imm: 1 },
      { op: op.addImm, dst: 0, imm: 1 },
      { op: op.jltImm, dst: 0, imm: 10, off: -3 },
      { op: op.exit },
    ]);
    expect(tangled.verdict).toBe('fail');
    expect(tangled.messages).toContain('irreducible');
  });

  it('passes loop-free code', () => {
    expect(termination([{ op: op.movImm, dst: 0, imm: 1 }, { op: op.jeqImm, dst: 1, imm: 0, off: 1 }, { op: op.movImm, dst: 0, imm: 2 }, { op: op.exit }]).verdict).toBe('pass');
  });

  it('answers on a large program with many loops and frame slots (bounded work)', () => {
    const insns: RawInsn[] = [{ op: op.movImm, dst: 0, imm: 0 }];
    for (let k = 0; k < 1000; k++) {
      insns.push({ op: op.movImm, dst: 1, imm: 0 }, { op: op.addImm, dst: 0, imm: 1 }, { op: op.addImm, dst: 1, imm: 1 }, { op: op.jltImm, dst: 1, imm: 10, off: -3 });
      insns.push({ op: op.stxdw, dst: 10, src: 0, off: -8 * (1 + (k % 200)) });
    }
    insns.push({ op: op.exit });
    const r = verifyPluglet('large.o', buildElf(insns), ['wellformed', 'termination', 'memory'], policy);
    expect(r.verdicts).toEqual({ wellformed: 'pass', termination: 'pass', memory: 'pass' });
  });
});
