// Tokens of the formula grammar (DESIGN §3.5).
// Identifiers (PV ids and property names): an ASCII letter or "_", then ASCII
// letters, digits, "_", "-" or "." — so PV1, pv-2, side-effects and
// lab.pv_3 are names, while a leading digit always starts a threshold count.
// The words "and", "or", "not" and "of" are reserved, in lowercase only:
// "AND" is an ordinary name (the parser hints at the lowercase operator).
import { FormulaError } from './formula-error.ts';

export type TokenKind = 'ident' | 'int' | 'or' | 'and' | 'not' | 'of' | 'lparen' | 'rparen' | 'comma' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  /** 1-based character position of the token's first character. */
  column: number;
}

/** Longest formula accepted, in characters: far beyond any lab's, short enough to refuse abuse early. */
export const MAX_FORMULA_CHARS = 4096;

const SYMBOLS: Record<string, TokenKind> = { '|': 'or', '∨': 'or', '&': 'and', '∧': 'and', '!': 'not', '¬': 'not', '(': 'lparen', ')': 'rparen', ',': 'comma' };
export const KEYWORDS: Readonly<Record<string, TokenKind>> = { or: 'or', and: 'and', not: 'not', of: 'of' };
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_.-]/;
const DIGIT = /[0-9]/;
const SPACE = /\s/u;
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_.-]*$/;

/** Whether `name` can be written as an atom of a formula (identifier charset, not a reserved word). */
export function isFormulaIdentifier(name: string): boolean {
  return IDENTIFIER.test(name) && !Object.hasOwn(KEYWORDS, name);
}

function scan(chars: readonly string[], start: number, part: RegExp): number {
  let j = start;
  while (j < chars.length && part.test(chars[j] as string)) j++;
  return j;
}

export function tokenize(source: string): Token[] {
  // A string of more than twice the limit in UTF-16 units has more than the limit in
  // characters: refused before splitting a possibly huge input into an array.
  if (source.length > 2 * MAX_FORMULA_CHARS) throw new FormulaError('too-long', MAX_FORMULA_CHARS + 1, `a formula is at most ${MAX_FORMULA_CHARS} characters`);
  // Code points, not UTF-16 units, so columns count "∧" or an emoji as one character.
  const chars = Array.from(source);
  if (chars.length > MAX_FORMULA_CHARS) throw new FormulaError('too-long', MAX_FORMULA_CHARS + 1, `a formula is at most ${MAX_FORMULA_CHARS} characters, this one has ${chars.length}`);
  const tokens: Token[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    const column = i + 1;
    if (SPACE.test(c)) {
      i++;
      continue;
    }
    const symbol = SYMBOLS[c];
    if (symbol !== undefined) {
      tokens.push({ kind: symbol, text: c, column });
      i++;
    } else if (DIGIT.test(c)) {
      const j = scan(chars, i, DIGIT);
      tokens.push({ kind: 'int', text: chars.slice(i, j).join(''), column });
      i = j;
    } else if (IDENT_START.test(c)) {
      const j = scan(chars, i, IDENT_PART);
      const text = chars.slice(i, j).join('');
      tokens.push({ kind: Object.hasOwn(KEYWORDS, text) ? (KEYWORDS[text] as TokenKind) : 'ident', text, column });
      i = j;
    } else {
      throw new FormulaError(
        'unexpected-char',
        column,
        `unexpected character ${JSON.stringify(c)}; expected a name (starting with a letter or "_"), a number, an operator (| & ! or and not ∨ ∧ ¬), "(", ")" or ","`,
      );
    }
  }
  tokens.push({ kind: 'end', text: '', column: chars.length + 1 });
  return tokens;
}
