// Regenerates the committed byte-level mutants in mutants/: each is one of
// the corpus objects with a few bytes changed so that exactly one rule
// breaks, with the expected verdict in mutants/expect.json. Run:
//   node --import tsx spms/verifier/corpus/make-mutants.ts
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseElf, findTextSection } from '../elf.ts';
import { OP_EXIT, OP_LDDW, decode, isCondJump } from '../insn.ts';
import { buildCorpus, corpusDir } from './build.ts';
import type { Expectation } from './expectations.ts';

export const mutantsDir = join(corpusDir, 'mutants');

export interface MutantSpec extends Expectation {
  file: string;
  /** What was changed, for people reading the fixture list. */
  change: string;
}

type Patch = (bytes: Uint8Array) => string;

function text(bytes: Uint8Array): { offset: number; insns: ReturnType<typeof decode> } {
  const elf = parseElf(bytes);
  const t = findTextSection(elf);
  if (t === undefined) throw new Error('no code section');
  return { offset: t.offset, insns: decode(t.data) };
}

function slot(bytes: Uint8Array, base: number, pc: number): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset + base + pc * 8, 8);
}

const firstPc = (insns: ReturnType<typeof decode>, pred: (i: ReturnType<typeof decode>[number]) => boolean): number => {
  const i = insns.find(pred);
  if (i === undefined) throw new Error('no instruction to mutate');
  return i.pc;
};

