// Text form of instructions, close to llvm-objdump's, with helper names and
// string literals resolved from relocations so findings read like source.
import type { Insn } from './insn.ts';
import { CLASS_ALU, CLASS_ALU64, CLASS_JMP, CLASS_LDX, CLASS_ST, CLASS_STX, OP_CALL, OP_EXIT, OP_JA, OP_LDDW, aluOp, insnClass, memSize, usesRegSource } from './insn.ts';

export interface DisasmContext {
  /** Helper name of a call instruction, by pc. */
  callNames?: ReadonlyMap<number, string>;
  /** Display form of an lddw's relocated operand (quoted literal or symbol), by pc. */
  loadNames?: ReadonlyMap<number, string>;
}

const aluSym: Record<number, string> = {
  0x00: '+=',
  0x10: '-=',
  0x20: '*=',
  0x30: '/=',
  0x40: '|=',
  0x50: '&=',
  0x60: '<<=',
  0x70: '>>=',
  0x90: '%=',
  0xa0: '^=',
  0xb0: '=',
  0xc0: 's>>=',
};
const jmpSym: Record<number, string> = {
  0x10: '==',
  0x20: '>',
  0x30: '>=',
  0x40: '&',
  0x50: '!=',
  0x60: 's>',
  0x70: 's>=',
  0xa0: '<',
  0xb0: '<=',
  0xc0: 's<',
  0xd0: 's<=',
};
const sizeName: Record<number, string> = { 1: 'u8', 2: 'u16', 4: 'u32', 8: 'u64' };

const off = (o: number): string => (o < 0 ? `- ${-o}` : `+ ${o}`);
const rel = (o: number): string => (o < 0 ? `${o}` : `+${o}`);

/** A string literal as shown in disassembly (shortened). */
export function quote(s: string): string {
  return JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s);
}

export function disassemble(i: Insn, ctx: DisasmContext = {}): string {
  const cls = insnClass(i.opcode);
  const r = (n: number, w: boolean): string => `${w ? 'w' : 'r'}${n}`;
  if (i.opcode === OP_LDDW) {
    const name = ctx.loadNames?.get(i.pc);
    return `r${i.dst} = ${name ?? (i.imm64 ?? BigInt(i.imm)).toString()} ll`;
  }
  if (cls === CLASS_ALU || cls === CLASS_ALU64) {
    const w = cls === CLASS_ALU;
    const op = aluOp(i.opcode);
    if (op === 0x80) return `${r(i.dst, w)} = -${r(i.dst, w)}`;
    if (op === 0xd0) return `${r(i.dst, false)} = ${i.opcode === 0xdc ? 'be' : 'le'}${i.imm} ${r(i.dst, false)}`;
    const sym = aluSym[op];
    if (sym === undefined) return `<unknown 0x${i.opcode.toString(16)}>`;
    return `${r(i.dst, w)} ${sym} ${usesRegSource(i.opcode) ? r(i.src, w) : String(i.imm)}`;
  }
  if (cls === CLASS_LDX) return `r${i.dst} = *(${sizeName[memSize(i.opcode)]} *)(r${i.src} ${off(i.off)})`;
  if (cls === CLASS_STX) return `*(${sizeName[memSize(i.opcode)]} *)(r${i.dst} ${off(i.off)}) = r${i.src}`;
  if (cls === CLASS_ST) return `*(${sizeName[memSize(i.opcode)]} *)(r${i.dst} ${off(i.off)}) = ${i.imm}`;
  if (cls === CLASS_JMP) {
    if (i.opcode === OP_EXIT) return 'exit';
    if (i.opcode === OP_JA) return `goto ${rel(i.off)}`;
    if (i.opcode === OP_CALL) {
      const name = ctx.callNames?.get(i.pc);
      if (name !== undefined) return `call ${name}`;
      if (i.src === 1) return `call ${rel(i.imm)} (bpf-to-bpf)`;
      return `call ${String(i.imm)}`;
    }
    const sym = jmpSym[i.opcode & 0xf0];
    if (sym !== undefined) return `if r${i.dst} ${sym} ${usesRegSource(i.opcode) ? `r${i.src}` : String(i.imm)} goto ${rel(i.off)}`;
  }
  return `<unknown 0x${i.opcode.toString(16).padStart(2, '0')}>`;
}
