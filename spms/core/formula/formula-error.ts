import { SpmsError } from '../errors.ts';

export type FormulaErrorCode =
  'not-a-string' | 'empty' | 'too-long' | 'too-deep' | 'unexpected-char' | 'unexpected-token' | 'unexpected-end' | 'expected-of' | 'threshold-too-large' | 'negation-not-allowed' | 'search-too-large';

/** A formula refusal pointing at a 1-based column, counted in characters (so "∧" is one column). */
export class FormulaError extends SpmsError {
  override readonly code: FormulaErrorCode;
  readonly column: number;
  constructor(code: FormulaErrorCode, column: number, message: string) {
    super(code, `column ${column}: ${message}`);
    this.name = 'FormulaError';
    this.code = code;
    this.column = column;
  }
}
