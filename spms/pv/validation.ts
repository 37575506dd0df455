// The binding manager's decision: once every verifier of a submission has an
// outcome, the PV's validation formula over the properties that passed says
// whether the binding enters the tree at the next epoch. A refusal is
// reported to the PR with each verifier's findings and log.
import { evaluateFormula, parseFormula, type FormulaAst } from '../core/index.ts';
import type { VerifierConfig } from './config.ts';
import type { NodeEvents } from './node-events.ts';
import type { PvDatabase } from './pv-db.ts';
import type { TreeManager } from './tree-manager.ts';
import type { VerifierOutcome } from './verifier-job.ts';

export interface FailureReport {
  pvId: string;
  submissionId: string;
  name: string;
  archiveHash: string;
  bindingHash: string | null;
  reason: string;
  verifiers: { id: string; property: string; verdict: string; findings: VerifierOutcome['findings']; log: string }[];
}

export class Validation {
  private readonly formula: FormulaAst;

  constructor(
    private readonly pvId: string,
    private readonly db: PvDatabase,
    private readonly trees: TreeManager,
    private readonly events: NodeEvents,
    private readonly verifiers: readonly VerifierConfig[],
    formula: string,
  ) {
    this.formula = parseFormula(formula);
  }

  /** Decides a submission whose jobs are all done. */
  decide(submissionId: string): void {
    const sub = this.db
      .prepare<[string], { name: string; archive_hash: string; binding_hash: Buffer | null; state: string }>('SELECT name, archive_hash, binding_hash, state FROM submissions WHERE id = ?')
      .get(submissionId);
    if (sub === undefined || sub.state !== 'verifying' || sub.binding_hash === null) return;
    const jobs = this.db
      .prepare<[string], { verifier_id: string; verdict: string | null; result: string | null }>("SELECT verifier_id, verdict, result FROM jobs WHERE submission_id = ? AND state = 'done'")
      .all(submissionId);
    const passed = new Set<string>();
    const details: FailureReport['verifiers'] = [];
    for (const j of jobs) {
      const v = this.verifiers.find((x) => x.id === j.verifier_id);
      if (v === undefined) continue;
      const outcome = j.result === null ? undefined : (JSON.parse(j.result) as VerifierOutcome);
      if (j.verdict === 'pass') passed.add(v.property);
      details.push({ id: v.id, property: v.property, verdict: j.verdict ?? 'error', findings: outcome?.findings ?? [], log: (outcome?.log ?? '').slice(-16_384) });
    }
    const valid = evaluateFormula(this.formula, passed);
    const now = Date.now();
    this.db.transaction(() => {
      this.db.prepare('UPDATE submissions SET state = ?, decided_ms = ?, detail = ? WHERE id = ?').run(valid ? 'valid' : 'invalid', now, valid ? null : this.reason(passed), submissionId);
      if (valid) {
        this.trees.queueChange(sub.name, new Uint8Array(sub.binding_hash!), submissionId, now);
      } else {
        const report: FailureReport = {
          pvId: this.pvId,
          submissionId,
          name: sub.name,
          archiveHash: sub.archive_hash,
          bindingHash: Buffer.from(sub.binding_hash!).toString('hex'),
          reason: this.reason(passed),
          verifiers: details,
        };
        this.db.prepare("INSERT INTO outbox (kind, body, created_ms) VALUES ('failure', ?, ?)").run(JSON.stringify(report), now);
      }
    })();
    this.events.emit('decision', { submission: submissionId, name: sub.name, valid, passed: [...passed] });
  }

  private reason(passed: Set<string>): string {
    const failed = this.verifiers.filter((v) => !passed.has(v.property)).map((v) => `${v.id} (${v.property})`);
    return `the validation formula does not hold; not passed: ${failed.join(', ') || 'none'}`;
  }
}
