// Without clang in PATH, compiling is a typed, actionable error. Runs in its
// own file (process) because tool look-ups are cached per process.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compileFile } from './compile.ts';
import { CompileError } from './errors.ts';

const savedPath = process.env.PATH;
afterAll(() => {
  process.env.PATH = savedPath;
});

describe('compile without a compiler', () => {
  it('throws CompileError compiler-missing naming the packages to install', async () => {
    process.env.PATH = mkdtempSync(join(tmpdir(), 'spms-empty-path-'));
    const err = await compileFile(tmpdir(), 'x.c').then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(CompileError);
    expect((err as CompileError).code).toBe('compiler-missing');
    expect((err as CompileError).message).toMatch(/clang-14 or clang not found in PATH: install clang-14 and llvm-14/);
  });
});
