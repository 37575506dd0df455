import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { analyzeProof, type CombineStep, type ProofEdits } from '../../lib/proof-steps.ts';
import { contextFor, proofFixture } from '../../lib/testing/proof-fixtures.ts';
import ProofTree from './ProofTree.svelte';

const f = proofFixture();
let component: ReturnType<typeof mount> | undefined;

function draw(name: string, edits: ProofEdits = {}, onpick?: (t: string) => void): SVGSVGElement {
  const target = document.createElement('div');
  document.body.replaceChildren(target);
  const analysis = analyzeProof(contextFor(f, name), edits);
  component = mount(ProofTree, { target, props: { analysis, name, epoch: 7, ...(onpick ? { onpick } : {}) } });
  flushSync();
  return target.querySelector('svg[data-testid="proof-tree"]') as SVGSVGElement;
}

const node = (svg: SVGSVGElement, id: string): SVGGElement => svg.querySelector(`[data-node="${id}"]`) as SVGGElement;

afterEach(() => {
  if (component) unmount(component);
  component = undefined;
});

describe('ProofTree', () => {
  it('draws an inclusion proof: the root, the path to the leaf, the siblings and the collapsed empty subtrees', () => {
    const svg = draw(f.present);
    expect(svg.getAttribute('aria-label')).toBe('Proof tree');
    expect(svg.querySelector('desc')?.textContent).toMatch(/^Inclusion proof for org\.example\.n\d+/);

    const root = node(svg, 'path-0');
    expect(root.textContent).toContain('signed root · epoch 7');
    expect(root.textContent).toContain(`${analyzeProof(contextFor(f, f.present)).nodes[0]!.slice(0, 16)}…`);

    const leaf = svg.querySelector('[data-testid="proof-leaf"]') as SVGGElement;
    expect(leaf.dataset.node).toBe('path-4');
    expect(leaf.dataset.terminal).toBe('leaf');
    expect(leaf.textContent).toContain('leaf · depth 4');
    expect(leaf.textContent).toContain(f.present);
    // Drawn as SVG, not as unknown HTML elements.
    for (const el of [leaf, leaf.querySelector('rect'), leaf.querySelector('text')]) expect(el?.namespaceURI).toBe('http://www.w3.org/2000/svg');

    const analysis = analyzeProof(contextFor(f, f.present));
    const sib = (d: number): CombineStep => analysis.steps.find((s): s is CombineStep => s.kind === 'combine' && s.depth === d)!;
    // The twin's leaf and the other name's leaf are siblings shown by their hash prefix...
    for (const d of [4, 1]) {
      const g = node(svg, `sibling-${d}`);
      expect(g.textContent).toContain(`sibling · depth ${d}`);
      expect(g.textContent).toContain(`${sib(d).sibling.slice(0, 16)}…`);
      expect(g.dataset.status).toBe('ok');
    }
    // ...the empty subtrees at depths 2 and 3 are collapsed and labelled as empty.
    for (const d of [2, 3]) {
      const g = node(svg, `sibling-${d}`);
      expect(g.classList.contains('empty')).toBe(true);
      expect(g.textContent).toContain('empty subtree');
      expect(g.querySelector('title')?.textContent).toContain('empty subtree (left out of the proof, recomputed)');
    }
    // Every level's branch bit: the path goes left (0) four times.
    expect([...svg.querySelectorAll('.legend.value')].map((t) => t.textContent)).toEqual(['= 0 (left)', '= 0 (left)', '= 0 (left)', '= 0 (left)']);
    expect([...svg.querySelectorAll('.bit.on-path text')].map((t) => t.textContent)).toEqual(['0', '0', '0', '0']);
    expect(svg.querySelectorAll('line.edge')).toHaveLength(8);
    expect(svg.querySelectorAll('[data-status="failing"]')).toHaveLength(0);
  });

  it('draws absence proofs: an empty terminal, or the leaf of another name', () => {
    const svg = draw(f.absentEmpty);
    expect(svg.querySelector('desc')?.textContent).toMatch(/^Absence proof .* empty subtree at depth 2/);
    const leaf = svg.querySelector('[data-testid="proof-leaf"]') as SVGGElement;
    expect(leaf.dataset.terminal).toBe('empty');
    expect(leaf.textContent).toContain('empty subtree');
    expect(leaf.textContent).toContain('name absent');
    expect(leaf.getAttribute('role')).toBe('img');

    const other = draw(f.absentOther);
    const t = other.querySelector('[data-testid="proof-leaf"]') as SVGGElement;
    expect(t.dataset.terminal).toBe('other-leaf');
    expect(t.textContent).toContain('other leaf · depth 1');
    expect(t.textContent).toMatch(/index [0-9a-f]{14}…/);
  });

  it('marks the first node whose recomputed hash breaks and the edited sibling', () => {
    const original = analyzeProof(contextFor(f, f.present));
    const sib4 = original.steps.find((s): s is CombineStep => s.kind === 'combine' && s.depth === 4)!.sibling;
    const svg = draw(f.present, { siblings: { 4: `${sib4[0] === '0' ? '1' : '0'}${sib4.slice(1)}` } });
    expect(node(svg, 'sibling-4').dataset.status).toBe('edited');
    expect(node(svg, 'path-4').dataset.status).toBe('ok');
    expect(node(svg, 'path-3').dataset.status).toBe('failing');
    expect(node(svg, 'path-3').querySelector('.mark')).not.toBeNull();
    expect(['path-2', 'path-1', 'path-0'].map((id) => node(svg, id).dataset.status)).toEqual(['changed', 'changed', 'changed']);
  });

  it('lets siblings, the leaf and the root be picked for editing with the mouse or the keyboard', () => {
    const pick = vi.fn();
    const svg = draw(f.present, {}, pick);
    const editable = [...svg.querySelectorAll('[role="button"]')].map((g) => (g as SVGGElement).dataset.node);
    expect(editable.sort()).toEqual(['path-0', 'path-4', 'sibling-1', 'sibling-2', 'sibling-3', 'sibling-4']);
    expect(node(svg, 'sibling-2').getAttribute('tabindex')).toBe('0');
    node(svg, 'sibling-2').dispatchEvent(new MouseEvent('click', { bubbles: true }));
    node(svg, 'path-0').dispatchEvent(new KeyboardEvent('keydown', { key: 'Enter', bubbles: true }));
    node(svg, 'path-4').dispatchEvent(new KeyboardEvent('keydown', { key: ' ', bubbles: true }));
    expect(pick.mock.calls).toEqual([['sibling-2'], ['root'], ['binding']]);
  });
});
