// A defensive ELF64 reader for eBPF relocatable objects. Every header field,
// offset and size is checked against the file before use, the work done is
// bounded by the (limited) numbers of sections, symbols and relocations, and
// any defect is an ElfFormatError with a precise reason, never a crash.
import { VerifierError } from './errors.ts';

export class ElfFormatError extends VerifierError {
  constructor(code: string, message: string) {
    super(code, message);
    this.name = 'ElfFormatError';
  }
}

export const SHT_PROGBITS = 1;
export const SHT_SYMTAB = 2;
export const SHT_STRTAB = 3;
export const SHT_RELA = 4;
export const SHT_NOBITS = 8;
export const SHT_REL = 9;
export const SHF_WRITE = 0x1;
export const SHF_ALLOC = 0x2;
export const SHF_EXECINSTR = 0x4;
export const EM_NONE = 0;
export const EM_BPF = 247;
export const STT_FUNC = 2;
export const SHN_UNDEF = 0;

/** Limits well above what a pluglet needs; they bound the reader's work. */
const MAX_FILE_BYTES = 16 * 1024 * 1024;
const MAX_SECTIONS_READ = 1024;
const MAX_SYMBOLS = 65536;
const MAX_RELOCATIONS = 262144;
const MAX_NAME_BYTES = 4096;

export interface ElfHeader {
  osabi: number;
  type: number;
  machine: number;
  version: number;
  flags: number;
  shnum: number;
  shstrndx: number;
}

export interface ElfSection {
  index: number;
  name: string;
  type: number;
  flags: bigint;
  offset: number;
  size: number;
  link: number;
  info: number;
  entsize: number;
  /** The section's bytes (empty for NOBITS). */
  data: Uint8Array;
}

export interface ElfSymbol {
  index: number;
  name: string;
  value: bigint;
  size: bigint;
  type: number;
  bind: number;
  shndx: number;
}

export interface ElfRelocation {
  offset: bigint;
  type: number;
  symbol: ElfSymbol;
}

export interface ElfObject {
  header: ElfHeader;
  sections: ElfSection[];
  symbols: ElfSymbol[];
  /** REL relocations by the index of the section they apply to. */
  relocations: Map<number, ElfRelocation[]>;
  /** Indexes of RELA sections (not supported by PQUIC's loader). */
  relaSections: number[];
}

function fail(code: string, message: string): never {
  throw new ElfFormatError(code, message);
}

function toNumber(v: bigint, limit: number, what: string): number {
  if (v > BigInt(limit)) fail('elf-range', `${what} (${v}) exceeds ${limit}`);
  return Number(v);
}

function slice(bytes: Uint8Array, offset: number, size: number, what: string): Uint8Array {
  if (offset > bytes.length || size > bytes.length - offset) {
    fail('elf-bounds', `${what} [${offset}, +${size}) lies outside the ${bytes.length}-byte file`);
  }
  return bytes.subarray(offset, offset + size);
}

function cString(table: Uint8Array, offset: number, what: string): string {
  if (offset >= table.length) {
    if (offset === 0 && table.length === 0) return '';
    fail('elf-string', `${what} name offset ${offset} is outside its string table (${table.length} bytes)`);
  }
  const end = table.indexOf(0, offset);
  if (end < 0) fail('elf-string', `${what} name at offset ${offset} is not NUL-terminated`);
  if (end - offset > MAX_NAME_BYTES) fail('elf-string', `${what} name at offset ${offset} is longer than ${MAX_NAME_BYTES} bytes`);
  let s = '';
  for (let i = offset; i < end; i++) s += String.fromCharCode(table[i] ?? 0);
  return s;
}

