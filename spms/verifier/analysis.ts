// Everything the checks share about one pluglet, computed once and lazily:
// the loaded program, the CFG of its code (PQUIC starts at slot 0 and knows no
// functions, so the whole code section is one graph) and the abstract
// interpretation.
import type { AbsResult } from './absint.ts';
import { interpret } from './absint.ts';
import type { Cfg } from './cfg.ts';
import { buildCfg } from './cfg.ts';
import { loopHints } from './checks/termination.ts';
import type { Finding } from './finding.ts';
import type { Program } from './program.ts';
import { findingAt } from './program.ts';

export interface Anchoring {
  protoop: string;
  anchor?: string;
  param?: number;
}

export class PlugletAnalysis {
  private cfgCache: Cfg | undefined;
  private absCache: AbsResult | undefined;
  private plainCache: AbsResult | undefined;
  constructor(
    readonly pluglet: string,
    readonly program: Program,
    readonly anchoring: Anchoring | undefined,
  ) {}

  get cfg(): Cfg {
    this.cfgCache ??= buildCfg(this.program.insns, 0, this.program.insns.length);
    return this.cfgCache;
  }

  /** The interpretation with plain widening (what loop proofs start from). */
  get plainAbs(): AbsResult {
    this.plainCache ??= interpret(this.program, this.cfg, true);
    return this.plainCache;
  }

  /** The interpretation whose widening at proven loops is bounded by their trip counts. */
  get abs(): AbsResult {
    if (this.absCache === undefined) {
      const plain = this.plainAbs;
      const hints = plain.gaveUp || this.cfg.loops.length === 0 ? undefined : loopHints(this);
      this.absCache = hints === undefined || hints.size === 0 ? plain : interpret(this.program, this.cfg, true, hints);
    }
    return this.absCache;
  }

  at(check: string, severity: Finding['severity'], pc: number, message: string): Finding {
    return findingAt(this.program, check, severity, pc, message, this.pluglet);
  }

  note(check: string, severity: Finding['severity'], message: string): Finding {
    return { check, severity, pluglet: this.pluglet, message };
  }

  /** Findings that make the deeper analyses meaningless (bad jumps, gave up). */
  structuralBlockers(check: string): Finding[] {
    const out: Finding[] = [];
    for (const pc of this.cfg.badJumps) out.push(this.at(check, 'error', pc, 'jump target outside the code or inside an lddw: the program is not well-formed, no further analysis'));
    if (out.length === 0 && this.plainAbs.gaveUp) out.push(this.note(check, 'error', 'abstract interpretation did not reach a fixpoint within its budget; the pluglet cannot be analysed'));
    return out;
  }
}
