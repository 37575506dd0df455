// Packer's -machine-readable output: one record a line,
// `timestamp,target,type,data...`, with commas inside the data written as
// `%!(PACKER_COMMA)` and line breaks as the two characters `\n`.
// (https://developer.hashicorp.com/packer/docs/commands#machine-readable-output)

export type PackerRecord =
  /** What Packer shows a person: `say` (a step), `message` (output of the build), `error`. */
  | { type: 'ui'; timestamp: number; target: string; level: 'say' | 'message' | 'error'; text: string }
  /** One fact of artifact `index`, e.g. key `file` with values ['0', '/path/disk.qcow2']. */
  | { type: 'artifact'; timestamp: number; target: string; index: number; key: string; values: string[] }
  | { type: 'error-count'; timestamp: number; target: string; count: number }
  /** Any other record type (version, artifact-count, ...), unparsed. */
  | { type: 'other'; timestamp: number; target: string; recordType: string; data: string[] };

const unescape = (field: string): string => field.replaceAll('%!(PACKER_COMMA)', ',').replaceAll('\\n', '\n').replaceAll('\\r', '\r');

/** The record of one output line; undefined for a line that is not one (Packer writes a few plain lines, e.g. on a crash). */
export function parsePackerLine(line: string): PackerRecord | undefined {
  const fields = line.replace(/\r?\n$/, '').split(',');
  const [time, target, type, ...rest] = fields;
  if (time === undefined || !/^\d+$/.test(time) || target === undefined || type === undefined || type === '') return undefined;
  const timestamp = Number(time);
  const data = rest.map(unescape);
  if (type === 'ui') {
    const [level, ...text] = data;
    if (level !== 'say' && level !== 'message' && level !== 'error') return undefined;
    return { type: 'ui', timestamp, target, level, text: text.join(',') };
  }
  if (type === 'artifact') {
    const [index, key, ...values] = data;
    if (index === undefined || !/^\d+$/.test(index) || key === undefined) return undefined;
    return { type: 'artifact', timestamp, target, index: Number(index), key, values };
  }
  if (type === 'error-count' && data[0] !== undefined && /^\d+$/.test(data[0])) return { type: 'error-count', timestamp, target, count: Number(data[0]) };
  return { type: 'other', timestamp, target, recordType: type, data };
}

/** The lines a person reads of a `ui` record: Packer's prefixes kept; empty lines, also those with only a prefix (`    qemu:`), dropped. */
export function uiLines(record: Extract<PackerRecord, { type: 'ui' }>): string[] {
  return record.text
    .split('\n')
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '' && !/^\s*[\w.-]+:$/.test(l));
}
