// Formulas of DESIGN §3.5: peers' trust formulas over PV ids and PVs'
// validation formulas over their verifiers' properties.
export { equalFormulas, type FormulaAst } from './ast.ts';
export { FormulaError, type FormulaErrorCode } from './formula-error.ts';
export { isFormulaIdentifier, MAX_FORMULA_CHARS } from './lexer.ts';
export { MAX_FORMULA_DEPTH, parseFormula } from './parser.ts';
export { atomsOf, evaluateFormula } from './evaluate.ts';
export { isMonotone, parseMonotoneFormula } from './monotone.ts';
export { DEFAULT_SEARCH_BUDGET, minimalSatisfyingSet } from './minimal.ts';
export { formatFormula } from './format.ts';
