// wellformed: what PQUIC's loader checks (ELF shape, opcode whitelist, lddw
// pairs, jumps, r10 offsets, registers, division by zero, registered helpers)
// plus what it silently gets wrong (strings relocated with an addend, data
// relocations, BPF-to-BPF calls) and what a policy forbids (helper lists).
import { helperId, helpers } from '../api.ts';
import type { PlugletAnalysis } from '../analysis.ts';
import { EM_BPF, EM_NONE, SHN_UNDEF } from '../elf.ts';
import type { Finding } from '../finding.ts';
import {
  CLASS_ALU,
  CLASS_ALU64,
  CLASS_LDX,
  CLASS_ST,
  CLASS_STX,
  OP_CALL,
  OP_EXIT,
  OP_LDDW,
  aluOp,
  insnClass,
  isAllowedOpcode,
  isJump,
  refusedOpcodeReason,
  usesRegSource,
  writesDst,
} from '../insn.ts';
import { R_BPF_64_32, R_BPF_64_64, R_BPF_64_ABS64, isStringSection } from '../program.ts';

export interface WellformedOptions {
  /** Helpers a pluglet may call; undefined = every helper of the API. */
  allow?: ReadonlySet<string>;
  deny: ReadonlySet<string>;
  stackSize: number;
}

const MAX_SECTIONS = 32;
const CHECK = 'wellformed';
const helperName = new Map<number, string>();
for (const h of helpers) if (!helperName.has(h.id)) helperName.set(h.id, h.name);

