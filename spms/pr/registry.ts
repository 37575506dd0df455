// Namespaces, submissions and the announcement log. A developer may claim a
// namespace its certificate names; the first claim wins and no claim may
// overlap another developer's namespace, so every plugin name has at most
// one owner. Each distinct archive for a name is a new version, announced
// once; resubmitting the same bytes returns the existing submission.
import { randomUUID } from 'node:crypto';
import { namespaceOf } from '../core/index.ts';
import type { ParsedCertificate } from '../../certs/parse.ts';
import { HttpError } from './http-error.ts';
import type { PrDatabase } from './pr-db.ts';

export interface NamespaceRecord {
  namespace: string;
  owner: string;
  registeredMs: number;
}

export interface SubmissionRecord {
  id: string;
  name: string;
  version: number;
  archiveHash: string;
  size: number;
  files: number;
  submitter: string;
  submittedMs: number;
  topics: string[];
}

/** What PVs receive, live over MQTT and on catch-up over HTTP. */
export interface AnnouncementRecord {
  id: string;
  cursor: number;
  name: string;
  archiveHash: string;
  submittedMs: number;
  topics: string[];
}

const covers = (owned: string, ns: string): boolean => ns === owned || ns.startsWith(`${owned}.`);

interface SubmissionRow {
  id: string;
  name: string;
  version: number;
  archive_hash: string;
  size: number;
  files: number;
  submitter: string;
  submitted_ms: number;
  topics: string;
}

function toSubmission(r: SubmissionRow): SubmissionRecord {
  return {
    id: r.id,
    name: r.name,
    version: r.version,
    archiveHash: r.archive_hash,
    size: r.size,
    files: r.files,
    submitter: r.submitter,
    submittedMs: r.submitted_ms,
    topics: JSON.parse(r.topics) as string[],
  };
}

export class Registry {
  constructor(private readonly db: PrDatabase) {}

  namespaces(): NamespaceRecord[] {
    return this.db
      .prepare<[], { namespace: string; owner: string; registered_ms: number }>('SELECT namespace, owner, registered_ms FROM namespaces ORDER BY namespace')
      .all()
      .map((r) => ({ namespace: r.namespace, owner: r.owner, registeredMs: r.registered_ms }));
  }

  /** The registered namespace that covers `ns`, if any (there is at most one). */
  private coveringNamespace(ns: string): NamespaceRecord | undefined {
    return this.namespaces().find((r) => covers(r.namespace, ns));
  }

  /** Claims a namespace for the certificate's holder; returns whether it was new. */
  registerNamespace(namespace: string, cert: ParsedCertificate): { record: NamespaceRecord; created: boolean } {
    return this.db.transaction(() => {
      const owned = cert.namespaces ?? [];
      if (!owned.some((o) => covers(o, namespace))) {
        throw new HttpError(403, 'namespace-not-in-certificate', `your certificate names ${owned.length === 0 ? 'no namespace' : owned.join(', ')}; "${namespace}" is not among them or under them`);
      }
      const existing = this.db.prepare<[string], { owner: string; registered_ms: number }>('SELECT owner, registered_ms FROM namespaces WHERE namespace = ?').get(namespace);
      if (existing !== undefined) {
        if (existing.owner !== cert.commonName) throw new HttpError(409, 'namespace-taken', `namespace "${namespace}" is already registered to another developer`);
        return { record: { namespace, owner: existing.owner, registeredMs: existing.registered_ms }, created: false };
      }
      const clash = this.namespaces().find((r) => r.owner !== cert.commonName && (covers(r.namespace, namespace) || covers(namespace, r.namespace)));
      if (clash !== undefined) throw new HttpError(409, 'namespace-taken', `namespace "${namespace}" overlaps "${clash.namespace}", registered to another developer`);
      const now = Date.now();
      this.db.prepare('INSERT INTO namespaces (namespace, owner, owner_serial, registered_ms) VALUES (?, ?, ?, ?)').run(namespace, cert.commonName, cert.serial, now);
      return { record: { namespace, owner: cert.commonName, registeredMs: now }, created: true };
    })();
  }

