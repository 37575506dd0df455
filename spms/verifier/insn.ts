// eBPF instructions: decoding of the 8-byte slots and the classification of
// opcodes the analyses need. `lddw` occupies two slots; the second slot is
// kept (as `kind: 'lddw-hi'`) so instruction indexes stay slot indexes, which
// is what jump offsets, relocations and PQUIC's messages count in.

export const CLASS_LD = 0x00;
export const CLASS_LDX = 0x01;
export const CLASS_ST = 0x02;
export const CLASS_STX = 0x03;
export const CLASS_ALU = 0x04;
export const CLASS_JMP = 0x05;
export const CLASS_JMP32 = 0x06;
export const CLASS_ALU64 = 0x07;

export const OP_LDDW = 0x18;
export const OP_CALL = 0x85;
export const OP_EXIT = 0x95;
export const OP_JA = 0x05;

export interface Insn {
  /** Slot index. */
  pc: number;
  opcode: number;
  dst: number;
  src: number;
  off: number;
  imm: number;
  /** For lddw: the full 64-bit immediate. */
  imm64?: bigint;
}

export function decode(text: Uint8Array): Insn[] {
  const dv = new DataView(text.buffer, text.byteOffset, text.byteLength);
  const count = Math.floor(text.length / 8);
  const out: Insn[] = [];
  for (let pc = 0; pc < count; pc++) {
    const o = pc * 8;
    const regs = dv.getUint8(o + 1);
    out.push({ pc, opcode: dv.getUint8(o), dst: regs & 0xf, src: regs >> 4, off: dv.getInt16(o + 2, true), imm: dv.getInt32(o + 4, true) });
  }
  for (let pc = 0; pc + 1 < out.length; pc++) {
    const i = out[pc];
    const hi = out[pc + 1];
    if (i !== undefined && hi !== undefined && i.opcode === OP_LDDW) {
      i.imm64 = (BigInt(hi.imm >>> 0) << 32n) | BigInt(i.imm >>> 0);
      pc++;
    }
  }
  return out;
}

export const insnClass = (opcode: number): number => opcode & 0x07;
export const aluOp = (opcode: number): number => opcode & 0xf0;
export const usesRegSource = (opcode: number): boolean => (opcode & 0x08) !== 0;
export const memSize = (opcode: number): number => [4, 2, 1, 8][(opcode >> 3) & 0x3] ?? 8;

/** Opcodes PQUIC's uBPF accepts (no JMP32, no callx, no atomics, no legacy packet loads). */
const allowed = new Set<number>();
for (const cls of [CLASS_ALU, CLASS_ALU64]) {
  for (const op of [0x00, 0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0x90, 0xa0, 0xb0, 0xc0]) {
    allowed.add(cls | op);
    allowed.add(cls | op | 0x08);
  }
  allowed.add(cls | 0x80);
}
allowed.add(0xd4); // le
allowed.add(0xdc); // be
for (const op of [0x10, 0x20, 0x30, 0x40, 0x50, 0x60, 0x70, 0xa0, 0xb0, 0xc0, 0xd0]) {
  allowed.add(CLASS_JMP | op);
  allowed.add(CLASS_JMP | op | 0x08);
}
for (const op of [OP_JA, OP_CALL, OP_EXIT, OP_LDDW, 0x61, 0x69, 0x71, 0x79, 0x62, 0x6a, 0x72, 0x7a, 0x63, 0x6b, 0x73, 0x7b]) allowed.add(op);

export function isAllowedOpcode(opcode: number): boolean {
  return allowed.has(opcode);
}

/** Why an opcode is refused, for the classes PQUIC refuses on purpose. */
export function refusedOpcodeReason(opcode: number): string {
  const cls = insnClass(opcode);
  if (cls === CLASS_JMP32) return "JMP32 instructions are not supported by PQUIC's uBPF (compile for -mcpu=v1 or v2)";
  if (opcode === 0x8d) return 'indirect calls (callx) are not supported';
  if (opcode === 0xc3 || opcode === 0xdb) return 'atomic instructions are not supported';
  if (cls === CLASS_LD) return 'legacy packet loads (LD_ABS/LD_IND) and non-lddw loads are not supported';
  return `unknown opcode 0x${opcode.toString(16).padStart(2, '0')}`;
}

export function isCondJump(opcode: number): boolean {
  return insnClass(opcode) === CLASS_JMP && opcode !== OP_JA && opcode !== OP_CALL && opcode !== OP_EXIT;
}

export function isJump(opcode: number): boolean {
  return opcode === OP_JA || isCondJump(opcode);
}

/** Whether the instruction writes its dst register. */
export function writesDst(opcode: number): boolean {
  const c = insnClass(opcode);
  return c === CLASS_ALU || c === CLASS_ALU64 || c === CLASS_LDX || opcode === OP_LDDW;
}
