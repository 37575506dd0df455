// Source lines from DWARF .debug_line (versions 2 to 5), so findings can name
// the C line of an instruction. Debug information is optional and untrusted:
// any defect makes the table unavailable rather than failing the analysis,
// and the work is bounded by the section's size.
import type { ElfObject } from './elf.ts';

export interface SourceLine {
  file: string;
  line: number;
}

class Reader {
  pos: number;
  private readonly dv: DataView;
  constructor(
    private readonly b: Uint8Array,
    pos: number,
    private readonly end: number,
  ) {
    this.pos = pos;
    this.dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  }
  need(n: number): void {
    if (n < 0 || this.pos + n > this.end) throw new RangeError('truncated line table');
  }
  u8(): number {
    this.need(1);
    return this.dv.getUint8(this.pos++);
  }
  i8(): number {
    this.need(1);
    return this.dv.getInt8(this.pos++);
  }
  u16(): number {
    this.need(2);
    const v = this.dv.getUint16(this.pos, true);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = this.dv.getUint32(this.pos, true);
    this.pos += 4;
    return v;
  }
  u64(): number {
    this.need(8);
    const v = this.dv.getBigUint64(this.pos, true);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new RangeError('address too large');
    return Number(v);
  }
  uleb(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * mul;
      if ((byte & 0x80) === 0) return result;
      mul *= 128;
    }
    throw new RangeError('LEB128 too long');
  }
  sleb(): number {
    let result = 0;
    let mul = 1;
    for (let i = 0; i < 10; i++) {
      const byte = this.u8();
      result += (byte & 0x7f) * mul;
      mul *= 128;
      if ((byte & 0x80) === 0) return byte & 0x40 ? result - mul : result;
    }
    throw new RangeError('LEB128 too long');
  }
  cstr(): string {
    const end = this.b.indexOf(0, this.pos);
    if (end < 0 || end >= this.end) throw new RangeError('unterminated string');
    const s = new TextDecoder().decode(this.b.subarray(this.pos, end));
    this.pos = end + 1;
    return s;
  }
}

function strAt(section: Uint8Array | undefined, offset: number): string {
  if (section === undefined || offset >= section.length) throw new RangeError('string offset out of range');
  const end = section.indexOf(0, offset);
  if (end < 0) throw new RangeError('unterminated string');
  return new TextDecoder().decode(section.subarray(offset, end));
}

const DW_FORM_block = 0x09,
  DW_FORM_data1 = 0x0b,
  DW_FORM_data2 = 0x05,
  DW_FORM_data4 = 0x06,
  DW_FORM_data8 = 0x07;
const DW_FORM_data16 = 0x1e,
  DW_FORM_string = 0x08,
  DW_FORM_strp = 0x0e,
  DW_FORM_line_strp = 0x1f,
  DW_FORM_udata = 0x0f;

function readForm(r: Reader, form: number, offset64: boolean, strs: { str?: Uint8Array; lineStr?: Uint8Array }): string | number {
  switch (form) {
    case DW_FORM_string:
      return r.cstr();
    case DW_FORM_line_strp:
      return strAt(strs.lineStr, offset64 ? r.u64() : r.u32());
    case DW_FORM_strp:
      return strAt(strs.str, offset64 ? r.u64() : r.u32());
    case DW_FORM_udata:
      return r.uleb();
    case DW_FORM_data1:
      return r.u8();
    case DW_FORM_data2:
      return r.u16();
    case DW_FORM_data4:
      return r.u32();
    case DW_FORM_data8:
      return r.u64();
    case DW_FORM_data16:
      r.need(16);
      r.pos += 16;
      return 0;
    case DW_FORM_block: {
      const n = r.uleb();
      r.need(n);
      r.pos += n;
      return 0;
    }
    default:
      throw new RangeError(`unsupported form 0x${form.toString(16)}`);
  }
}

interface Row {
  address: number;
  file: number;
  line: number;
}

function readEntries(r: Reader, offset64: boolean, strs: { str?: Uint8Array; lineStr?: Uint8Array }): { path: string; dir: number }[] {
  const formatCount = r.u8();
  const formats: [number, number][] = [];
  for (let i = 0; i < formatCount; i++) formats.push([r.uleb(), r.uleb()]);
  const count = r.uleb();
  if (count > 100000) throw new RangeError('too many entries');
  const out: { path: string; dir: number }[] = [];
  for (let i = 0; i < count; i++) {
    let path = '';
    let dir = 0;
    for (const [content, form] of formats) {
      const v = readForm(r, form, offset64, strs);
      if (content === 1) path = String(v);
      if (content === 2) dir = Number(v);
    }
    out.push({ path, dir });
  }
  return out;
}

