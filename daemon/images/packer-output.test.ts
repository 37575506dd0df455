import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { milestone, ROLE_MILESTONES } from './build-milestones.ts';
import { parsePackerLine, uiLines, type PackerRecord } from './packer-output.ts';

// Output of `packer build -machine-readable vm-images/role/role.json` building a PR image.
const captured = readFileSync(new URL('./fixtures/packer-build-pr.machine-readable.txt', import.meta.url), 'utf8')
  .trimEnd()
  .split('\n');
const records = captured.map(parsePackerLine);
const ui = records.filter((r): r is Extract<PackerRecord, { type: 'ui' }> => r?.type === 'ui');

describe('parsePackerLine on a real build', () => {
  it('parses every line of the build', () => {
    expect(records.every((r) => r !== undefined)).toBe(true);
    expect(records[0]).toMatchObject({ type: 'ui', timestamp: 1795931536, target: '' });
  });

  it('restores commas and line breaks in the text', () => {
    expect(ui.map((r) => r.text)).toContain('==> qemu: Starting VM, booting disk image');
    const warning = ui.find((r) => r.text.includes('no hardware acceleration'));
    expect(warning?.level).toBe('message');
    expect(uiLines(warning as Extract<PackerRecord, { type: 'ui' }>)).toEqual([
      '    qemu: WARNING: The VM will be started with no hardware acceleration.',
      '    qemu: The installation may take considerably longer to finish.',
    ]);
  });

  it('reads the artifact: its files and their count', () => {
    const artifact = records.filter((r): r is Extract<PackerRecord, { type: 'artifact' }> => r?.type === 'artifact');
    expect(artifact.find((r) => r.key === 'files-count')?.values).toEqual(['1']);
    const file = artifact.find((r) => r.key === 'file');
    expect(file?.index).toBe(0);
    expect(file?.values[0]).toBe('0');
    expect(file?.values[1]).toMatch(/\/out\/disk\.qcow2$/);
    expect(records).toContainEqual({ type: 'other', timestamp: 1795931608, target: 'qemu', recordType: 'artifact-count', data: ['1'] });
  });

  it('marks the build milestones in order, ending at 1', () => {
    const fractions = ui.flatMap(uiLines).flatMap((line) => milestone(ROLE_MILESTONES, line) ?? []);
    expect(fractions.length).toBeGreaterThanOrEqual(6);
    expect([...fractions].sort((a, b) => a - b)).toEqual(fractions);
    expect(fractions.at(-1)).toBe(1);
  });
});

describe('parsePackerLine on other lines', () => {
  it('returns undefined for lines that are not machine-readable records', () => {
    expect(parsePackerLine('panic: runtime error')).toBeUndefined();
    expect(parsePackerLine('')).toBeUndefined();
    expect(parsePackerLine('12,qemu,ui,shout,x')).toBeUndefined();
    expect(parsePackerLine('12,qemu,artifact,x,file')).toBeUndefined();
  });

  it('reads error records and counts', () => {
    expect(parsePackerLine('1700000000,,ui,error,Build %!(PACKER_COMMA)qemu%!(PACKER_COMMA) errored: Timeout waiting for SSH.\n')).toEqual({
      type: 'ui',
      timestamp: 1700000000,
      target: '',
      level: 'error',
      text: 'Build ,qemu, errored: Timeout waiting for SSH.',
    });
    expect(parsePackerLine('1700000000,,error-count,1')).toEqual({ type: 'error-count', timestamp: 1700000000, target: '', count: 1 });
  });
});
