import { describe, expect, it } from 'vitest';
import { isValidName, namespaceCovers, namespaceOf, validateName } from './name.ts';
import { NameError } from './errors.ts';

describe('plugin names', () => {
  it.each(['be.michelfra.disable_cc', 'org.example.a', 'a.b', '0rg.x-y.z_1'])('accepts %s', (name) => {
    expect(validateName(name)).toBe(name);
  });

  it.each([
    ['', 'name-empty'],
    ['plugin', 'name-no-dot'],
    ['Org.example', 'name-bad-label'],
    ['-org.example', 'name-bad-label'],
    ['org..example', 'name-empty-label'],
    ['org.example.', 'name-empty-label'],
    ['org.exa mple', 'name-bad-label'],
    ['org.exämple', 'name-bad-label'],
    ['org_x.example', 'name-bad-label'],
    [`org.${'a'.repeat(252)}`, 'name-too-long'],
  ])('refuses %j with %s', (name, code) => {
    try {
      validateName(name);
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(NameError);
      expect((e as NameError).code).toBe(code);
    }
  });

  it('accepts exactly 255 bytes', () => {
    expect(isValidName(`org.${'a'.repeat(251)}`)).toBe(true);
  });

  it('points at the offending label', () => {
    expect(() => validateName('org.ex!.a')).toThrow(/column 5/);
  });

  it('derives namespaces', () => {
    expect(namespaceOf('be.michelfra.disable_cc')).toBe('be.michelfra');
    expect(namespaceCovers('be.michelfra', 'be.michelfra.x')).toBe(true);
    expect(namespaceCovers('be.michel', 'be.michelfra.x')).toBe(false);
    expect(namespaceCovers('be', 'be.michelfra.x')).toBe(true);
    expect(isValidName(42)).toBe(false);
  });
});
