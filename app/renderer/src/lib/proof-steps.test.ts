import { describe, expect, it } from 'vitest';
import { toHex } from '../../../../spms/core/index.ts';
import { analyzeProof, parseHash, type CombineStep, type RootStep, type TerminalStep } from './proof-steps.ts';
import { bindingOf, contextFor, proofFixture } from './testing/proof-fixtures.ts';

const f = proofFixture();

/** `hex` with its first digit changed. */
const flip = (hex: string): string => `${hex[0] === '0' ? '1' : '0'}${hex.slice(1)}`;
const combine = (a: ReturnType<typeof analyzeProof>, depth: number): CombineStep => a.steps.find((s): s is CombineStep => s.kind === 'combine' && s.depth === depth)!;

describe('proof steps', () => {
  it('recomputes an inclusion proof level by level up to the signed root', () => {
    const a = analyzeProof(contextFor(f, f.present));
    expect(a.kind).toBe('inclusion');
    expect(a.terminal).toBe('leaf');
    expect(a.depth).toBe(4);
    expect(a.verdict).toEqual({ ok: true, kind: 'inclusion', depth: 4, version: 1 });
    expect(a.failing).toBeNull();
    expect(a.edited).toBe(false);
    // terminal, depths 4..1, root comparison
    expect(a.steps.map((s) => (s.kind === 'combine' ? s.depth : s.kind))).toEqual(['terminal', 4, 3, 2, 1, 'root']);
    expect(a.nodes[0]).toBe(toHex(f.root));
    expect(a.nodes.every((n) => n !== null)).toBe(true);
    const t = a.steps[0] as TerminalStep;
    expect(t.bindingHash).toBe(toHex(bindingOf(f.present)));
    expect(t.version).toBe(1);
    // The fixture's shape: the twin's leaf at depth 4, empty subtrees at 3 and 2, the other name's leaf at 1.
    expect([4, 3, 2, 1].map((d) => combine(a, d).siblingEmpty)).toEqual([false, true, true, false]);
    expect([4, 3, 2, 1].map((d) => combine(a, d).bit)).toEqual([0, 0, 0, 0]);
    expect((a.steps.at(-1) as RootStep).ok).toBe(true);
  });

  it('proves absence by an empty subtree and by the leaf of another name', () => {
    const empty = analyzeProof(contextFor(f, f.absentEmpty));
    expect(empty).toMatchObject({ kind: 'absence', terminal: 'empty', depth: 2, failing: null, verdict: { ok: true, kind: 'absence', depth: 2 } });
    expect(combine(empty, 2).bit).toBe(1);

    const other = analyzeProof(contextFor(f, f.absentOther));
    expect(other).toMatchObject({ kind: 'absence', terminal: 'other-leaf', depth: 1, failing: null, verdict: { ok: true, kind: 'absence' } });
    const t = other.steps[0] as TerminalStep;
    expect(t.onPath).toBe(true);
    expect(t.bindingHash).toBe(toHex(bindingOf(f.other)));
  });

  it('finds the first level that breaks when a sibling hash is edited', () => {
    const ctx = contextFor(f, f.present);
    const original = analyzeProof(ctx);
    const sib4 = combine(original, 4).sibling;
    const a = analyzeProof(ctx, { siblings: { 4: flip(sib4) } });
    // The node at depth 3 is the first hash that no longer matches; everything above follows.
    expect(a.failing).toMatchObject({ step: 1, depth: 3 });
    expect(a.steps[0]!.ok).toBe(true);
    expect(a.steps.slice(1).map((s) => s.ok)).toEqual([false, false, false, false, false]);
    expect(combine(a, 4).siblingEdited).toBe(true);
    expect(a.nodes[4]).toBe(original.nodes[4]);
    expect(a.nodes[3]).not.toBe(original.nodes[3]);
    expect(a.verdict).toMatchObject({ ok: false, code: 'root-mismatch' });
    expect(a.edited).toBe(true);

    // Higher up: only the levels above the edit change.
    const b = analyzeProof(ctx, { siblings: { 1: flip(combine(original, 1).sibling) } });
    expect(b.failing).toMatchObject({ step: 4, depth: 0 });
    expect(b.steps.slice(0, 4).every((s) => s.ok)).toBe(true);
    expect(b.nodes.slice(1)).toEqual(original.nodes.slice(1));
  });

  it('lets an empty subtree be replaced by a hash, and breaks there', () => {
    const ctx = contextFor(f, f.present);
    const original = analyzeProof(ctx);
    const empty3 = combine(original, 3);
    expect(empty3.siblingEmpty).toBe(true);
    expect(empty3.sibling).toMatch(/^[0-9a-f]{64}$/);
    const a = analyzeProof(ctx, { siblings: { 3: flip(empty3.sibling) } });
    expect(a.failing).toMatchObject({ step: 2, depth: 2 });
    expect(a.verdict.ok).toBe(false);
  });

  it('treats a value typed back to the original (any case) as unedited', () => {
    const ctx = contextFor(f, f.present);
    const sib = combine(analyzeProof(ctx), 4).sibling;
    const a = analyzeProof(ctx, { siblings: { 4: ` ${sib.toUpperCase()} ` } });
    expect(a.failing).toBeNull();
    expect(a.edited).toBe(false);
    expect(a.verdict.ok).toBe(true);
  });

  it('breaks at the leaf when its binding hash is edited, and at the root comparison when the root is', () => {
    const ctx = contextFor(f, f.present);
    const leaf = analyzeProof(ctx, { bindingHash: flip(toHex(bindingOf(f.present))) });
    expect(leaf.failing).toMatchObject({ step: 0, depth: 4 });
    expect((leaf.steps[0] as TerminalStep).bindingEdited).toBe(true);
    expect(leaf.verdict).toMatchObject({ ok: false, code: 'root-mismatch' });

    const root = analyzeProof(ctx, { root: flip(toHex(f.root)) });
    expect(root.failing).toMatchObject({ step: 5, depth: 0 });
    expect(root.steps.slice(0, 5).every((s) => s.ok)).toBe(true);
    expect((root.steps[5] as RootStep).rootEdited).toBe(true);
    expect(root.verdict).toMatchObject({ ok: false, code: 'root-mismatch' });
  });

  it('reports a proof that does not match its signed root at the root comparison', () => {
    const ctx = { ...contextFor(f, f.present), signedRoot: bindingOf('not the root') };
    const a = analyzeProof(ctx);
    expect(a.edited).toBe(false);
    expect(a.failing).toMatchObject({ step: 5, depth: 0, message: 'the recomputed root differs from the signed root' });
  });

  it('stops computing at a value that is not a hash', () => {
    const ctx = contextFor(f, f.present);
    const a = analyzeProof(ctx, { siblings: { 3: 'xyz' } });
    expect(a.failing).toMatchObject({ step: 2, depth: 2, message: 'the sibling hash at depth 3 is not 64 hex digits' });
    expect(combine(a, 3)).toMatchObject({ output: null, sibling: 'xyz', invalid: 'the sibling hash at depth 3 is not 64 hex digits' });
    expect(a.nodes[2]).toBeNull();
    expect(a.nodes[0]).toBeNull();
    expect(a.nodes[3]).not.toBeNull();
    expect(a.verdict).toMatchObject({ ok: false, code: 'malformed' });
  });

  it('refuses an absence proof whose other leaf is off the name\u2019s path', () => {
    const ctx = contextFor(f, f.absentOther);
    // The same proof for a name on the other side of the root: the leaf it ends in does not share its first bit.
    const a = analyzeProof({ ...ctx, name: f.absentEmpty });
    expect((a.steps[0] as TerminalStep).onPath).toBe(false);
    expect(a.failing).toMatchObject({ step: 0, depth: 1 });
    expect(a.verdict).toMatchObject({ ok: false, code: 'terminal-off-path' });
  });

  it('parses typed hashes', () => {
    expect(parseHash(` ${'AB'.repeat(32)}\n`)).toBe('ab'.repeat(32));
    expect(parseHash('ab'.repeat(31))).toBeUndefined();
    expect(parseHash('zz'.repeat(32))).toBeUndefined();
  });
});
