// Recursive-descent parser for DESIGN §3.5:
//   expr      := term (("|" | "or" | "∨") term)*
//   term      := factor (("&" | "and" | "∧") factor)*
//   factor    := ("!" | "not" | "¬") factor | "(" expr ")" | threshold | ident
//   threshold := INT "of" "(" expr ("," expr)* ")"
// The result is data; nothing is ever evaluated as code. Chains of one
// operator become one n-ary node ("a & b & c"), while parentheses keep their
// grouping ("a & (b & c)"), so formatting gives back the same tree.
import type { FormulaAst } from './ast.ts';
import { FormulaError } from './formula-error.ts';
import { KEYWORDS, tokenize, type Token, type TokenKind } from './lexer.ts';

/** Deepest nesting of "(", "!" and thresholds accepted: bounds the recursion on hostile input. */
export const MAX_FORMULA_DEPTH = 64;

const DESCRIBE: Record<TokenKind, string> = {
  ident: 'a name',
  int: 'a number',
  or: '"|"',
  and: '"&"',
  not: '"!"',
  of: '"of"',
  lparen: '"("',
  rparen: '")"',
  comma: '","',
  end: 'the end of the formula',
};

const OPERAND = 'a name, "!", "(" or a threshold such as 2of(A, B, C)';

class Parser {
  private pos = 0;
  private depth = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    return this.tokens[this.pos++] as Token;
  }

  private fail(token: Token, expected: string): never {
    if (token.kind === 'end') throw new FormulaError('unexpected-end', token.column, `expected ${expected}, found the end of the formula`);
    const lower = token.text.toLowerCase();
    const hint = token.kind === 'ident' && lower !== token.text && Object.hasOwn(KEYWORDS, lower) ? ` (operators are lowercase: "${lower}")` : '';
    throw new FormulaError('unexpected-token', token.column, `expected ${expected}, found "${token.text}"${hint}`);
  }

  private expect(kind: TokenKind, context: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, `${DESCRIBE[kind]} ${context}`);
    return t;
  }

  parse(): FormulaAst {
    if (this.peek().kind === 'end') throw new FormulaError('empty', 1, `the formula is empty; expected ${OPERAND}`);
    const ast = this.expr();
    const t = this.peek();
    if (t.kind !== 'end') this.fail(t, t.kind === 'rparen' ? 'the end of the formula (this ")" closes nothing)' : '"|", "&" or the end of the formula');
    return ast;
  }

  private expr(): FormulaAst {
    const operands = [this.term()];
    while (this.peek().kind === 'or') {
      this.next();
      operands.push(this.term());
    }
    return operands.length === 1 ? (operands[0] as FormulaAst) : { kind: 'or', operands };
  }

  private term(): FormulaAst {
    const operands = [this.factor()];
    while (this.peek().kind === 'and') {
      this.next();
      operands.push(this.factor());
    }
    return operands.length === 1 ? (operands[0] as FormulaAst) : { kind: 'and', operands };
  }

  private factor(): FormulaAst {
    const t = this.next();
    if (t.kind === 'ident') return { kind: 'atom', name: t.text, column: t.column };
    if (t.kind !== 'not' && t.kind !== 'lparen' && t.kind !== 'int') this.fail(t, OPERAND);
    if (++this.depth > MAX_FORMULA_DEPTH) throw new FormulaError('too-deep', t.column, `the formula nests more than ${MAX_FORMULA_DEPTH} levels deep here`);
    let ast: FormulaAst;
    if (t.kind === 'not') {
      ast = { kind: 'not', operand: this.factor(), column: t.column };
    } else if (t.kind === 'lparen') {
      ast = this.expr();
      this.expect('rparen', `to close the "(" at column ${t.column}`);
    } else {
      ast = this.threshold(t);
    }
    this.depth--;
    return ast;
  }

  private threshold(count: Token): FormulaAst {
    const of = this.next();
    if (of.kind !== 'of') {
      const found = of.kind === 'end' ? 'the end of the formula' : `"${of.text}"`;
      throw new FormulaError('expected-of', of.column, `expected "of" after ${count.text}, found ${found} (a threshold is written like 2of(A, B, C))`);
    }
    this.expect('lparen', `after "${count.text}of"`);
    const operands = [this.expr()];
    while (this.peek().kind === 'comma') {
      this.next();
      operands.push(this.expr());
    }
    this.expect('rparen', `or "," in the threshold opened at column ${count.column}`);
    const k = Number(count.text);
    if (k > operands.length) {
      throw new FormulaError(
        'threshold-too-large',
        count.column,
        `threshold ${count.text} exceeds its ${operands.length} operand${operands.length === 1 ? '' : 's'}; expected a number from 0 to ${operands.length}`,
      );
    }
    return { kind: 'threshold', k, operands, column: count.column };
  }
}

/** Parses a formula; throws a FormulaError naming the column and what was expected there. */
export function parseFormula(source: string): FormulaAst {
  if (typeof source !== 'string') throw new FormulaError('not-a-string', 1, `a formula must be a string, got ${source === null ? 'null' : typeof source}`);
  return new Parser(tokenize(source)).parse();
}
