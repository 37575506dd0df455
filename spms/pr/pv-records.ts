// What the PR keeps about each PV: its certificate (which carries its STR
// key), every STR it pushed, the archives it fetched, the failures it
// reported, and the evidence of every STR refused for breaking its chain.
import { z } from 'zod';
import { checkNextStr, decodeSignedStr, detectEquivocation, encodeSignedStr, equalBytes, strFromJson, strHash, strToJson, toHex, verifyStrSignature, type SignedStr } from '../core/index.ts';
import type { ParsedCertificate } from '../../certs/parse.ts';
import { bytesToHex } from '../../certs/binary.ts';
import { derToPem } from '../../certs/der.ts';
import { HttpError } from './http-error.ts';
import type { PrDatabase } from './pr-db.ts';
import type { SubmissionRecord } from './registry.ts';

const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lowercase hex digits');

/** A PV's report that a submission failed its validation (spms/pv FailureReport). */
export const failureReportSchema = z
  .object({
    pvId: z.string().min(1).max(255),
    submissionId: z.string().min(1).max(64),
    name: z.string().min(1).max(255),
    archiveHash: hex64,
    bindingHash: hex64.nullable(),
    reason: z.string().max(4096),
    verifiers: z
      .array(
        z.object({
          id: z.string().max(255),
          property: z.string().max(255),
          verdict: z.string().max(32),
          findings: z.array(z.unknown()).max(10_000),
          log: z.string().max(256 * 1024),
        }),
      )
      .max(256),
  })
  .strict();

export type FailureReportBody = z.infer<typeof failureReportSchema>;

export interface PvStatus {
  pvId: string;
  state: 'not-fetched' | 'fetched' | 'failed';
  fetchedMs: number | null;
  failure: (FailureReportBody & { receivedMs: number }) | null;
}

export interface EvidenceRecord {
  id: number;
  pvId: string;
  epoch: number;
  code: string;
  message: string;
  refused: ReturnType<typeof strToJson>;
  previous: ReturnType<typeof strToJson> | null;
  receivedMs: number;
}

/** Chain rules whose breach, by a validly signed STR, proves misbehaviour. */
const EVIDENT = new Set(['equivocation', 'prev-hash-mismatch', 'timestamp-not-increasing', 'tree-id-changed', 'pv-id-changed', 'genesis-prev-hash', 'epoch-not-increasing']);

/** How stale a PV's last-seen time may get before a request refreshes it. */
export const LAST_SEEN_RESOLUTION_MS = 5000;

export class PvRecords {
  /** What was last written for each PV, so requests that change nothing write nothing. */
  private readonly written = new Map<string, { der: Uint8Array; atMs: number }>();

  constructor(private readonly db: PrDatabase) {}

  /**
   * Remembers a PV's certificate and when it was last seen. A durable write
   * per request would make every PV request wait for the disk, so it is
   * written when the certificate changes or the last-seen time is older
   * than LAST_SEEN_RESOLUTION_MS.
   */
  seen(cert: ParsedCertificate): void {
    if (cert.strPublicKey === undefined) return;
    const now = Date.now();
    const last = this.written.get(cert.commonName);
    if (last !== undefined && now - last.atMs < LAST_SEEN_RESOLUTION_MS && equalBytes(last.der, cert.der)) return;
    this.db
      .prepare(
        'INSERT INTO pvs (pv_id, certificate, str_public_key, first_seen_ms, last_seen_ms) VALUES (?, ?, ?, ?, ?) ON CONFLICT (pv_id) DO UPDATE SET certificate = excluded.certificate, str_public_key = excluded.str_public_key, last_seen_ms = excluded.last_seen_ms',
      )
      .run(cert.commonName, derToPem(cert.der, 'CERTIFICATE'), bytesToHex(cert.strPublicKey), now, now);
    this.written.set(cert.commonName, { der: cert.der, atMs: now });
  }

