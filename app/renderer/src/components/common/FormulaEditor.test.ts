import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import FormulaEditor from './FormulaEditor.svelte';

let component: ReturnType<typeof mount> | undefined;
let root: HTMLElement;

function open(props: { value: string; known?: string[]; monotone?: boolean; satisfied?: string[] }): HTMLInputElement {
  root = document.createElement('div');
  document.body.replaceChildren(root);
  component = mount(FormulaEditor, { target: root, props });
  flushSync();
  return input();
}

function input(): HTMLInputElement {
  const label = [...root.querySelectorAll('label')].find((l) => l.textContent === 'Formula');
  return document.getElementById(label!.htmlFor) as HTMLInputElement;
}

function type(text: string): void {
  const el = input();
  el.value = text;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

const q = (testid: string): HTMLElement | null => root.querySelector(`[data-testid="${testid}"]`);

afterEach(() => {
  if (component !== undefined) unmount(component);
  component = undefined;
});

describe('FormulaEditor', () => {
  it('parses a valid formula live and shows its canonical form', () => {
    const el = open({ value: '' });
    expect(q('formula-error')).toBeNull();
    expect(q('formula-canonical')).toBeNull();
    type('PV1 and (PV2 or PV3)');
    expect(q('formula-error')).toBeNull();
    expect(q('formula-canonical')!.textContent).toBe('PV1 & (PV2 | PV3)');
    expect(el.getAttribute('aria-invalid')).toBe('false');
    const atoms = [...root.querySelectorAll('.atom')].map((a) => a.textContent);
    expect(atoms).toEqual(['PV1', 'PV2', 'PV3']);
  });

  it('shows a syntax error with its column and a caret under it', () => {
    const el = open({ value: 'PV1' });
    type('PV1 & (PV2 |');
    const err = q('formula-error')!;
    expect(err).not.toBeNull();
    expect(err.dataset.column).toBe('13');
    expect(err.textContent).toContain('Column 13: expected');
    expect(err.textContent).toContain('the end of the formula');
    const caret = err.querySelector('pre')!.textContent!.split('\n');
    expect(caret[0]).toBe('PV1 & (PV2 | ');
    expect(caret[1]).toBe(`${' '.repeat(12)}^`);
    expect(el.getAttribute('aria-invalid')).toBe('true');
    expect(el.getAttribute('aria-describedby')).toBe(err.parentElement!.id);
    expect(q('formula-canonical')).toBeNull();
  });

  it('points the caret at an unexpected character in the middle', () => {
    open({ value: 'PV1 # PV2' });
    const err = q('formula-error')!;
    expect(err.dataset.code).toBe('unexpected-char');
    expect(err.dataset.column).toBe('5');
    expect(err.querySelector('.bad')!.textContent).toBe('#');
    expect(err.querySelector('pre')!.textContent!.split('\n')[1]).toBe('    ^');
  });

  it('flags atoms that are not known', () => {
    open({ value: 'PV1 & PV4', known: ['PV1', 'PV2', 'PV3'] });
    expect(q('formula-error')).toBeNull();
    expect(q('formula-unknown')!.textContent).toContain('Unknown PV: PV4');
    const unknown = [...root.querySelectorAll('.atom.unknown')].map((a) => a.textContent);
    expect(unknown).toEqual(['PV4']);
    type('PV1 & PV2');
    expect(q('formula-unknown')).toBeNull();
  });

  it('accepts thresholds and refuses one larger than its operands', () => {
    open({ value: '2of(PV1, PV2 ,PV3)' });
    expect(q('formula-canonical')!.textContent).toBe('2of(PV1, PV2, PV3)');
    type('4of(PV1, PV2)');
    const err = q('formula-error')!;
    expect(err.dataset.code).toBe('threshold-too-large');
    expect(err.dataset.column).toBe('1');
    type('2(PV1, PV2)');
    expect(q('formula-error')!.dataset.code).toBe('expected-of');
    expect(q('formula-error')!.dataset.column).toBe('2');
  });

  it('refuses negation in a monotone formula, at the "!"', () => {
    open({ value: 'PV1 & !PV2', monotone: true });
    const err = q('formula-error')!;
    expect(err.dataset.code).toBe('negation-not-allowed');
    expect(err.dataset.column).toBe('7');
  });

  it('counts columns in characters, so "∧" is one', () => {
    open({ value: 'PV1 ∧ ∧' });
    expect(q('formula-error')!.dataset.column).toBe('7');
    expect(q('formula-error')!.querySelector('pre')!.textContent!.split('\n')[1]).toBe('      ^');
  });

  it('marks the atoms that hold and strikes the others', () => {
    open({ value: 'PV1 & (PV2 | PV3)', satisfied: ['PV1', 'PV3'] });
    expect([...root.querySelectorAll('.atom.sat')].map((a) => a.textContent)).toEqual(['PV1', 'PV3']);
    expect([...root.querySelectorAll('.atom.unsat')].map((a) => a.textContent)).toEqual(['PV2']);
  });

  it('inserts a known atom, joined with "&" when needed', () => {
    const el = open({ value: 'PV1', known: ['PV1', 'PV2'] });
    const chip = [...root.querySelectorAll('button')].find((b) => b.textContent === 'PV2')!;
    chip.click();
    flushSync();
    expect(el.value).toBe('PV1 & PV2');
    type('PV1 | (');
    chip.click();
    flushSync();
    expect(el.value).toBe('PV1 | ( PV2');
  });
});
