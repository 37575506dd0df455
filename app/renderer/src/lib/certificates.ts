// The Certificates view's logic: revocation reasons as the daemon accepts
// them (RFC 5280 CRLReason names), developer namespaces as typed, the table's
// order and each certificate's remaining validity in words.
import { isValidName } from '../../../../spms/core/index.ts';
import type { IssuedCertificate } from './api-types.ts';

/** The reasons POST /api/ca/certificates/{serial}/revoke accepts, with what each means. */
export const REVOCATION_REASONS = [
  { value: 'unspecified', label: 'Unspecified' },
  { value: 'keyCompromise', label: 'Key compromise' },
  { value: 'affiliationChanged', label: 'Affiliation changed' },
  { value: 'superseded', label: 'Superseded' },
  { value: 'cessationOfOperation', label: 'Cessation of operation' },
  { value: 'cACompromise', label: 'CA compromise' },
] as const;

export type RevocationReason = (typeof REVOCATION_REASONS)[number]['value'];

/** A namespace is a plugin name without its last label, e.g. org.example. */
export function isValidNamespace(ns: string): boolean {
  return ns.length > 0 && ns.length <= 253 && isValidName(`${ns}.x`);
}

export function parseNamespaces(text: string): { namespaces: string[]; invalid: string[] } {
  const namespaces: string[] = [];
  const invalid: string[] = [];
  for (const ns of text.split(/[\s,;]+/).filter((s) => s !== '')) {
    if (!isValidNamespace(ns)) invalid.push(ns);
    else if (!namespaces.includes(ns)) namespaces.push(ns);
  }
  return { namespaces, invalid };
}

/** Developer names as the daemon accepts them. */
export function developerNameProblem(name: string): string | null {
  if (name === '') return 'a name is required';
  return /^[A-Za-z0-9_.@-]{1,64}$/.test(name) ? null : 'at most 64 letters, digits or _ . @ -';
}

const STATUS_ORDER: Record<IssuedCertificate['status'], number> = { valid: 0, expired: 1, revoked: 2 };
const ROLE_ORDER: Record<string, number> = { pr: 0, pv: 1, daemon: 2, developer: 3 };

/** Valid first, then by role (PR, PVs, daemon, developers), name, newest first. */
export function sortCertificates(certs: readonly IssuedCertificate[]): IssuedCertificate[] {
  return [...certs].sort(
    (a, b) =>
      STATUS_ORDER[a.status] - STATUS_ORDER[b.status] || (ROLE_ORDER[a.role] ?? 9) - (ROLE_ORDER[b.role] ?? 9) || a.name.localeCompare(b.name, undefined, { numeric: true }) || b.issuedMs - a.issuedMs,
  );
}

/** "in 3 days", "in 5 h", "2 days ago": how far `ms` is from `nowMs`. */
export function relativeTime(ms: number, nowMs: number): string {
  const d = ms - nowMs;
  const abs = Math.abs(d);
  const units: [number, string][] = [
    [365 * 86_400_000, 'year'],
    [86_400_000, 'day'],
    [3_600_000, 'h'],
    [60_000, 'min'],
  ];
  let text = 'less than a minute';
  for (const [size, unit] of units) {
    if (abs >= size) {
      const n = Math.floor(abs / size);
      text = unit === 'h' || unit === 'min' ? `${n} ${unit}` : `${n} ${unit}${n === 1 ? '' : 's'}`;
      break;
    }
  }
  return d >= 0 ? `in ${text}` : `${text} ago`;
}

/** Certificates whose revocation takes part of the lab down, and what happens. */
export function revocationImpact(cert: Pick<IssuedCertificate, 'role' | 'name'>, labDeveloper?: string): string | null {
  switch (cert.role) {
    case 'pr':
      return 'This is the PR’s certificate: PVs and developers will refuse the PR until a new one is issued (redeploy the lab).';
    case 'pv':
      return `This is ${cert.name}’s certificate: its STRs and proofs will no longer be trusted, so bundles that rely on ${cert.name} are refused.`;
    case 'daemon':
      return 'This is the daemon’s certificate: the nodes will refuse the daemon’s requests.';
    case 'developer':
      return cert.name === labDeveloper ? 'This is the lab developer the panel submits plugins with: the PR refuses it at once, and the daemon issues a new one at the next upload.' : null;
    default:
      return null;
  }
}
