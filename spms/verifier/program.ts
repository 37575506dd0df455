// A pluglet as the analyses see it: the code section decoded into slots, with
// helper calls and string loads resolved through relocations, functions, and
// source lines. Loading fails (as findings, never by throwing) only when the
// object cannot be read at all; every rule violation is left to the checks.
import type { ElfObject, ElfSection } from './elf.ts';
import { ElfFormatError, STT_FUNC, SHF_ALLOC, SHF_EXECINSTR, SHF_WRITE, SHT_PROGBITS, findTextSection, parseElf } from './elf.ts';
import type { Finding } from './finding.ts';
import type { Insn } from './insn.ts';
import { OP_CALL, OP_LDDW, decode } from './insn.ts';
import { disassemble, quote } from './disasm.ts';
import type { SourceLine } from './dwarf-line.ts';
import { lineTable } from './dwarf-line.ts';

/** Upper bound on instructions, as in uBPF. */
export const MAX_INSNS = 65536;

export const R_BPF_64_64 = 1;
export const R_BPF_64_ABS64 = 2;
export const R_BPF_64_32 = 10;

export interface StringLoad {
  /** Symbol the relocation names. */
  symbol: string;
  /** Section holding the symbol, if defined. */
  section?: ElfSection;
  /** The string PQUIC copies: bytes at the symbol's value up to the first NUL. */
  pquicString?: string;
  /** The string the code means: at the symbol's value plus the addend. */
  intendedString?: string;
  addend: bigint;
}

export interface Program {
  elf: ElfObject;
  text: ElfSection;
  insns: Insn[];
  /** Helper name of each relocated call, by pc. */
  callNames: Map<number, string>;
  /** Relocated lddw loads, by pc. */
  loads: Map<number, StringLoad>;
  /** Function entry slots (0 first), from FUNC symbols of the code section. */
  functions: { name: string; start: number }[];
  lines: (SourceLine | undefined)[] | undefined;
}

export type LoadResult = { ok: true; program: Program } | { ok: false; findings: Finding[] };

function stringAt(section: ElfSection, offset: bigint): string | undefined {
  if (offset < 0n || offset >= BigInt(section.data.length)) return undefined;
  const start = Number(offset);
  const end = section.data.indexOf(0, start);
  if (end < 0) return undefined;
  return new TextDecoder('utf-8', { fatal: false }).decode(section.data.subarray(start, end));
}

/** A string section: allocated, read-only, not code. */
export function isStringSection(s: ElfSection): boolean {
  return s.type === SHT_PROGBITS && (s.flags & BigInt(SHF_ALLOC)) !== 0n && (s.flags & BigInt(SHF_WRITE | SHF_EXECINSTR)) === 0n;
}

export function loadProgram(bytes: Uint8Array, pluglet?: string): LoadResult {
  const refuse = (message: string): LoadResult => ({ ok: false, findings: [{ check: 'wellformed', severity: 'error', ...(pluglet === undefined ? {} : { pluglet }), message }] });
  let elf: ElfObject;
  try {
    elf = parseElf(bytes);
  } catch (e) {
    if (e instanceof ElfFormatError) return refuse(`malformed ELF: ${e.message}`);
    return refuse(`malformed ELF: ${e instanceof Error ? e.message : String(e)}`);
  }
  const text = findTextSection(elf);
  if (text === undefined) return refuse('no code section: PQUIC runs the first PROGBITS section with flags exactly AX, and there is none');
  if (text.size === 0) return refuse(`code section ${text.name} is empty`);
  if (text.size % 8 !== 0) return refuse(`code section ${text.name} is ${text.size} bytes, not a whole number of 8-byte instructions`);
  if (text.size / 8 > MAX_INSNS) return refuse(`code section has ${text.size / 8} instructions, more than uBPF's ${MAX_INSNS}`);
  const insns = decode(text.data);
  const callNames = new Map<number, string>();
  const loads = new Map<number, StringLoad>();
  for (const r of elf.relocations.get(text.index) ?? []) {
    if (r.offset % 8n !== 0n || r.offset >= BigInt(text.size)) continue;
    const pc = Number(r.offset / 8n);
    const insn = insns[pc];
    if (insn === undefined) continue;
    // LLVM marks relocated helper calls as pseudo calls (src 1); the undefined symbol makes them helper calls.
    if (r.type === R_BPF_64_32 && insn.opcode === OP_CALL && r.symbol.shndx === 0) callNames.set(pc, r.symbol.name);
    if (r.type === R_BPF_64_64 && insn.opcode === OP_LDDW) {
      const section = elf.sections[r.symbol.shndx];
      const addend = insn.imm64 ?? 0n;
      const load: StringLoad = { symbol: r.symbol.name || section?.name || `#${r.symbol.index}`, addend };
      if (section !== undefined && r.symbol.shndx !== 0 && r.symbol.shndx < 0xff00) {
        load.section = section;
        const ps = stringAt(section, r.symbol.value);
        if (ps !== undefined) load.pquicString = ps;
        const is = stringAt(section, r.symbol.value + addend);
        if (is !== undefined) load.intendedString = is;
      }
      loads.set(pc, load);
    }
  }
  const starts = new Map<number, string>([[0, 'entry']]);
  for (const s of elf.symbols) {
    if (s.type === STT_FUNC && s.shndx === text.index && s.value % 8n === 0n && s.value < BigInt(text.size)) {
      const pc = Number(s.value / 8n);
      if (pc === 0 || !starts.has(pc) || starts.get(pc) === 'entry') starts.set(pc, s.name);
    }
  }
  const functions = [...starts].map(([start, name]) => ({ name, start })).sort((a, b) => a.start - b.start);
  return { ok: true, program: { elf, text, insns, callNames, loads, functions, lines: lineTable(elf, insns.length) } };
}

/** Disassembly of one slot with names resolved. */
export function disasmAt(p: Program, pc: number): string {
  const insn = p.insns[pc];
  if (insn === undefined) return '';
  const loadNames = new Map<number, string>();
  const load = p.loads.get(pc);
  if (load !== undefined) loadNames.set(pc, load.section !== undefined && isStringSection(load.section) && load.intendedString !== undefined ? quote(load.intendedString) : load.symbol);
  return disassemble(insn, { callNames: p.callNames, loadNames });
}

/** A finding located at one instruction, with its disassembly and source line. */
export function findingAt(p: Program, check: string, severity: Finding['severity'], pc: number, message: string, pluglet?: string): Finding {
  const f: Finding = { check, severity, instruction: pc, disasm: disasmAt(p, pc), message };
  const src = p.lines?.[pc];
  if (src !== undefined) f.source = { file: src.file, line: src.line };
  if (pluglet !== undefined) f.pluglet = pluglet;
  return f;
}
