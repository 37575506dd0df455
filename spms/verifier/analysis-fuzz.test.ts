// Random instruction streams in well-formed ELF containers: every analysis
// terminates and answers, and none hits an internal error, whatever the
// control flow (back jumps, jumps out of range, lddw halves, calls).
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { RawInsn } from './corpus/elf-builder.ts';
import { buildElf } from './corpus/elf-builder.ts';
import type { CheckPolicy } from './pluglet-report.ts';
import { CHECK_NAMES, verifyPluglet } from './pluglet-report.ts';
import { loadSpecs } from './specs.ts';

const policy: CheckPolicy = { stackSize: 2048, denyHelpers: new Set(), assumeFiniteLists: true, specs: loadSpecs(), requireSpec: false };

const opcodes = [
  0x07, 0x0f, 0x17, 0x1f, 0x27, 0x37, 0x47, 0x57, 0x5f, 0x67, 0x77, 0x87, 0x97, 0xa7, 0xb7, 0xbf, 0xc7, 0x04, 0x0c, 0xb4, 0xbc, 0x05, 0x15, 0x1d, 0x25, 0x2d, 0x35, 0x45, 0x55, 0x5d, 0x65, 0x6d, 0x75,
  0xa5, 0xad, 0xb5, 0xc5, 0xd5, 0x18, 0x00, 0x61, 0x69, 0x71, 0x79, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b, 0x85, 0x95, 0x06, 0xdb, 0xff,
];

const insn: fc.Arbitrary<RawInsn> = fc.record({
  op: fc.constantFrom(...opcodes),
  dst: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.integer({ min: 0, max: 15 })),
  src: fc.oneof(fc.integer({ min: 0, max: 10 }), fc.constant(1)),
  off: fc.oneof(fc.integer({ min: -8, max: 8 }), fc.integer({ min: -2100, max: 100 })),
  imm: fc.oneof(fc.integer({ min: -4, max: 40 }), fc.integer()),
});

describe('analyses on random programs', () => {
  it('always answer, never with an internal error', () => {
    fc.assert(
      fc.property(
        fc.array(insn, { minLength: 1, maxLength: 60 }),
        fc.dictionary(fc.integer({ min: 0, max: 59 }).map(String), fc.constantFrom('get_cnx', 'set_cnx', 'my_memcpy', 'my_malloc', 'plugin_run_protoop', 'get_pkt', 'socket')),
        (insns, calls) => {
          const relocs: Record<number, string> = {};
          for (const [pc, name] of Object.entries(calls)) if (Number(pc) < insns.length) relocs[Number(pc)] = name;
          const r = verifyPluglet('random.o', buildElf(insns, relocs), CHECK_NAMES, policy, { protoop: 'congestion_algorithm_notify' });
          for (const c of CHECK_NAMES) expect(['pass', 'fail']).toContain(r.verdicts[c]);
          expect(r.findings.filter((f) => f.message.startsWith('internal analysis error'))).toEqual([]);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('answer on random programs whose jumps all stay in the code (loops of every shape)', () => {
    const body = fc.array(
      insn.filter((i) => i.op !== 0x18 && i.op !== 0x00),
      { minLength: 2, maxLength: 50 },
    );
    fc.assert(
      fc.property(body, (raw) => {
        // Retarget every jump inside the code and end with an exit.
        const insns = raw.map((i, pc) => ((i.op & 0x07) === 0x05 && i.op !== 0x85 && i.op !== 0x95 ? { ...i, off: ((((i.off ?? 0) % raw.length) + raw.length) % raw.length) - pc - 1 } : i));
        insns.push({ op: 0x95 });
        const r = verifyPluglet('loops.o', buildElf(insns, Object.fromEntries(insns.map((i, pc) => [pc, 'get_cnx'] as const).filter(([pc]) => insns[pc]?.op === 0x85))), CHECK_NAMES, policy, {
          protoop: 'update_rtt',
        });
        for (const c of CHECK_NAMES) expect(['pass', 'fail']).toContain(r.verdicts[c]);
        expect(r.findings.filter((f) => f.message.startsWith('internal analysis error') || f.message.includes('jump target'))).toEqual([]);
      }),
      { numRuns: 400 },
    );
  });
});
