// Source lines from DWARF 4 and 5 line tables of objects built by clang, and
// no crash on damaged tables.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { lineTable } from './dwarf-line.ts';
import { parseElf } from './elf.ts';
import { loadProgram } from './program.ts';

const source = `extern long get_cnx(void *cnx, int ak, int i);
long f(void *cnx)
{
    long a = get_cnx(cnx, 0, 1);
    long b = get_cnx(cnx, 0, 2);
    return a + b;
}
`;

function build(version: 4 | 5): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'spms-dwarf-'));
  writeFileSync(join(dir, 'f.c'), source);
  execFileSync('clang', ['-target', 'bpf', '-O2', `-gdwarf-${version}`, `-fdebug-prefix-map=${dir}=.`, '-c', 'f.c', '-o', 'f.o'], { cwd: dir });
  return new Uint8Array(readFileSync(join(dir, 'f.o')));
}

describe('DWARF line tables', () => {
  it.each([4, 5] as const)('maps instructions to lines with DWARF %i', (version) => {
    const loaded = loadProgram(build(version));
    if (!loaded.ok) throw new Error('object did not load');
    const p = loaded.program;
    const calls = p.insns.filter((i) => i.opcode === 0x85).map((i) => p.lines?.[i.pc]);
    expect(calls.map((s) => s?.line)).toEqual([4, 5]);
    expect(calls[0]?.file).toBe('f.c');
  });

  it('gives up quietly on a damaged table', () => {
    const bytes = build(5);
    const elf = parseElf(bytes);
    const sec = elf.sections.find((s) => s.name === '.debug_line');
    if (sec === undefined) throw new Error('no .debug_line');
    sec.data.fill(0xff, 0, Math.min(sec.data.length, 12));
    expect(lineTable(elf, 10)).toBeUndefined();
  });
});