const patches: Record<string, { from: string; patch: Patch; expect: Omit<MutantSpec, 'file' | 'change'>[] }> = {
  string_addend: {
    from: 'wf_ok',
    patch: (b) => {
      const { offset, insns } = text(b);
      const pc = firstPc(insns, (i) => i.opcode === OP_LDDW);
      slot(b, offset, pc).setInt32(4, 2, true);
      return `addend 2 on the string load at ${pc}`;
    },
    expect: [{ options: {}, check: 'wellformed', verdict: 'fail', reason: 'ignores the addend' }],
  },
  jmp32: {
    from: 'loop_input',
    patch: (b) => {
      const { offset, insns } = text(b);
      const pc = firstPc(insns, (i) => isCondJump(i.opcode));
      const v = slot(b, offset, pc);
      v.setUint8(0, (v.getUint8(0) & 0xf8) | 0x06);
      return `conditional jump at ${pc} turned into its JMP32 form`;
    },
    expect: [{ options: {}, check: 'wellformed', verdict: 'fail', reason: 'JMP32' }],
  },
  jump_into_lddw: {
    from: 'wf_ok',
    patch: (b) => {
      const { offset, insns } = text(b);
      const pc = firstPc(insns, (i) => i.opcode === OP_LDDW && i.pc > 0) - 1;
      const v = slot(b, offset, pc);
      v.setUint8(0, 0x05);
      v.setUint8(1, 0);
      v.setInt16(2, 1, true);
      v.setInt32(4, 0, true);
      return `instruction ${pc} replaced by "goto +1" into the lddw that follows`;
    },
    expect: [
      { options: {}, check: 'wellformed', verdict: 'fail', reason: 'jump into the middle of the lddw' },
      { options: {}, check: 'termination', verdict: 'fail', reason: 'not well-formed' },
    ],
  },
  div_zero: {
    from: 'loop_free',
    patch: (b) => {
      const { offset, insns } = text(b);
      const pc = firstPc(insns, (i) => i.opcode === 0xb7 && i.dst !== 0);
      const v = slot(b, offset, pc);
      v.setUint8(0, 0x37);
      v.setInt32(4, 0, true);
      return `"r${insns[pc]?.dst} = imm" at ${pc} turned into a division by 0`;
    },
    expect: [{ options: {}, check: 'wellformed', verdict: 'fail', reason: 'division or modulo by the constant zero' }],
  },
  write_r10: {
    from: 'loop_free',
    patch: (b) => {
      const { offset, insns } = text(b);
      const pc = firstPc(insns, (i) => i.opcode === 0xb7);
      const v = slot(b, offset, pc);
      v.setUint8(1, (v.getUint8(1) & 0xf0) | 10);
      return `move at ${pc} retargeted to r10`;
    },
    expect: [{ options: {}, check: 'wellformed', verdict: 'fail', reason: 'writes r10' }],
  },
  fall_off: {
    from: 'wf_ok',
    patch: (b) => {
      const { offset, insns } = text(b);
      const pc = insns.length - 1;
      if (insns[pc]?.opcode !== OP_EXIT) throw new Error('last instruction is not exit');
      const v = slot(b, offset, pc);
      v.setUint8(0, 0xb7);
      return `final exit at ${pc} replaced by "r0 = 0"`;
    },
    expect: [{ options: {}, check: 'wellformed', verdict: 'fail', reason: 'fall through past the end' }],
  },
  frame_1000: {
    from: 'mem_ok',
    patch: (b) => {
      const { offset, insns } = text(b);
      const pc = firstPc(insns, (i) => (i.opcode === 0x7b || i.opcode === 0x7a) && i.dst === 10);
      slot(b, offset, pc).setInt16(2, -1000, true);
      return `frame store at ${pc} moved to r10-1000`;
    },
    expect: [
      { options: {}, check: 'memory', verdict: 'pass' },
      { options: {}, check: 'wellformed', verdict: 'pass' },
      { options: { stack: 512 }, check: 'memory', verdict: 'fail', reason: 'leaves the 512-byte stack' },
      { options: { stack: 512 }, check: 'wellformed', verdict: 'fail', reason: 'outside [-512, 0]' },
    ],
  },
  frame_3000: {
    from: 'mem_ok',
    patch: (b) => {
      const { offset, insns } = text(b);
      const pc = firstPc(insns, (i) => (i.opcode === 0x7b || i.opcode === 0x7a) && i.dst === 10);
      slot(b, offset, pc).setInt16(2, -3000, true);
      return `frame store at ${pc} moved to r10-3000`;
    },
    expect: [
      { options: {}, check: 'wellformed', verdict: 'fail', reason: 'outside [-2048, 0]' },
      { options: {}, check: 'memory', verdict: 'fail', reason: 'leaves the 2048-byte stack' },
    ],
  },
  reloc_type: {
    from: 'loop_free',
    patch: (b) => {
      const elf = parseElf(b);
      const t = findTextSection(elf);
      const rel = elf.sections.find((s) => s.type === 9 && s.info === t?.index);
      if (rel === undefined) throw new Error('no code relocations');
      const v = new DataView(b.buffer, b.byteOffset + rel.offset + 8, 4);
      v.setUint32(0, 3, true);
      return 'first code relocation retyped to R_BPF_64_ABS32 (3)';
    },
    expect: [{ options: {}, check: 'wellformed', verdict: 'fail', reason: 'relocation type 3' }],
  },
  uninit_read: {
    from: 'loop_free',
    patch: (b) => {
      const { offset, insns } = text(b);
      const pc = firstPc(insns, (i) => i.opcode === 0xbf && i.src === 1);
      const v = slot(b, offset, pc);
      v.setUint8(1, (v.getUint8(1) & 0x0f) | (9 << 4));
      return `"r${insns[pc]?.dst} = r1" at ${pc} now reads r9, never written`;
    },
    expect: [{ options: {}, check: 'wellformed', verdict: 'fail', reason: 'reads r9, which holds no value' }],
  },
  bad_opcode: {
    from: 'loop_free',
    patch: (b) => {
      const { offset } = text(b);
      slot(b, offset, 0).setUint8(0, 0xff);
      return 'opcode of instruction 0 set to 0xff';
    },
    expect: [{ options: {}, check: 'wellformed', verdict: 'fail', reason: 'unknown opcode 0xff' }],
  },
};

export async function makeMutants(outDir: string = mutantsDir): Promise<MutantSpec[]> {
  const corpus = await buildCorpus();
  await mkdir(outDir, { recursive: true });
  const specs: MutantSpec[] = [];
  for (const [name, m] of Object.entries(patches)) {
    const base = corpus.find((e) => e.name === m.from)?.object;
    if (base === undefined) throw new Error(`corpus object ${m.from} did not build`);
    const bytes = new Uint8Array(base);
    const change = `${m.from}.o: ${m.patch(bytes)}`;
    await writeFile(join(outDir, `${name}.o`), bytes);
    for (const e of m.expect) specs.push({ file: `${name}.o`, change, ...e });
  }
  await writeFile(join(outDir, 'expect.json'), `${JSON.stringify(specs, null, 2)}\n`);
  return specs;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  const specs = await makeMutants();
  console.log(`${new Set(specs.map((s) => s.file)).size} mutants written to ${mutantsDir}`);
}