  /**
   * Records a submission and its announcement in one transaction. The name
   * must be under a namespace the submitter owns; a namespace nobody owns yet
   * is claimed on the way when the certificate names it.
   */
  submit(input: { name: string; archiveHash: string; size: number; files: number; topics: string[]; cert: ParsedCertificate }): {
    submission: SubmissionRecord;
    announcement: AnnouncementRecord;
    created: boolean;
    claimed: string | null;
  } {
    return this.db.transaction(() => {
      const ns = namespaceOf(input.name);
      let claimed: string | null = null;
      const owner = this.coveringNamespace(ns);
      if (owner === undefined) {
        // Claim the namespace exactly as the certificate names it, the unit a developer owns.
        const named = (input.cert.namespaces ?? []).find((o) => covers(o, ns));
        if (named === undefined) throw new HttpError(403, 'namespace-not-owned', `"${input.name}" is under namespace "${ns}", which nobody has registered and your certificate does not name`);
        this.registerNamespace(named, input.cert);
        claimed = named;
      } else if (owner.owner !== input.cert.commonName) {
        throw new HttpError(403, 'namespace-not-owned', `"${input.name}" is under namespace "${owner.namespace}", registered to another developer`);
      }
      const existing = this.db.prepare<[string, string], SubmissionRow>('SELECT * FROM submissions WHERE name = ? AND archive_hash = ?').get(input.name, input.archiveHash);
      if (existing !== undefined) return { submission: toSubmission(existing), announcement: this.announcementOf(existing.id)!, created: false, claimed };
      const version = (this.db.prepare<[string], { v: number | null }>('SELECT MAX(version) AS v FROM submissions WHERE name = ?').get(input.name)?.v ?? 0) + 1;
      const id = randomUUID();
      const now = Date.now();
      const topics = JSON.stringify(input.topics);
      this.db
        .prepare('INSERT INTO submissions (id, name, version, archive_hash, size, files, submitter, submitted_ms, topics) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, input.name, version, input.archiveHash, input.size, input.files, input.cert.commonName, now, topics);
      this.db.prepare('INSERT INTO announcements (submission_id, name, archive_hash, submitted_ms, topics) VALUES (?, ?, ?, ?, ?)').run(id, input.name, input.archiveHash, now, topics);
      return { submission: this.submission(id)!, announcement: this.announcementOf(id)!, created: true, claimed };
    })();
  }

  submission(id: string): SubmissionRecord | undefined {
    const row = this.db.prepare<[string], SubmissionRow>('SELECT * FROM submissions WHERE id = ?').get(id);
    return row === undefined ? undefined : toSubmission(row);
  }

  /** Every version of a name, oldest first. */
  versions(name: string): SubmissionRecord[] {
    return this.db.prepare<[string], SubmissionRow>('SELECT * FROM submissions WHERE name = ? ORDER BY version').all(name).map(toSubmission);
  }

  plugins(): { name: string; versions: number; latest: SubmissionRecord }[] {
    const rows = this.db
      .prepare<[], SubmissionRow>('SELECT s.* FROM submissions s JOIN (SELECT name, MAX(version) AS v FROM submissions GROUP BY name) m ON m.name = s.name AND m.v = s.version ORDER BY s.name')
      .all();
    return rows.map((r) => ({ name: r.name, versions: r.version, latest: toSubmission(r) }));
  }

  private announcementOf(submissionId: string): AnnouncementRecord | undefined {
    const r = this.db
      .prepare<[string], { cursor: number; submission_id: string; name: string; archive_hash: string; submitted_ms: number; topics: string }>('SELECT * FROM announcements WHERE submission_id = ?')
      .get(submissionId);
    return r === undefined ? undefined : { id: r.submission_id, cursor: r.cursor, name: r.name, archiveHash: r.archive_hash, submittedMs: r.submitted_ms, topics: JSON.parse(r.topics) as string[] };
  }

  announcementsAfter(cursor: number, limit: number): AnnouncementRecord[] {
    return this.db
      .prepare<[number, number], { cursor: number; submission_id: string; name: string; archive_hash: string; submitted_ms: number; topics: string }>(
        'SELECT * FROM announcements WHERE cursor > ? ORDER BY cursor LIMIT ?',
      )
      .all(cursor, limit)
      .map((r) => ({ id: r.submission_id, cursor: r.cursor, name: r.name, archiveHash: r.archive_hash, submittedMs: r.submitted_ms, topics: JSON.parse(r.topics) as string[] }));
  }

  /** The submission of `name` with these archive bytes, for a PV's fetch. */
  byArchive(name: string, archiveHash: string): SubmissionRecord | undefined {
    const row = this.db.prepare<[string, string], SubmissionRow>('SELECT * FROM submissions WHERE name = ? AND archive_hash = ?').get(name, archiveHash);
    return row === undefined ? undefined : toSubmission(row);
  }
}