export function checkWellformed(a: PlugletAnalysis, opts: WellformedOptions): Finding[] {
  const out: Finding[] = [];
  const p = a.program;
  const h = p.elf.header;
  const err = (pc: number, m: string): void => void out.push(a.at(CHECK, 'error', pc, m));
  const note = (sev: Finding['severity'], m: string): void => void out.push(a.note(CHECK, sev, m));
  if (h.osabi !== 0) note('error', `ELF OS ABI is ${h.osabi}; PQUIC requires ELFOSABI_NONE (0)`);
  if (h.type !== 1) note('error', `ELF type is ${h.type}; PQUIC loads relocatable objects (ET_REL) only`);
  if (h.machine !== EM_BPF && h.machine !== EM_NONE) note('error', `ELF machine is ${h.machine}; PQUIC expects EM_BPF (247) or EM_NONE`);
  if (h.shnum > MAX_SECTIONS) note('error', `object has ${h.shnum} sections; PQUIC's loader refuses more than ${MAX_SECTIONS} (strip debug sections)`);
  for (const idx of p.elf.relaSections) note('error', `section ${p.elf.sections[idx]?.name ?? idx} holds RELA relocations, which PQUIC's loader does not process`);

  const n = p.insns.length;
  const isHi = new Uint8Array(n + 1);
  let hasExit = false;
  for (let pc = 0; pc < n; pc++) {
    const i = p.insns[pc];
    if (i === undefined) continue;
    if (isHi[pc] === 1) continue;
    if (!isAllowedOpcode(i.opcode)) {
      err(pc, refusedOpcodeReason(i.opcode));
      continue;
    }
    if (i.opcode === OP_LDDW) {
      const hi = p.insns[pc + 1];
      if (hi === undefined) err(pc, 'lddw is the last instruction: its second half is missing');
      else if (hi.opcode !== 0 || hi.dst !== 0 || hi.src !== 0 || hi.off !== 0) err(pc, 'lddw is not followed by its second half (opcode 0, no registers, no offset)');
      isHi[pc + 1] = 1;
      if (i.src !== 0) err(pc, `lddw with source ${i.src} (map/pseudo loads) is not supported by PQUIC`);
    }
    if (i.dst > 10 || i.src > 10) err(pc, `register number out of range (dst r${i.dst}, src r${i.src})`);
    if (i.dst === 10 && writesDst(i.opcode)) err(pc, 'writes r10, the read-only frame pointer');
    const cls = insnClass(i.opcode);
    if ((cls === CLASS_ALU || cls === CLASS_ALU64) && (aluOp(i.opcode) === 0x30 || aluOp(i.opcode) === 0x90) && !usesRegSource(i.opcode) && i.imm === 0) {
      err(pc, 'division or modulo by the constant zero');
    }
    if ((cls === CLASS_LDX && i.src === 10) || ((cls === CLASS_ST || cls === CLASS_STX) && i.dst === 10)) {
      if (i.off < -opts.stackSize || i.off > 0) err(pc, `frame access at r10${i.off >= 0 ? '+' : ''}${i.off} is outside [-${opts.stackSize}, 0]`);
    }
    if (isJump(i.opcode)) {
      const t = pc + 1 + i.off;
      if (t < 0 || t >= n) err(pc, `jump target ${t} is outside the code (0..${n - 1})`);
    }
    if (i.opcode === OP_EXIT) hasExit = true;
    if (i.opcode === OP_CALL) {
      const name = p.callNames.get(pc);
      if (name !== undefined) checkHelper(name, pc);
      else if (i.src === 1) err(pc, "BPF-to-BPF call: PQUIC's loader does not support calls between functions (inline them)");
      else if (i.src !== 0) err(pc, `call with source ${i.src} is not supported`);
      else {
        const resolved = helperName.get(i.imm);
        if (resolved === undefined) err(pc, `call of helper id ${i.imm}, which PQUIC does not register`);
        else checkHelper(resolved, pc);
      }
    }
  }
  // Jumps into the second half of an lddw.
  for (let pc = 0; pc < n; pc++) {
    const i = p.insns[pc];
    if (i === undefined || isHi[pc] === 1 || !isJump(i.opcode)) continue;
    const t = pc + 1 + i.off;
    if (t >= 0 && t < n && isHi[t] === 1) err(pc, `jump into the middle of the lddw at ${t - 1}`);
  }
  if (!hasExit) note('error', 'the code has no exit instruction');

  function checkHelper(name: string, pc: number): void {
    if (helperId(name) === undefined) err(pc, `"${name}" is not a helper of PQUIC's plugin API`);
    else if (opts.deny.has(name)) err(pc, `helper "${name}" is forbidden by this validator's policy`);
    else if (opts.allow !== undefined && !opts.allow.has(name)) err(pc, `helper "${name}" is not in this validator's allow-list`);
  }

  // Relocations of the code section.
  for (const r of p.elf.relocations.get(p.text.index) ?? []) {
    const where = r.offset % 8n === 0n && r.offset < BigInt(p.text.size) ? Number(r.offset / 8n) : -1;
    const label = `relocation at offset ${r.offset} against "${r.symbol.name || (p.elf.sections[r.symbol.shndx]?.name ?? '?')}"`;
    if (where < 0) {
      note('error', `${label} does not point at an instruction of the code section`);
      continue;
    }
    const i = p.insns[where];
    if (r.type === R_BPF_64_32) {
      if (i?.opcode !== OP_CALL) err(where, `${label}: R_BPF_64_32 must apply to a call instruction`);
      else if (r.symbol.shndx !== SHN_UNDEF) err(where, `${label}: the call is relocated against a defined symbol (a BPF-to-BPF call), which PQUIC cannot load`);
    } else if (r.type === R_BPF_64_64) {
      if (i?.opcode !== OP_LDDW) {
        err(where, `${label}: R_BPF_64_64 must apply to an lddw instruction`);
        continue;
      }
      const load = p.loads.get(where);
      if (load === undefined) continue;
      if (load.section === undefined) err(where, `${label}: the loaded symbol is not defined in this object`);
      else if (!isStringSection(load.section)) err(where, `${label}: lddw loads from section ${load.section.name}, which is not a read-only string section; PQUIC only binds string literals`);
      else if (p.elf.relocations.has(load.section.index)) err(where, `${label}: section ${load.section.name} has relocations of its own (pointers), which PQUIC never applies`);
      else if (load.pquicString === undefined) err(where, `${label}: no NUL-terminated string at the symbol's value in ${load.section.name}`);
      else if (load.addend !== 0n) {
        err(
          where,
          `${label}: addend ${load.addend} — PQUIC copies the string at the symbol's value and ignores the addend, so this load would get ${JSON.stringify(load.pquicString)} instead of ${JSON.stringify(load.intendedString ?? '?')} (compile with one section per string)`,
        );
      }
    } else if (r.type !== R_BPF_64_ABS64) {
      err(where, `${label}: relocation type ${r.type} is not one PQUIC processes (1, 2 or 10)`);
    }
  }

  // Control flow and register use, on the code reachable from slot 0.
  const cfg = a.cfg;
  for (const pc of cfg.fallsOff) err(pc, 'execution can fall through past the end of the code');
  if (cfg.badJumps.length === 0 && !out.some((f) => f.severity === 'error')) {
    const abs = a.abs;
    for (const u of abs.uninit) err(u.pc, `reads r${u.reg}, which holds no value here${u.reg >= 1 && u.reg <= 5 ? ' (r1-r5 are clobbered by calls)' : ''}`);
    if (abs.gaveUp) note('error', 'register use could not be analysed (no fixpoint within budget)');
  }
  let unreachable = 0;
  for (let pc = 0; pc < n; pc++) if (cfg.blockOf[pc] === -1 && isHi[pc] !== 1) unreachable++;
  if (unreachable > 0) note('info', `${unreachable} instruction(s) are unreachable from the entry point`);
  if (p.functions.length > 1)
    note('warning', `the code section holds ${p.functions.length} functions (${p.functions.map((f) => f.name).join(', ')}); PQUIC runs only the code from the first instruction`);
  return out;
}
