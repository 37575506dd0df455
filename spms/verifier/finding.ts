// A finding: one observation of one check about one pluglet, precise enough
// for a developer to act on (instruction, disassembly, source line).

export type Severity = 'error' | 'warning' | 'info';

export interface Finding {
  check: string;
  severity: Severity;
  pluglet?: string;
  instruction?: number;
  disasm?: string;
  source?: { file: string; line: number };
  message: string;
}

const severityRank: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Deterministic order: by pluglet, instruction, severity, check, message. */
export function sortFindings(findings: Finding[]): Finding[] {
  return [...findings].sort(
    (a, b) =>
      (a.pluglet ?? '').localeCompare(b.pluglet ?? '') ||
      (a.instruction ?? -1) - (b.instruction ?? -1) ||
      severityRank[a.severity] - severityRank[b.severity] ||
      a.check.localeCompare(b.check) ||
      a.message.localeCompare(b.message),
  );
}

export function hasErrors(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'error');
}
