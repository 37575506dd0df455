import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { VerifierError } from './errors.ts';
import { loadSpecs, parseSpec } from './specs.ts';

describe('side-effect specs', () => {
  it('loads the bundled specs of 11 operations', () => {
    const specs = loadSpecs();
    expect(specs.size).toBe(11);
    const cc = specs.get('congestion_algorithm_notify');
    expect(cc?.inputs[0]).toEqual({ name: 'path_x', type: 'picoquic_path_t', pointer: true });
    expect([...(cc?.effects.get('path_x') ?? [])]).toContain('pacingbucketnanosec');
    expect(specs.get('update_rtt')?.outputs.map((o) => o.name)).toEqual(['is_new_ack']);
  });

  it.each([
    ['{', 'spec-json', /not JSON/],
    ['{"name": "x y"}', 'spec-invalid', /name: must be a protocol operation name/],
    ['{"name": "x", "inputs": {"a": []}}', 'spec-invalid', /inputs\.a/],
    ['{"name": "x", "effects": {"ghost": ["f"]}}', 'spec-invalid', /"ghost", which is neither "cnx" nor an input/],
    ['{"name": "x", "extra": 1}', 'spec-invalid', /extra/],
  ])('refuses %s', (text, code, message) => {
    try {
      parseSpec(text, 'test.json');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(VerifierError);
      expect((e as VerifierError).code).toBe(code);
      expect((e as VerifierError).message).toMatch(message);
    }
  });

  it('reads a policy spec directory and refuses duplicates and missing directories', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spms-specs-'));
    writeFileSync(join(dir, 'a.json'), '{"name": "my_op", "inputs": {"p": ["picoquic_path_t", "*"]}, "effects": {"p": ["cwin"]}}');
    expect(loadSpecs(dir).get('my_op')?.effects.get('p')).toEqual(new Set(['cwin']));
    const dup = mkdtempSync(join(tmpdir(), 'spms-specs-'));
    writeFileSync(join(dup, 'a.json'), '{"name": "op"}');
    writeFileSync(join(dup, 'b.json'), '{"name": "op"}');
    expect(() => loadSpecs(dup)).toThrow(/a second spec for "op"/);
    expect(() => loadSpecs(join(dir, 'nope'))).toThrow(/cannot read the spec directory/);
  });
});
