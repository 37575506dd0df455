import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { IMAGE_ID_LENGTH, InputHash } from './input-hash.ts';

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'spms-input-hash-'));
  mkdirSync(join(dir, 'recipe', 'files'), { recursive: true });
  writeFileSync(join(dir, 'recipe', 'build.sh'), '#!/bin/sh\necho build\n');
  writeFileSync(join(dir, 'recipe', 'files', 'unit.service'), '[Unit]\n');
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const idOf = (): string => new InputHash().tree('recipe', join(dir, 'recipe')).text('tool', 'mmdebstrap 1.3.5').id();

describe('InputHash', () => {
  it('is stable for unchanged inputs', () => {
    const first = idOf();
    expect(first).toMatch(new RegExp(`^[0-9a-f]{${IMAGE_ID_LENGTH}}$`));
    expect(idOf()).toBe(first);
  });

  it('changes when a recipe file changes, is added or becomes executable', () => {
    const before = idOf();
    writeFileSync(join(dir, 'recipe', 'files', 'unit.service'), '[Unit]\nDescription=x\n');
    const edited = idOf();
    expect(edited).not.toBe(before);
    writeFileSync(join(dir, 'recipe', 'files', 'extra.conf'), '');
    const added = idOf();
    expect(added).not.toBe(edited);
    chmodSync(join(dir, 'recipe', 'files', 'extra.conf'), 0o755);
    expect(idOf()).not.toBe(added);
  });

  it('changes when a file moves, even with the same contents', () => {
    const before = idOf();
    rmSync(join(dir, 'recipe', 'files', 'unit.service'));
    writeFileSync(join(dir, 'recipe', 'unit.service'), '[Unit]\n');
    expect(idOf()).not.toBe(before);
  });

  it('changes with a named value, and tells values apart from labels', () => {
    expect(new InputHash().text('tool', 'mmdebstrap 1.3.6').id()).not.toBe(new InputHash().text('tool', 'mmdebstrap 1.3.5').id());
    expect(new InputHash().text('a', 'bc').id()).not.toBe(new InputHash().text('ab', 'c').id());
  });
});
