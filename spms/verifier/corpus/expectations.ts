// The expectations a corpus pluglet states in its header comments:
//   // protoop: NAME
//   // expect[{policy options}]: check=pass|fail ["substring of the error"] ...
//   // compile: fail "substring of the compiler's refusal"
// so each C file documents, next to its code, the verdict every check must
// reach and the exact reason of each refusal.
import type { CheckName } from '../pluglet-report.ts';
import { CHECK_NAMES } from '../pluglet-report.ts';

export interface Expectation {
  options: Record<string, unknown>;
  check: CheckName;
  verdict: 'pass' | 'fail';
  /** For failures: text an error finding of this check must contain. */
  reason?: string;
}

export interface CorpusHeader {
  protoop?: string;
  /** When the compile step itself must refuse the file, the reason it gives. */
  compileFails?: string;
  expectations: Expectation[];
}

export function parseHeader(source: string, file: string): CorpusHeader {
  const out: CorpusHeader = { expectations: [] };
  for (const line of source.split('\n')) {
    if (!line.startsWith('//')) break;
    const protoop = /^\/\/ protoop: (\S+)\s*$/.exec(line);
    if (protoop !== null) out.protoop = protoop[1];
    const compile = /^\/\/ compile: fail "(.*)"\s*$/.exec(line);
    if (compile !== null) out.compileFails = compile[1];
    const m = /^\/\/ expect(?:\[(.*)\])?: (.*)$/.exec(line);
    if (m === null) continue;
    const options = m[1] === undefined ? {} : (JSON.parse(m[1]) as Record<string, unknown>);
    const re = /([a-z-]+)=(pass|fail)(?:\s+"((?:[^"\\]|\\.)*)")?/g;
    let found = false;
    for (const item of (m[2] ?? '').matchAll(re)) {
      const check = item[1] as CheckName;
      if (!CHECK_NAMES.includes(check)) throw new Error(`${file}: unknown check "${check}"`);
      const e: Expectation = { options, check, verdict: item[2] as 'pass' | 'fail' };
      if (item[3] !== undefined) e.reason = item[3].replace(/\\"/g, '"');
      out.expectations.push(e);
      found = true;
    }
    if (!found) throw new Error(`${file}: expectation line without check=verdict: ${line}`);
  }
  return out;
}