  /** Where peers reach the PV's user gateway, as the PV itself declares it. */
  register(cert: ParsedCertificate, body: unknown): { pvId: string; gatewayUrl: string } {
    const parsed = z
      .object({
        gatewayUrl: z
          .url()
          .refine((u) => u.startsWith('https://'), 'must be an https:// URL')
          .max(2048),
      })
      .strict()
      .safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'bad-request', `registration: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
    this.seen(cert);
    this.db.prepare('UPDATE pvs SET gateway_url = ? WHERE pv_id = ?').run(parsed.data.gatewayUrl, cert.commonName);
    return { pvId: cert.commonName, gatewayUrl: parsed.data.gatewayUrl };
  }

  pvs(): { pvId: string; certificate: string; strPublicKey: string; gatewayUrl: string | null; firstSeenMs: number; lastSeenMs: number; latestEpoch: number | null }[] {
    return this.db
      .prepare<[], { pv_id: string; certificate: string; str_public_key: string; gateway_url: string | null; first_seen_ms: number; last_seen_ms: number; latest: number | null }>(
        'SELECT p.*, (SELECT MAX(epoch) FROM strs s WHERE s.pv_id = p.pv_id) AS latest FROM pvs p ORDER BY p.pv_id',
      )
      .all()
      .map((r) => ({
        pvId: r.pv_id,
        certificate: r.certificate,
        strPublicKey: r.str_public_key,
        gatewayUrl: r.gateway_url,
        firstSeenMs: r.first_seen_ms,
        lastSeenMs: r.last_seen_ms,
        latestEpoch: r.latest,
      }));
  }

  fetched(pvId: string, submissionId: string): void {
    this.db.prepare('INSERT OR IGNORE INTO fetches (pv_id, submission_id, fetched_ms) VALUES (?, ?, ?)').run(pvId, submissionId, Date.now());
  }

  private strAt(pvId: string, epoch: number): SignedStr | undefined {
    const row = this.db.prepare<[string, number], { bytes: Buffer }>('SELECT bytes FROM strs WHERE pv_id = ? AND epoch = ?').get(pvId, epoch);
    return row === undefined ? undefined : decodeSignedStr(new Uint8Array(row.bytes));
  }

  latestStr(pvId: string): SignedStr | undefined {
    const row = this.db.prepare<[string], { bytes: Buffer }>('SELECT bytes FROM strs WHERE pv_id = ? ORDER BY epoch DESC LIMIT 1').get(pvId);
    return row === undefined ? undefined : decodeSignedStr(new Uint8Array(row.bytes));
  }

  strRange(pvId: string, from: number, to: number): SignedStr[] {
    return this.db
      .prepare<[string, number, number], { bytes: Buffer }>('SELECT bytes FROM strs WHERE pv_id = ? AND epoch BETWEEN ? AND ? ORDER BY epoch')
      .all(pvId, from, to)
      .map((r) => decodeSignedStr(new Uint8Array(r.bytes)));
  }

  /**
   * Accepts an STR from the PV `cert` names if it extends that PV's chain.
   * A signed STR that contradicts the chain is refused and kept as evidence;
   * the same STR sent again is acknowledged without change.
   */
  acceptStr(cert: ParsedCertificate, body: unknown): { str: SignedStr; duplicate: boolean } {
    let str: SignedStr;
    try {
      str = strFromJson(body);
    } catch (e) {
      throw new HttpError(400, 'bad-str', (e as Error).message);
    }
    const key = cert.strPublicKey;
    if (key === undefined) throw new HttpError(403, 'no-str-key', 'your certificate carries no STR public key');
    if (str.pvId !== cert.commonName) throw new HttpError(403, 'pv-id-mismatch', `the STR is for "${str.pvId}" but your certificate is for "${cert.commonName}"`);
    const badSignature = (): HttpError => new HttpError(400, 'bad-signature', `the STR of epoch ${str.epoch} is not signed by the STR key in your certificate`);
    // The evidence of a refusal must be committed, so refusals are returned out of the transaction, not thrown in it.
    const outcome = this.db.transaction((): { duplicate: boolean } | HttpError => {
      const same = this.strAt(str.pvId, str.epoch);
      if (same !== undefined) {
        if (!verifyStrSignature(str, key)) return badSignature();
        if (toHex(encodeSignedStr(same)) === toHex(encodeSignedStr(str))) return { duplicate: true };
        if (detectEquivocation(same, str, key) !== null) return this.refuse(str, same, 'equivocation', `"${str.pvId}" signed two different STRs for epoch ${str.epoch}`);
        return new HttpError(409, 'epoch-not-increasing', `epoch ${str.epoch} of "${str.pvId}" is already recorded with another signature`);
      }
      const latest = this.latestStr(str.pvId);
      // The chain check verifies the signature first (once: Ed25519 in JavaScript costs the event loop milliseconds).
      const issue = checkNextStr(latest, str, key);
      if (issue?.code === 'bad-signature') return badSignature();
      if (issue !== null) return EVIDENT.has(issue.code) ? this.refuse(str, latest ?? null, issue.code, issue.message) : new HttpError(409, issue.code, issue.message);
      this.db
        .prepare('INSERT INTO strs (pv_id, epoch, timestamp_ms, bytes, str_hash, received_ms) VALUES (?, ?, ?, ?, ?, ?)')
        .run(str.pvId, str.epoch, str.timestampMs, Buffer.from(encodeSignedStr(str)), toHex(strHash(str)), Date.now());
      return { duplicate: false };
    })();
    if (outcome instanceof HttpError) throw outcome;
    return { str, duplicate: outcome.duplicate };
  }

  private refuse(str: SignedStr, previous: SignedStr | null, code: string, message: string): HttpError {
    this.db
      .prepare('INSERT INTO evidence (pv_id, epoch, code, message, refused, previous, received_ms) VALUES (?, ?, ?, ?, ?, ?, ?)')
      .run(str.pvId, str.epoch, code, message, Buffer.from(encodeSignedStr(str)), previous === null ? null : Buffer.from(encodeSignedStr(previous)), Date.now());
    return new HttpError(409, code, `${message} (kept as evidence)`);
  }

  evidence(): EvidenceRecord[] {
    return this.db
      .prepare<[], { id: number; pv_id: string; epoch: number; code: string; message: string; refused: Buffer; previous: Buffer | null; received_ms: number }>('SELECT * FROM evidence ORDER BY id')
      .all()
      .map((r) => ({
        id: r.id,
        pvId: r.pv_id,
        epoch: r.epoch,
        code: r.code,
        message: r.message,
        refused: strToJson(decodeSignedStr(new Uint8Array(r.refused))),
        previous: r.previous === null ? null : strToJson(decodeSignedStr(new Uint8Array(r.previous))),
        receivedMs: r.received_ms,
      }));
  }

  recordFailure(cert: ParsedCertificate, body: unknown, submission: (id: string) => SubmissionRecord | undefined): { report: FailureReportBody; replaced: boolean } {
    const parsed = failureReportSchema.safeParse(body);
    if (!parsed.success) throw new HttpError(400, 'bad-failure-report', parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; '));
    const report = parsed.data;
    if (report.pvId !== cert.commonName) throw new HttpError(403, 'pv-id-mismatch', `the report is from "${report.pvId}" but your certificate is for "${cert.commonName}"`);
    const sub = submission(report.submissionId);
    if (sub === undefined) throw new HttpError(404, 'unknown-submission', `no submission "${report.submissionId}"`);
    if (sub.name !== report.name || sub.archiveHash !== report.archiveHash)
      throw new HttpError(422, 'submission-mismatch', `submission "${sub.id}" is ${sub.name} with archive ${sub.archiveHash}, not what the report says`);
    const replaced = this.db.prepare('SELECT 1 FROM failures WHERE pv_id = ? AND submission_id = ?').get(report.pvId, report.submissionId) !== undefined;
    this.db
      .prepare(
        'INSERT INTO failures (pv_id, submission_id, report, received_ms) VALUES (?, ?, ?, ?) ON CONFLICT (pv_id, submission_id) DO UPDATE SET report = excluded.report, received_ms = excluded.received_ms',
      )
      .run(report.pvId, report.submissionId, JSON.stringify(report), Date.now());
    return { report, replaced };
  }

  /** Each known PV's view of a submission: fetched, failed (with its report) or not yet fetched. */
  status(submissionId: string): PvStatus[] {
    const ids = this.db
      .prepare<[string, string], { pv_id: string }>(
        'SELECT pv_id FROM pvs UNION SELECT pv_id FROM fetches WHERE submission_id = ? UNION SELECT pv_id FROM failures WHERE submission_id = ? ORDER BY pv_id',
      )
      .all(submissionId, submissionId)
      .map((r) => r.pv_id);
    return ids.map((pvId) => {
      const f = this.db.prepare<[string, string], { fetched_ms: number }>('SELECT fetched_ms FROM fetches WHERE pv_id = ? AND submission_id = ?').get(pvId, submissionId);
      const fail = this.db.prepare<[string, string], { report: string; received_ms: number }>('SELECT report, received_ms FROM failures WHERE pv_id = ? AND submission_id = ?').get(pvId, submissionId);
      const failure = fail === undefined ? null : { ...(JSON.parse(fail.report) as FailureReportBody), receivedMs: fail.received_ms };
      return { pvId, state: failure !== null ? 'failed' : f !== undefined ? 'fetched' : 'not-fetched', fetchedMs: f?.fetched_ms ?? null, failure };
    });
  }
}
