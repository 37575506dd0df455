// What a formula editor shows about the text being typed: the parse (with
// spms/core's grammar and its column-precise errors), the canonical form,
// atoms not among the known ones, and the text cut into segments so atoms
// can be marked (unknown, satisfied) where they were written.
import { atomsOf, formatFormula, FormulaError, parseFormula, parseMonotoneFormula, type FormulaAst } from '../../../../spms/core/index.ts';

export interface FormulaProblem {
  code: string;
  /** 1-based column, in characters (code points), as spms/core counts them. */
  column: number;
  /** The message without its "column N:" prefix (the caret shows where). */
  message: string;
}

export type FormulaAnalysis = { ok: true; ast: FormulaAst; canonical: string; atoms: string[]; unknown: string[] } | { ok: false; problem: FormulaProblem };

export interface AnalyzeOptions {
  /** Refuse negation (peers' trust formulas). */
  monotone?: boolean;
  /** Atom names that exist (PV ids, property names); others are reported in `unknown`. Undefined: no check. */
  known?: readonly string[];
}

function problemOf(e: unknown): FormulaProblem {
  if (e instanceof FormulaError) return { code: e.code, column: e.column, message: e.message.replace(/^column \d+: /, '') };
  return { code: 'error', column: 1, message: e instanceof Error ? e.message : String(e) };
}

export function analyzeFormula(source: string, opts: AnalyzeOptions = {}): FormulaAnalysis {
  let ast: FormulaAst;
  try {
    ast = opts.monotone === true ? parseMonotoneFormula(source) : parseFormula(source);
  } catch (e) {
    return { ok: false, problem: problemOf(e) };
  }
  const atoms = atomsOf(ast);
  const known = opts.known === undefined ? undefined : new Set(opts.known);
  const unknown = known === undefined ? [] : atoms.filter((a) => !known.has(a));
  return { ok: true, ast, canonical: formatFormula(ast), atoms, unknown };
}

export interface FormulaSegment {
  text: string;
  /** Set when the segment is an atom's name. */
  atom?: string;
}

function atomNodes(ast: FormulaAst, out: { name: string; column: number }[] = []): { name: string; column: number }[] {
  if (ast.kind === 'atom') out.push({ name: ast.name, column: ast.column });
  else if (ast.kind === 'not') atomNodes(ast.operand, out);
  else for (const o of ast.operands) atomNodes(o, out);
  return out;
}

/** The source cut at each atom occurrence (columns count code points, like the parser). */
export function formulaSegments(source: string, ast: FormulaAst): FormulaSegment[] {
  const chars = Array.from(source);
  const atoms = atomNodes(ast).sort((a, b) => a.column - b.column);
  const out: FormulaSegment[] = [];
  let at = 0;
  for (const a of atoms) {
    const start = a.column - 1;
    const end = start + Array.from(a.name).length;
    if (start < at || chars.slice(start, end).join('') !== a.name) continue; // columns from another text: skip
    if (start > at) out.push({ text: chars.slice(at, start).join('') });
    out.push({ text: a.name, atom: a.name });
    at = end;
  }
  if (at < chars.length) out.push({ text: chars.slice(at).join('') });
  return out;
}

/**
 * The source and a caret line under it pointing at `column`: the error's
 * place shown in monospace. Tabs are kept in the padding so the caret lines
 * up under them too.
 */
export function caretLine(source: string, column: number): string {
  const chars = Array.from(source);
  const upTo = Math.max(0, Math.min(column - 1, chars.length));
  const pad = chars
    .slice(0, upTo)
    .map((c) => (c === '\t' ? '\t' : ' '))
    .join('');
  return `${pad}^`;
}

/** The source split around the character at `column` (empty at the end of the text), to underline it. */
export function splitAtColumn(source: string, column: number): { before: string; at: string; after: string } {
  const chars = Array.from(source);
  const i = Math.max(0, Math.min(column - 1, chars.length));
  return { before: chars.slice(0, i).join(''), at: chars[i] ?? '', after: chars.slice(i + 1).join('') };
}
