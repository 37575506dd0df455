// Smallest satisfying sets of read-once monotone formulas (each atom written
// once, no negation), in time linear in the formula times a log factor.
// Subformulas then have disjoint atoms, so a smallest set of an "and" is the
// union of smallest sets of its operands, of an "or" the best of one operand,
// and of "k of" the union of the k cheapest operands.
import type { FormulaAst } from './ast.ts';

/** Order of sorted name lists: shorter first, then element by element. */
export function compareSets(a: readonly string[], b: readonly string[]): number {
  if (a.length !== b.length) return a.length - b.length;
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as string;
    const y = b[i] as string;
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

function union(sets: readonly (readonly string[])[]): string[] {
  return [...new Set(sets.flat())].sort();
}

export function isReadOnce(ast: FormulaAst): boolean {
  const seen = new Set<string>();
  const walk = (n: FormulaAst): boolean => {
    if (n.kind === 'atom') {
      if (seen.has(n.name)) return false;
      seen.add(n.name);
      return true;
    }
    if (n.kind === 'not') return walk(n.operand);
    return n.operands.every(walk);
  };
  return walk(ast);
}

/**
 * A satisfying subset of `available` for a monotone formula, or null.
 * For read-once formulas it is the smallest one, and among the smallest the
 * first in compareSets order: for disjoint sets of one size that order is the
 * order of their least elements, which a union with other disjoint sets keeps,
 * so choosing the first at every node gives the first overall. For formulas
 * that repeat atoms it is still a satisfying set (overlaps only shrink a
 * union), just not necessarily the smallest: callers use it as a bound.
 */
export function cheapestCover(ast: FormulaAst, available: ReadonlySet<string>): string[] | null {
  switch (ast.kind) {
    case 'atom':
      return available.has(ast.name) ? [ast.name] : null;
    case 'not':
      throw new TypeError('cheapestCover needs a monotone formula');
    case 'and': {
      const parts: string[][] = [];
      for (const o of ast.operands) {
        const part = cheapestCover(o, available);
        if (part === null) return null;
        parts.push(part);
      }
      return union(parts);
    }
    case 'or':
    case 'threshold': {
      const k = ast.kind === 'or' ? 1 : ast.k;
      const parts = ast.operands.map((o) => cheapestCover(o, available)).filter((p): p is string[] => p !== null);
      if (parts.length < k) return null;
      return union(parts.sort(compareSets).slice(0, k));
    }
  }
}