function parseUnit(r: Reader, unitEnd: number, offset64: boolean, strs: { str?: Uint8Array; lineStr?: Uint8Array }, rows: Row[], files: string[][]): void {
  const version = r.u16();
  if (version < 2 || version > 5) throw new RangeError(`unsupported line table version ${version}`);
  if (version >= 5) {
    r.u8(); // address size
    r.u8(); // segment selector size
  }
  const headerLength = offset64 ? r.u64() : r.u32();
  const programStart = r.pos + headerLength;
  const minInst = r.u8();
  if (version >= 4) r.u8(); // maximum operations per instruction (VLIW only)
  r.u8(); // default is_stmt: every row is used
  const lineBase = r.i8();
  const lineRange = r.u8();
  const opcodeBase = r.u8();
  if (lineRange === 0 || opcodeBase === 0) throw new RangeError('bad line table header');
  const stdLengths: number[] = [];
  for (let i = 1; i < opcodeBase; i++) stdLengths.push(r.u8());
  const unitFiles: string[] = [];
  if (version >= 5) {
    const dirs = readEntries(r, offset64, strs).map((d) => d.path);
    for (const f of readEntries(r, offset64, strs)) unitFiles.push(joinPath(dirs[f.dir], f.path));
  } else {
    const dirs = [''];
    for (let s = r.cstr(); s !== ''; s = r.cstr()) dirs.push(s);
    unitFiles.push('');
    for (let s = r.cstr(); s !== ''; s = r.cstr()) {
      const dir = r.uleb();
      r.uleb();
      r.uleb();
      unitFiles.push(joinPath(dirs[dir], s));
    }
  }
  const fileBase = files.length;
  files.push(unitFiles);
  r.pos = programStart;
  let address = 0,
    file = 1,
    line = 1;
  // Every row counts, statement or not: any row is a better source hint than none.
  const emit = (): void => void rows.push({ address, file: fileBase * 65536 + file, line });
  while (r.pos < unitEnd) {
    const op = r.u8();
    if (op >= opcodeBase) {
      const adj = op - opcodeBase;
      address += Math.floor(adj / lineRange) * minInst;
      line += lineBase + (adj % lineRange);
      emit();
    } else if (op === 0) {
      const len = r.uleb();
      const end = r.pos + len;
      if (len === 0) continue;
      const sub = r.u8();
      if (sub === 1) {
        rows.push({ address, file: -1, line: 0 });
        address = 0;
        file = 1;
        line = 1;
      } else if (sub === 2) {
        address = len - 1 === 8 ? r.u64() : r.u32();
      }
      r.need(end - r.pos);
      r.pos = end;
    } else if (op === 1) emit();
    else if (op === 2) address += r.uleb() * minInst;
    else if (op === 3) line += r.sleb();
    else if (op === 4) file = r.uleb();
    else if (op === 8) address += Math.floor((255 - opcodeBase) / lineRange) * minInst;
    else if (op === 9) address += r.u16();
    else for (let k = 0; k < (stdLengths[op - 1] ?? 0); k++) r.uleb();
  }
}

function joinPath(dir: string | undefined, path: string): string {
  const joined = path.startsWith('/') || dir === undefined || dir === '' || dir === '.' ? path : `${dir}/${path}`;
  return joined.startsWith('./') ? joined.slice(2) : joined;
}

/** Source line per instruction slot of the code section, or undefined without usable debug info. */
export function lineTable(elf: ElfObject, slots: number): (SourceLine | undefined)[] | undefined {
  const sec = elf.sections.find((s) => s.name === '.debug_line');
  if (sec === undefined || sec.data.length === 0) return undefined;
  const strs = {
    str: elf.sections.find((s) => s.name === '.debug_str')?.data,
    lineStr: elf.sections.find((s) => s.name === '.debug_line_str')?.data,
  };
  try {
    const rows: Row[] = [];
    const files: string[][] = [];
    const r = new Reader(sec.data, 0, sec.data.length);
    while (r.pos < sec.data.length) {
      let length = r.u32();
      let offset64 = false;
      if (length === 0xffffffff) {
        length = r.u64();
        offset64 = true;
      }
      const unitEnd = r.pos + length;
      if (unitEnd > sec.data.length) throw new RangeError('line table unit past the section end');
      parseUnit(new Reader(sec.data, r.pos, unitEnd), unitEnd, offset64, strs, rows, files);
      r.pos = unitEnd;
    }
    const out: (SourceLine | undefined)[] = new Array<SourceLine | undefined>(slots).fill(undefined);
    for (let i = 0; i + 1 < rows.length; i++) {
      const row = rows[i];
      const next = rows[i + 1];
      if (row === undefined || next === undefined || row.file < 0 || row.line === 0) continue;
      const name = files[Math.floor(row.file / 65536)]?.[row.file % 65536];
      if (name === undefined) continue;
      const from = Math.ceil(row.address / 8);
      const to = Math.min(slots, next.file < 0 || next.address >= row.address ? Math.ceil(next.address / 8) : from + 1);
      for (let pc = from; pc < to && pc < slots; pc++) out[pc] = { file: name, line: row.line };
    }
    return out;
  } catch {
    return undefined;
  }
}
