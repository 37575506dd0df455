// Malformed objects: truncations, header corruption and arbitrary bit flips of
// a real pluglet never make the verifier throw or hang; damaged structure is
// always a `fail` with a reason.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { mutantsDir } from './corpus/make-mutants.ts';
import type { CheckPolicy } from './pluglet-report.ts';
import { CHECK_NAMES, verifyPluglet } from './pluglet-report.ts';
import { loadSpecs } from './specs.ts';

// frame_1000.o is a complete, valid pluglet under the 2048-byte profile.
const seed = new Uint8Array(readFileSync(join(mutantsDir, 'frame_1000.o')));
const policy: CheckPolicy = { stackSize: 2048, denyHelpers: new Set(), assumeFiniteLists: true, specs: loadSpecs(), requireSpec: false };
const run = (bytes: Uint8Array): ReturnType<typeof verifyPluglet> => verifyPluglet('fuzz.o', bytes, CHECK_NAMES, policy, { protoop: 'update_rtt' });

describe('malformed ELF', () => {
  it('the seed object passes every check', () => {
    expect(run(seed).verdicts).toEqual({ wellformed: 'pass', termination: 'pass', 'side-effects': 'pass', memory: 'pass' });
  });

  it('fails every check on any truncation, with a reason', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: seed.length - 1 }), (len) => {
        const r = run(seed.slice(0, len));
        for (const c of CHECK_NAMES) expect(r.verdicts[c]).toBe('fail');
        expect(r.findings.every((f) => f.message.length > 0)).toBe(true);
      }),
      { numRuns: 150 },
    );
  });

  it('fails every check when the identification or header type fields are corrupted', () => {
    // magic, class, data, version, OS ABI, e_type, e_machine, e_shentsize
    const fields = [0, 1, 2, 3, 4, 5, 6, 7, 16, 18, 58];
    fc.assert(
      fc.property(fc.constantFrom(...fields), fc.integer({ min: 1, max: 255 }), (at, xor) => {
        const b = seed.slice();
        b[at] = (b[at] as number) ^ xor;
        const r = run(b);
        expect(r.verdicts.wellformed).toBe('fail');
      }),
      { numRuns: 150 },
    );
  });

  it('never throws and always answers on arbitrary bit flips', () => {
    fc.assert(
      fc.property(fc.array(fc.nat({ max: seed.length * 8 - 1 }), { minLength: 1, maxLength: 8 }), (bits) => {
        const b = seed.slice();
        for (const bit of bits) b[bit >> 3] = (b[bit >> 3] as number) ^ (1 << (bit & 7));
        const r = run(b);
        for (const c of CHECK_NAMES) expect(['pass', 'fail']).toContain(r.verdicts[c]);
      }),
      { numRuns: 300 },
    );
  });

  it('fails on random bytes and on an empty file', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 512 }), (bytes) => {
        const r = run(bytes);
        for (const c of CHECK_NAMES) expect(r.verdicts[c]).toBe('fail');
      }),
      { numRuns: 100 },
    );
    expect(run(new Uint8Array(0)).findings[0]?.message).toMatch(/fewer than an ELF64 header/);
  });

  it('refuses section tables that point outside the file', () => {
    const b = seed.slice();
    new DataView(b.buffer).setBigUint64(40, BigInt(b.length - 10), true);
    const r = run(b);
    expect(r.verdicts.wellformed).toBe('fail');
    expect(r.findings[0]?.message).toMatch(/section header table .* lies outside/);
  });
});
