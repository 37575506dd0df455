import { describe, expect, it } from 'vitest';
import { layoutProof, proofShape, type LayoutNode } from './proof-layout.ts';
import { analyzeProof } from './proof-steps.ts';
import { contextFor, proofFixture } from './testing/proof-fixtures.ts';

const f = proofFixture();

const byId = (nodes: LayoutNode[], id: string): LayoutNode => nodes.find((n) => n.id === id)!;

function overlaps(a: LayoutNode, b: LayoutNode): boolean {
  return Math.abs(a.x - b.x) * 2 < a.width + b.width && Math.abs(a.y - b.y) * 2 < a.height + b.height;
}

describe('proof layout', () => {
  it('lays out an inclusion proof: root on top, one row per depth, the path on the side of its bit', () => {
    const shape = proofShape(analyzeProof(contextFor(f, f.present)));
    expect(shape).toEqual({ depth: 4, bits: [0, 0, 0, 0], siblingEmpty: [false, true, true, false], terminalEmpty: false });
    const l = layoutProof(shape);
    expect(l.nodes).toHaveLength(1 + 2 * 4);
    expect(l.edges).toHaveLength(2 * 4);
    expect(l.rows.map((r) => r.depth)).toEqual([0, 1, 2, 3, 4]);

    const root = byId(l.nodes, 'path-0');
    expect(root).toMatchObject({ root: true, terminal: false, side: 'center' });
    for (let d = 1; d <= 4; d++) {
      const path = byId(l.nodes, `path-${d}`);
      const sib = byId(l.nodes, `sibling-${d}`);
      expect(path.y).toBe(sib.y);
      expect(path.y).toBeGreaterThan(byId(l.nodes, `path-${d - 1}`).y);
      expect(path.side).toBe('left');
      expect(sib.side).toBe('right');
      expect(path.x).toBeLessThan(sib.x);
      expect(sib.empty).toBe(shape.siblingEmpty[d - 1]);
      // Both children hang from the path node above, the path child's edge marked.
      const edges = l.edges.filter((e) => e.from === `path-${d - 1}`);
      expect(edges.map((e) => [e.to, e.bit, e.onPath])).toEqual([
        [`path-${d}`, 0, true],
        [`sibling-${d}`, 1, false],
      ]);
    }
    expect(byId(l.nodes, 'path-4')).toMatchObject({ terminal: true, empty: false });
    // Empty subtrees are drawn smaller (collapsed).
    expect(byId(l.nodes, 'sibling-3').width).toBeLessThan(byId(l.nodes, 'sibling-4').width);

    // Nothing overlaps and everything fits.
    for (const a of l.nodes) {
      expect(a.x - a.width / 2).toBeGreaterThanOrEqual(l.gutter);
      expect(a.x + a.width / 2).toBeLessThanOrEqual(l.width);
      expect(a.y + a.height / 2).toBeLessThanOrEqual(l.height);
      for (const b of l.nodes) if (a !== b) expect(overlaps(a, b)).toBe(false);
    }
  });

  it('puts the path on the right for bit 1 and collapses an empty terminal', () => {
    const l = layoutProof(proofShape(analyzeProof(contextFor(f, f.absentEmpty))));
    expect(l.rows.map((r) => r.bit)).toEqual([undefined, 0, 1]);
    expect(byId(l.nodes, 'path-2')).toMatchObject({ side: 'right', terminal: true, empty: true });
    expect(byId(l.nodes, 'sibling-2').side).toBe('left');
    expect(l.edges.find((e) => e.to === 'path-2')).toMatchObject({ bit: 1, onPath: true, depth: 2 });
  });

  it('draws a depth-0 proof as a single root that is also the terminal', () => {
    const l = layoutProof({ depth: 0, bits: [], siblingEmpty: [], terminalEmpty: true });
    expect(l.nodes).toEqual([expect.objectContaining({ id: 'path-0', root: true, terminal: true, empty: true })]);
    expect(l.edges).toEqual([]);
  });

  it('keeps the same geometry whatever the hashes (edits never move nodes)', () => {
    const ctx = contextFor(f, f.present);
    const a = layoutProof(proofShape(analyzeProof(ctx)));
    const b = layoutProof(proofShape(analyzeProof(ctx, { siblings: { 2: 'f'.repeat(64) }, root: 'nonsense' })));
    expect(b).toEqual(a);
  });

  it('refuses a shape whose arrays do not match its depth', () => {
    expect(() => layoutProof({ depth: 2, bits: [0], siblingEmpty: [false, false], terminalEmpty: false })).toThrow(RangeError);
  });
});