export function parseElf(bytes: Uint8Array): ElfObject {
  if (bytes.length > MAX_FILE_BYTES) fail('elf-size', `object is larger than ${MAX_FILE_BYTES} bytes`);
  if (bytes.length < 64) fail('elf-truncated', `object has ${bytes.length} bytes, fewer than an ELF64 header (64)`);
  if (bytes[0] !== 0x7f || bytes[1] !== 0x45 || bytes[2] !== 0x4c || bytes[3] !== 0x46) fail('elf-magic', 'not an ELF file (bad magic)');
  if (bytes[4] !== 2) fail('elf-class', 'not ELFCLASS64');
  if (bytes[5] !== 1) fail('elf-endian', 'not little-endian (ELFDATA2LSB)');
  if (bytes[6] !== 1) fail('elf-version', `ELF identification version ${bytes[6]} is not 1`);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const header: ElfHeader = {
    osabi: bytes[7] ?? 0,
    type: dv.getUint16(16, true),
    machine: dv.getUint16(18, true),
    version: dv.getUint32(20, true),
    flags: dv.getUint32(48, true),
    shnum: dv.getUint16(60, true),
    shstrndx: dv.getUint16(62, true),
  };
  const shoff = toNumber(dv.getBigUint64(40, true), bytes.length, 'section header offset');
  const shentsize = dv.getUint16(58, true);
  if (header.shnum === 0) fail('elf-sections', 'object has no section headers');
  if (header.shnum > MAX_SECTIONS_READ) fail('elf-sections', `object has ${header.shnum} sections (more than ${MAX_SECTIONS_READ})`);
  if (shentsize !== 64) fail('elf-shentsize', `section header entry size is ${shentsize}, expected 64`);
  slice(bytes, shoff, header.shnum * 64, 'section header table');
  if (header.shstrndx >= header.shnum) fail('elf-shstrndx', `section name table index ${header.shstrndx} is out of range`);

  const raw: Omit<ElfSection, 'name'>[] = [];
  const nameOffsets: number[] = [];
  for (let i = 0; i < header.shnum; i++) {
    const o = shoff + i * 64;
    const type = dv.getUint32(o + 4, true);
    const offset = toNumber(dv.getBigUint64(o + 24, true), bytes.length, `section ${i} offset`);
    const size = type === SHT_NOBITS ? 0 : toNumber(dv.getBigUint64(o + 32, true), bytes.length, `section ${i} size`);
    nameOffsets.push(dv.getUint32(o, true));
    raw.push({
      index: i,
      type,
      flags: dv.getBigUint64(o + 8, true),
      offset,
      size,
      link: dv.getUint32(o + 40, true),
      info: dv.getUint32(o + 44, true),
      entsize: toNumber(dv.getBigUint64(o + 56, true), 1 << 20, `section ${i} entry size`),
      data: i === 0 || type === SHT_NOBITS ? new Uint8Array(0) : slice(bytes, offset, size, `section ${i}`),
    });
  }
  const shstr = raw[header.shstrndx];
  if (shstr === undefined || shstr.type !== SHT_STRTAB) fail('elf-shstrndx', `section name table (section ${header.shstrndx}) is not a string table`);
  const sections: ElfSection[] = raw.map((s, i) => ({ ...s, name: i === 0 ? '' : cString(shstr.data, nameOffsets[i] ?? 0, `section ${i}`) }));

  const symtabs = sections.filter((s) => s.type === SHT_SYMTAB);
  if (symtabs.length > 1) fail('elf-symtab', `object has ${symtabs.length} symbol tables, expected at most one`);
  const symbols: ElfSymbol[] = [];
  const symtab = symtabs[0];
  if (symtab !== undefined) {
    if (symtab.size % 24 !== 0) fail('elf-symtab', `symbol table size ${symtab.size} is not a multiple of 24`);
    const strtab = sections[symtab.link];
    if (strtab === undefined || strtab.type !== SHT_STRTAB) fail('elf-symtab', `symbol table links to section ${symtab.link}, which is not a string table`);
    const count = symtab.size / 24;
    if (count > MAX_SYMBOLS) fail('elf-symtab', `object has ${count} symbols (more than ${MAX_SYMBOLS})`);
    const sdv = new DataView(symtab.data.buffer, symtab.data.byteOffset, symtab.data.byteLength);
    for (let i = 0; i < count; i++) {
      const o = i * 24;
      const info = sdv.getUint8(o + 4);
      symbols.push({
        index: i,
        name: cString(strtab.data, sdv.getUint32(o, true), `symbol ${i}`),
        type: info & 0xf,
        bind: info >> 4,
        shndx: sdv.getUint16(o + 6, true),
        value: sdv.getBigUint64(o + 8, true),
        size: sdv.getBigUint64(o + 16, true),
      });
    }
  }

  const relocations = new Map<number, ElfRelocation[]>();
  const relaSections: number[] = [];
  let relocationCount = 0;
  for (const s of sections) {
    if (s.type === SHT_RELA) relaSections.push(s.index);
    if (s.type !== SHT_REL) continue;
    if (s.size % 16 !== 0) fail('elf-rel', `relocation section ${s.name || s.index} size ${s.size} is not a multiple of 16`);
    if (symtab === undefined || s.link !== symtab.index) fail('elf-rel', `relocation section ${s.name || s.index} does not link to the symbol table`);
    if (s.info === 0 || s.info >= sections.length) fail('elf-rel', `relocation section ${s.name || s.index} applies to section ${s.info}, which does not exist`);
    const count = s.size / 16;
    relocationCount += count;
    if (relocationCount > MAX_RELOCATIONS) fail('elf-rel', `object has more than ${MAX_RELOCATIONS} relocations`);
    const rdv = new DataView(s.data.buffer, s.data.byteOffset, s.data.byteLength);
    const list = relocations.get(s.info) ?? [];
    for (let i = 0; i < count; i++) {
      const info = rdv.getBigUint64(i * 16 + 8, true);
      const symIndex = Number(info >> 32n);
      const symbol = symbols[symIndex];
      if (symbol === undefined) fail('elf-rel', `relocation ${i} of ${s.name || s.index} names symbol ${symIndex}, which does not exist`);
      list.push({ offset: rdv.getBigUint64(i * 16, true), type: Number(info & 0xffffffffn), symbol });
    }
    relocations.set(s.info, list);
  }
  return { header, sections, symbols, relocations, relaSections };
}

/** PQUIC's code section: the first PROGBITS section whose flags are exactly AX. */
export function findTextSection(elf: ElfObject): ElfSection | undefined {
  return elf.sections.find((s) => s.type === SHT_PROGBITS && s.flags === BigInt(SHF_ALLOC | SHF_EXECINSTR));
}
