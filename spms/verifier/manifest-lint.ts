// Manifest rules beyond syntax: every object exists, operations are known (or
// defined by the plugin itself as extern), anchors obey PQUIC's insertion rules
// (one replace/extern per operation and parameter, no observers on extern
// operations), parameters match the operation.
import { protoops } from './api.ts';
import type { Finding } from './finding.ts';
import type { Manifest } from './manifest.ts';
import { plugletEntries } from './manifest.ts';

export interface LintContext {
  /** Paths present in the plugin (objects and fragments). */
  files: ReadonlySet<string>;
}

export function lintManifest(m: Manifest, ctx: LintContext): Finding[] {
  const out: Finding[] = [];
  const err = (line: number, message: string): void => void out.push({ check: 'wellformed', severity: 'error', message: `manifest line ${line}: ${message}` });
  const warn = (line: number, message: string): void => void out.push({ check: 'wellformed', severity: 'warning', message: `manifest line ${line}: ${message}` });
  const pluglets = plugletEntries(m);
  const externs = new Set(pluglets.filter((e) => e.anchor === 'extern').map((e) => e.protoop));
  const exclusive = new Map<string, number>();
  for (const e of m.entries) {
    if (!ctx.files.has(e.path)) err(e.line, `${e.kind === 'include' ? 'fragment' : 'object'} "${e.path}" is not in the plugin`);
  }
  if (pluglets.length === 0) out.push({ check: 'wellformed', severity: 'error', message: 'manifest anchors no pluglet' });
  for (const e of pluglets) {
    const known = protoops.get(e.protoop);
    if (e.anchor !== 'extern' && known === undefined && !externs.has(e.protoop)) {
      err(e.line, `protocol operation "${e.protoop}" is neither one of PQUIC's nor defined extern by this plugin`);
    }
    if (e.anchor === 'extern' && known !== undefined) err(e.line, `"${e.protoop}" is a built-in protocol operation and cannot be anchored extern`);
    if (known !== undefined && e.param !== undefined && !known.param) err(e.line, `protocol operation "${e.protoop}" takes no parameter`);
    if (known?.param === true && e.param === undefined) warn(e.line, `protocol operation "${e.protoop}" is parameterised; without "param" the pluglet anchors the default parameter`);
    if ((e.anchor === 'pre' || e.anchor === 'post') && externs.has(e.protoop)) err(e.line, `"${e.protoop}" is an extern operation: it cannot have pre/post pluglets`);
    if (e.anchor === 'replace' || e.anchor === 'extern') {
      const key = `${e.protoop}/${e.param ?? '-'}`;
      const first = exclusive.get(key);
      if (first !== undefined) err(e.line, `"${e.protoop}"${e.param === undefined ? '' : ` param ${e.param}`} already has a replace/extern pluglet (line ${first})`);
      else exclusive.set(key, e.line);
    }
  }
  return out;
}
