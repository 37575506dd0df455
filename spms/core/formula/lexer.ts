// Tokens of the formula grammar. Identifiers: a letter or "_" then letters,
// digits, "_", "-" or "." (PV ids like PV1, pv-2, properties like
// side-effects). "and", "or", "not" and "of" are reserved words.
import { FormulaError } from './formula-error.ts';

export type TokenKind = 'ident' | 'int' | 'or' | 'and' | 'not' | 'of' | 'lparen' | 'rparen' | 'comma' | 'end';

export interface Token {
  kind: TokenKind;
  text: string;
  column: number;
}

const SYMBOLS: Record<string, TokenKind> = { '|': 'or', '∨': 'or', '&': 'and', '∧': 'and', '!': 'not', '¬': 'not', '(': 'lparen', ')': 'rparen', ',': 'comma' };
const WORDS: Record<string, TokenKind> = { or: 'or', and: 'and', not: 'not', of: 'of' };
const IDENT_START = /[A-Za-z_]/;
const IDENT_PART = /[A-Za-z0-9_.-]/;

export function tokenize(source: string): Token[] {
  const chars = Array.from(source);
  const tokens: Token[] = [];
  let i = 0;
  while (i < chars.length) {
    const c = chars[i] as string;
    const column = i + 1;
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const symbol = SYMBOLS[c];
    if (symbol !== undefined) {
      tokens.push({ kind: symbol, text: c, column });
      i++;
      continue;
    }
    if (/[0-9]/.test(c)) {
      let j = i;
      while (j < chars.length && /[0-9]/.test(chars[j] as string)) j++;
      tokens.push({ kind: 'int', text: chars.slice(i, j).join(''), column });
      i = j;
      continue;
    }
    if (IDENT_START.test(c)) {
      let j = i;
      while (j < chars.length && IDENT_PART.test(chars[j] as string)) j++;
      const text = chars.slice(i, j).join('');
      tokens.push({ kind: WORDS[text] ?? 'ident', text, column });
      i = j;
      continue;
    }
    throw new FormulaError('unexpected-char', column, `unexpected character "${c}"`);
  }
  tokens.push({ kind: 'end', text: '', column: chars.length + 1 });
  return tokens;
}
