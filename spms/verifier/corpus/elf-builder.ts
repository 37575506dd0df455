// Hand-made eBPF objects: a minimal ELF64 relocatable (code section, symbol
// and string tables, optional helper-call relocations) around instructions
// written in the tests, for shapes a compiler would not emit.

export interface RawInsn {
  op: number;
  dst?: number;
  src?: number;
  off?: number;
  imm?: number;
}

/** Helper calls to relocate: slot index -> helper name. */
export type CallRelocs = Record<number, string>;

export function buildElf(insns: RawInsn[], calls: CallRelocs = {}): Uint8Array {
  const text = new Uint8Array(insns.length * 8);
  const tv = new DataView(text.buffer);
  insns.forEach((i, pc) => {
    tv.setUint8(pc * 8, i.op);
    tv.setUint8(pc * 8 + 1, ((i.src ?? 0) << 4) | (i.dst ?? 0));
    tv.setInt16(pc * 8 + 2, i.off ?? 0, true);
    tv.setInt32(pc * 8 + 4, i.imm ?? 0, true);
  });
  const names = ['', '.text', '.strtab', '.symtab', '.rel.text'];
  const helperNames = [...new Set(Object.values(calls))];
  const strs = [...names, ...helperNames];
  const strOffsets = new Map<string, number>();
  let strtabText = '';
  for (const s of strs) {
    if (strOffsets.has(s)) continue;
    strOffsets.set(s, strtabText.length);
    strtabText += `${s}\0`;
  }
  const strtab = new TextEncoder().encode(strtabText);
  // Symbols: null, then one undefined global per helper.
  const symtab = new Uint8Array(24 * (1 + helperNames.length));
  const sv = new DataView(symtab.buffer);
  helperNames.forEach((n, k) => {
    const o = 24 * (k + 1);
    sv.setUint32(o, strOffsets.get(n) ?? 0, true);
    sv.setUint8(o + 4, 0x10); // STB_GLOBAL, STT_NOTYPE
  });
  const relEntries = Object.entries(calls);
  const rel = new Uint8Array(16 * relEntries.length);
  const rv = new DataView(rel.buffer);
  relEntries.forEach(([pc, n], k) => {
    rv.setBigUint64(16 * k, BigInt(Number(pc) * 8), true);
    rv.setBigUint64(16 * k + 8, (BigInt(helperNames.indexOf(n) + 1) << 32n) | 10n, true);
  });
  const parts = [text, strtab, symtab, rel];
  const offsets: number[] = [];
  let pos = 64;
  for (const p of parts) {
    pos = Math.ceil(pos / 8) * 8;
    offsets.push(pos);
    pos += p.length;
  }
  const shoff = Math.ceil(pos / 8) * 8;
  const out = new Uint8Array(shoff + 64 * 5);
  const dv = new DataView(out.buffer);
  out.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1, 0]);
  dv.setUint16(16, 1, true); // ET_REL
  dv.setUint16(18, 247, true); // EM_BPF
  dv.setUint32(20, 1, true);
  dv.setBigUint64(40, BigInt(shoff), true);
  dv.setUint16(52, 64, true);
  dv.setUint16(58, 64, true);
  dv.setUint16(60, 5, true);
  dv.setUint16(62, 2, true);
  parts.forEach((p, k) => out.set(p, offsets[k] ?? 0));
  const section = (idx: number, name: string, type: number, flags: number, part: number, link = 0, info = 0, entsize = 0): void => {
    const o = shoff + idx * 64;
    dv.setUint32(o, strOffsets.get(name) ?? 0, true);
    dv.setUint32(o + 4, type, true);
    dv.setBigUint64(o + 8, BigInt(flags), true);
    dv.setBigUint64(o + 24, BigInt(offsets[part] ?? 0), true);
    dv.setBigUint64(o + 32, BigInt(parts[part]?.length ?? 0), true);
    dv.setUint32(o + 40, link, true);
    dv.setUint32(o + 44, info, true);
    dv.setBigUint64(o + 56, BigInt(entsize), true);
  };
  section(1, '.text', 1, 0x6, 0);
  section(2, '.strtab', 3, 0, 1);
  section(3, '.symtab', 2, 0, 2, 2, 1, 24);
  section(4, '.rel.text', 9, 0, 3, 3, 1, 16);
  return out;
}

/** Opcodes used by the hand-made programs. */
export const op = {
  movImm: 0xb7,
  movReg: 0xbf,
  addImm: 0x07,
  subImm: 0x17,
  andImm: 0x57,
  ja: 0x05,
  jeqImm: 0x15,
  jneImm: 0x55,
  jgtImm: 0x25,
  jltImm: 0xa5,
  jsgtImm: 0x65,
  jneReg: 0x5d,
  call: 0x85,
  exit: 0x95,
  ldxdw: 0x79,
  stxdw: 0x7b,
} as const;
