// Recursive-descent parser for DESIGN §3.5:
//   expr      := term (("|" | "or" | "∨") term)*
//   term      := factor (("&" | "and" | "∧") factor)*
//   factor    := ("!" | "not" | "¬") factor | "(" expr ")" | threshold | ident
//   threshold := INT "of" "(" expr ("," expr)* ")"
// The result is data; nothing is ever evaluated as code.
import type { FormulaAst } from './ast.ts';
import { FormulaError } from './formula-error.ts';
import { tokenize, type Token, type TokenKind } from './lexer.ts';

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

class Parser {
  private pos = 0;
  constructor(private readonly tokens: Token[]) {}

  private peek(): Token {
    return this.tokens[this.pos] as Token;
  }

  private next(): Token {
    return this.tokens[this.pos++] as Token;
  }

  private fail(token: Token, expected: string): never {
    const found = token.kind === 'end' ? 'the end of the formula' : `"${token.text}"`;
    throw new FormulaError(token.kind === 'end' ? 'unexpected-end' : 'unexpected-token', token.column, `expected ${expected}, found ${found}`);
  }

  private expect(kind: TokenKind, context: string): Token {
    const t = this.next();
    if (t.kind !== kind) this.fail(t, `${DESCRIBE[kind]} ${context}`);
    return t;
  }

  parse(): FormulaAst {
    if (this.peek().kind === 'end') throw new FormulaError('empty', 1, 'the formula is empty');
    const ast = this.expr();
    const t = this.peek();
    if (t.kind !== 'end') this.fail(t, '"|", "&" or the end of the formula');
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
    switch (t.kind) {
      case 'not':
        return { kind: 'not', operand: this.factor(), column: t.column };
      case 'lparen': {
        const inner = this.expr();
        this.expect('rparen', 'to close the "(" at column ' + t.column);
        return inner;
      }
      case 'int':
        return this.threshold(t);
      case 'ident':
        return { kind: 'atom', name: t.text, column: t.column };
      default:
        return this.fail(t, 'a name, "!", "(" or a threshold such as 2of(A, B, C)');
    }
  }

  private threshold(intToken: Token): FormulaAst {
    const ofToken = this.next();
    if (ofToken.kind !== 'of') {
      throw new FormulaError('expected-of', ofToken.column, `expected "of" after ${intToken.text} (a threshold is written like 2of(A, B, C))`);
    }
    this.expect('lparen', 'after "of"');
    const operands = [this.expr()];
    while (this.peek().kind === 'comma') {
      this.next();
      operands.push(this.expr());
    }
    this.expect('rparen', 'to close the threshold');
    const k = Number(intToken.text);
    if (!Number.isSafeInteger(k) || k > operands.length) {
      throw new FormulaError('threshold-too-large', intToken.column, `threshold ${intToken.text} exceeds its ${operands.length} operand(s)`);
    }
    return { kind: 'threshold', k, operands, column: intToken.column };
  }
}

export function parseFormula(source: string): FormulaAst {
  return new Parser(tokenize(source)).parse();
}
