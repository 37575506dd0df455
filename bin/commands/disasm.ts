// spms disasm — the instructions of a pluglet object as the verifier sees
// them: slot index, text with helper and string names, source line.
import { readFile } from 'node:fs/promises';
import { OP_LDDW } from '../../spms/verifier/insn.ts';
import { disasmAt, loadProgram } from '../../spms/verifier/program.ts';
import { EXIT, parse, runCommand, UsageError } from '../lib/cli.ts';

export const summary = 'disassemble a pluglet object (eBPF ELF)';

const USAGE = `usage: spms disasm <object.o> [--json]

  Prints each instruction of the code section PQUIC runs (the first
  PROGBITS section with flags AX): slot index, disassembly with helper
  names and string literals resolved through relocations, and the source
  line when the object has DWARF line information.

exit codes: 0 printed, 1 the object cannot be read as an eBPF ELF, 2 usage`;

export async function run(args: string[]): Promise<number> {
  return runCommand('disasm', async () => {
    const { values, positionals } = parse(args, { json: { type: 'boolean' } } as const, USAGE);
    if (values.help === true) return EXIT.ok;
    if (positionals.length !== 1) throw new UsageError(`expected one object file\n\n${USAGE}`);
    let bytes: Uint8Array;
    try {
      bytes = new Uint8Array(await readFile(positionals[0] as string));
    } catch {
      throw new UsageError(`cannot read "${positionals[0]}"`);
    }
    const loaded = loadProgram(bytes);
    if (!loaded.ok) {
      console.error(`spms disasm: ${loaded.findings.map((f) => f.message).join('; ')}`);
      return EXIT.failed;
    }
    const p = loaded.program;
    const fnAt = new Map(p.functions.map((f) => [f.start, f.name]));
    const rows: { pc: number; text: string; source?: string }[] = [];
    for (let pc = 0; pc < p.insns.length; pc++) {
      const row: { pc: number; text: string; source?: string } = { pc, text: disasmAt(p, pc) };
      const src = p.lines?.[pc];
      if (src !== undefined) row.source = `${src.file}:${src.line}`;
      rows.push(row);
      if (p.insns[pc]?.opcode === OP_LDDW) pc++;
    }
    if (values.json === true) {
      console.log(JSON.stringify({ section: p.text.name, functions: p.functions, instructions: rows }, null, 2));
      return EXIT.ok;
    }
    console.log(`section ${p.text.name}: ${p.insns.length} slots`);
    for (const r of rows) {
      const fn = fnAt.get(r.pc);
      if (fn !== undefined) console.log(`\n<${fn}>:`);
      console.log(`${String(r.pc).padStart(5)}:  ${r.text.padEnd(40)}${r.source === undefined ? '' : `  ; ${r.source}`}`);
    }
    return EXIT.ok;
  });
}
