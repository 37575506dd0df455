export type { FormulaAst } from './ast.ts';
export { FormulaError, type FormulaErrorCode } from './formula-error.ts';
export { parseFormula } from './parser.ts';
export { atomsOf, evaluateFormula, isMonotone, parseMonotoneFormula } from './evaluate.ts';
export { EXACT_SEARCH_LIMIT, minimalSatisfyingSet } from './minimal.ts';
export { formatFormula } from './format.ts';
