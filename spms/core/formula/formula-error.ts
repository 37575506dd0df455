import { SpmsError } from '../errors.ts';

export type FormulaErrorCode =
  | 'empty'
  | 'unexpected-char'
  | 'unexpected-token'
  | 'unexpected-end'
  | 'expected-of'
  | 'threshold-too-large'
  | 'negation-not-allowed';

/** A formula refusal pointing at a 1-based column (in characters). */
export class FormulaError extends SpmsError {
  readonly column: number;
  constructor(code: FormulaErrorCode, column: number, message: string) {
    super(code, `column ${column}: ${message}`);
    this.name = 'FormulaError';
    this.column = column;
  }
}
