// The Plugin Validator as one long-running process: PR link, binding
// generator, binding manager, verifier runner, tree manager and user gateway
// wired together. Every step is persisted before the next starts, so a PV
// killed at any moment resumes where it was.
import { mkdirSync, readFileSync, writeFileSync, existsSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { decodeBinding, encodeBinding, equalBytes, policyHash as hashPolicy, type SignedStr } from '../core/index.ts';
import { parseCertificate } from '../../certs/parse.ts';
import { policyOf, type PvConfig } from './config.ts';
import type { BindingBuilder } from './built-binding.ts';
import { BindingBuildError } from './built-binding.ts';
import { JobQueue, type JobRunner } from './job-queue.ts';
import { NodeEvents } from './node-events.ts';
import type { Announcement, PrLink } from './pr-link.ts';
import { getMeta, openPvDatabase, setMeta, type PvDatabase } from './pv-db.ts';
import { loadOrCreateStrKey, type StrKey } from './str-key.ts';
import { TreeManager } from './tree-manager.ts';
import { UserGateway } from './user-gateway.ts';
import { Validation, type FailureReport } from './validation.ts';
import { prepareWorkers, runInWorker } from './verifier-pool.ts';

export interface PvNodeDeps {
  prLink: PrLink;
  buildBinding: BindingBuilder;
  runJob?: JobRunner;
  events?: NodeEvents;
}

const sha256Hex = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export class PvNode {
  readonly events: NodeEvents;
  readonly db: PvDatabase;
  readonly trees: TreeManager;
  readonly key: StrKey;
  private readonly queue: JobQueue;
  private readonly validation: Validation;
  private gateway: UserGateway | undefined;
  private epochTimer: NodeJS.Timeout | undefined;
  private pushTimer: NodeJS.Timeout | undefined;
  private pushBackoff: number;
  /** The push under way, if any: at most one at a time, or every epoch would re-send the same unpushed STRs. */
  private pushing: Promise<void> | undefined;
  private pushAgain = false;
  private stopped = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  port = 0;

  private constructor(
    readonly config: PvConfig,
    private readonly deps: PvNodeDeps,
  ) {
    this.events = deps.events ?? new NodeEvents(config.id);
    this.db = openPvDatabase(config.dataDir);
    this.key = loadOrCreateStrKey(config.strKey);
    const policy = policyOf(config);
    this.trees = new TreeManager(this.db, config.id, this.key, hashPolicy(policy));
    this.validation = new Validation(config.id, this.db, this.trees, this.events, config.verifiers, config.formula);
    this.queue = new JobQueue(
      this.db,
      config.verifiers,
      this.events,
      deps.runJob ?? ((job, limits, signal) => runInWorker(job, limits, signal)),
      (id) => this.jobInputs(id),
      (id) => this.validation.decide(id),
    );
    this.pushBackoff = config.retry.minMs;
  }

  static async start(config: PvConfig, deps: PvNodeDeps): Promise<PvNode> {
    // The worker bundle takes a second or more to build: not on the first plugin's time.
    if (deps.runJob === undefined) prepareWorkers();
    const node = new PvNode(config, deps);
    await node.boot();
    return node;
  }

  private archivePath(hash: string): string {
    return join(this.config.dataDir, 'archives', `${hash}.bin`);
  }

  private jobInputs(submissionId: string): { binding: Uint8Array; sources: { path: string; data: Uint8Array }[] } {
    const row = this.db.prepare<[string], { bytes: Buffer }>('SELECT b.bytes FROM submissions s JOIN bindings b ON b.binding_hash = s.binding_hash WHERE s.id = ?').get(submissionId);
    if (row === undefined) throw new Error(`submission ${submissionId} has no binding`);
    const sourcesFile = join(this.config.dataDir, 'sources', `${submissionId}.json`);
    const sources = existsSync(sourcesFile)
      ? (JSON.parse(readFileSync(sourcesFile, 'utf8')) as { path: string; data: string }[]).map((s) => ({ path: s.path, data: new Uint8Array(Buffer.from(s.data, 'base64')) }))
      : [];
    return { binding: new Uint8Array(row.bytes), sources };
  }

  private async boot(): Promise<void> {
    const tls = { cert: readFileSync(this.config.tls.cert), key: readFileSync(this.config.tls.key), ca: readFileSync(this.config.tls.ca) };
    // Peers trust this PV's STRs through its certificate: it must name this PV and carry this STR key.
    const cert = parseCertificate(tls.cert.toString('utf8'));
    if (cert.commonName !== this.config.id) throw new Error(`the certificate ${this.config.tls.cert} is for "${cert.commonName}", not "${this.config.id}"`);
    if (cert.strPublicKey === undefined || !equalBytes(cert.strPublicKey, this.key.publicKey)) {
      throw new Error(`the certificate ${this.config.tls.cert} does not carry this PV's STR key (${this.config.strKey}); issue it for that key`);
    }
    const policy = policyOf(this.config);
    this.gateway = new UserGateway(
      {
        pvId: this.config.id,
        db: this.db,
        trees: this.trees,
        events: this.events,
        policy,
        policyHash: hashPolicy(policy),
        strPublicKey: this.key.publicKey,
        certificatePem: tls.cert.toString('utf8'),
        ...(this.config.eventsToken === undefined ? {} : { eventsToken: this.config.eventsToken }),
      },
      tls,
    );
    this.port = await this.gateway.listen(this.config.listen.port, this.config.listen.host);
    this.events.emit('started', { port: this.port, epoch: this.trees.latestStr()?.epoch ?? null, treeId: Buffer.from(this.trees.tree.treeId).toString('hex') });
    // Work a crash interrupted: submissions not yet built are built again; queued jobs resume.
    const unfinished = this.db
      .prepare<[], { id: string; name: string; archive_hash: string; announced_ms: number }>(
        "SELECT id, name, archive_hash, announced_ms FROM submissions WHERE state IN ('announced', 'building') ORDER BY announced_ms",
      )
      .all();
    for (const s of unfinished) this.track(this.process({ id: s.id, cursor: 0, name: s.name, archiveHash: s.archive_hash, submittedMs: s.announced_ms }));
    this.queue.pump();
    this.scheduleEpochs();
    const cursor = Number(getMeta(this.db, 'announcement-cursor') ?? '0');
    await this.deps.prLink.start(cursor, (a) => this.onAnnouncement(a));
    this.schedulePush(0);
  }

  private track<T>(p: Promise<T>): void {
    this.inFlight.add(p);
    void p.finally(() => this.inFlight.delete(p));
  }

  private scheduleEpochs(): void {
    const latest = this.trees.latestStr();
    // Keep the epoch rhythm across restarts: the next epoch falls one period after the last.
    const wait = latest === undefined ? 0 : Math.max(0, latest.timestampMs + this.config.epochLengthMs - Date.now());
    this.epochTimer = setTimeout(() => {
      if (this.stopped) return;
      this.publishEpoch();
      this.scheduleEpochs();
    }, wait);
  }

  publishEpoch(): SignedStr {
    const { str, changes } = this.trees.publishEpoch(Date.now());
    this.events.emit('epoch-published', {
      epoch: str.epoch,
      root: Buffer.from(str.root).toString('hex'),
      changes: changes.map((c) => ({ name: c.name, bindingHash: c.bindingHash === null ? null : Buffer.from(c.bindingHash).toString('hex'), submission: c.submissionId })),
    });
    this.schedulePush(0);
    return str;
  }

  /** Pushes unpushed STRs and failure reports to the PR, backing off while it is unreachable. */
  private schedulePush(delay: number): void {
    if (this.stopped) return;
    if (this.pushTimer !== undefined) clearTimeout(this.pushTimer);
    this.pushTimer = setTimeout(() => this.pushNow(), delay);
  }

  /** Starts a push, or, while one is under way, asks it to run once more when it ends (for what came meanwhile). */
  private pushNow(): void {
    if (this.pushing !== undefined) {
      this.pushAgain = true;
      return;
    }
    this.pushAgain = false;
    const run = this.pushPending().finally(() => {
      this.pushing = undefined;
      if (this.pushAgain) this.pushNow();
    });
    this.pushing = run;
    this.track(run);
  }

  private async pushPending(): Promise<void> {
    if (this.stopped) return;
    try {
      for (const str of this.trees.unpushedStrs()) {
        const r = await this.deps.prLink.postStr(str);
        // A refused STR stays served by this PV; the PR keeps the refusal as evidence.
        this.trees.markPushed(str.epoch);
        this.events.emit('str-pushed', r.accepted ? { epoch: str.epoch, accepted: true } : { epoch: str.epoch, accepted: false, reason: r.reason });
      }
      const outbox = this.db.prepare<[], { id: number; body: string }>('SELECT id, body FROM outbox ORDER BY id').all();
      for (const item of outbox) {
        const report = JSON.parse(item.body) as FailureReport;
        await this.deps.prLink.postFailure(report);
        this.db.prepare('DELETE FROM outbox WHERE id = ?').run(item.id);
        this.events.emit('failure-reported', { submission: report.submissionId, name: report.name });
      }
      this.pushBackoff = this.config.retry.minMs;
    } catch (e) {
      // The backoff timer retries, not an epoch published while this push was failing.
      this.pushAgain = false;
      this.events.emit('pr-unreachable', { message: (e as Error).message, retryInMs: this.pushBackoff });
      const delay = this.pushBackoff;
      this.pushBackoff = Math.min(this.pushBackoff * 2, this.config.retry.maxMs);
      this.schedulePush(delay);
    }
  }

  private async onAnnouncement(a: Announcement): Promise<void> {
    if (this.stopped) return;
    const fresh = this.db.transaction((): boolean => {
      const seen = this.db.prepare('INSERT OR IGNORE INTO seen_announcements (id, seen_ms) VALUES (?, ?)').run(a.id, Date.now()).changes === 1;
      if (seen) {
        this.db.prepare("INSERT INTO submissions (id, name, archive_hash, state, announced_ms) VALUES (?, ?, ?, 'announced', ?)").run(a.id, a.name, a.archiveHash, a.submittedMs);
      }
      if (a.cursor > Number(getMeta(this.db, 'announcement-cursor') ?? '0')) setMeta(this.db, 'announcement-cursor', String(a.cursor));
      return seen;
    })();
    if (!fresh) return;
    this.events.emit('announcement', { submission: a.id, name: a.name, archiveHash: a.archiveHash });
    this.track(this.process(a));
  }

  private async process(a: Announcement): Promise<void> {
    this.db.prepare("UPDATE submissions SET state = 'building' WHERE id = ?").run(a.id);
    try {
      const path = this.archivePath(a.archiveHash);
      let archive: Uint8Array;
      if (existsSync(path)) archive = new Uint8Array(readFileSync(path));
      else {
        archive = await this.deps.prLink.fetchArchive(a);
        if (sha256Hex(archive) !== a.archiveHash) throw new BindingBuildError('archive-hash', `the archive fetched for ${a.name} does not hash to ${a.archiveHash}`);
        mkdirSync(join(this.config.dataDir, 'archives'), { recursive: true });
        writeFileSync(path, archive);
        this.events.emit('archive-fetched', { submission: a.id, name: a.name, bytes: archive.length });
      }
      if (this.stopped) return;
      const built = await this.deps.buildBinding(archive, a.name);
      // Canonical round trip: what is stored is exactly what is hashed.
      const bytes = encodeBinding(decodeBinding(built.bytes));
      mkdirSync(join(this.config.dataDir, 'sources'), { recursive: true });
      writeFileSync(join(this.config.dataDir, 'sources', `${a.id}.json`), JSON.stringify(built.sources.map((s) => ({ path: s.path, data: Buffer.from(s.data).toString('base64') }))));
      const superseded = this.db.transaction((): string[] => {
        this.db
          .prepare('INSERT OR IGNORE INTO bindings (binding_hash, name, archive_hash, bytes, created_ms) VALUES (?, ?, ?, ?, ?)')
          .run(Buffer.from(built.hash), a.name, a.archiveHash, Buffer.from(bytes), Date.now());
        this.db.prepare("UPDATE submissions SET state = 'verifying', binding_hash = ? WHERE id = ?").run(Buffer.from(built.hash), a.id);
        const older = this.db
          .prepare<[string, number, string], { id: string }>("SELECT id FROM submissions WHERE name = ? AND announced_ms <= ? AND id != ? AND state IN ('announced', 'building', 'verifying')")
          .all(a.name, a.submittedMs, a.id)
          .map((r) => r.id);
        for (const id of older) this.db.prepare("UPDATE submissions SET state = 'superseded' WHERE id = ?").run(id);
        return older;
      })();
      for (const id of superseded) this.queue.cancel(id);
      this.events.emit('binding-built', { submission: a.id, name: a.name, bindingHash: Buffer.from(built.hash).toString('hex'), pluglets: Object.keys(built.binding.pluglets), superseded });
      this.queue.enqueue(a.id);
    } catch (e) {
      if (this.stopped) return;
      const err = e as Error & { code?: string; log?: string };
      const report: FailureReport = {
        pvId: this.config.id,
        submissionId: a.id,
        name: a.name,
        archiveHash: a.archiveHash,
        bindingHash: null,
        reason: `binding not built: ${err.message}`,
        verifiers: [{ id: 'binding', property: 'binding', verdict: 'error', findings: [], log: (err.log ?? '').slice(-16_384) }],
      };
      this.db.transaction(() => {
        this.db.prepare("UPDATE submissions SET state = 'invalid', detail = ?, decided_ms = ? WHERE id = ?").run(report.reason, Date.now(), a.id);
        this.db.prepare("INSERT INTO outbox (kind, body, created_ms) VALUES ('failure', ?, ?)").run(JSON.stringify(report), Date.now());
      })();
      this.events.emit('binding-failed', { submission: a.id, name: a.name, code: err.code ?? 'build-failed', message: err.message });
      this.schedulePush(0);
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.epochTimer !== undefined) clearTimeout(this.epochTimer);
    if (this.pushTimer !== undefined) clearTimeout(this.pushTimer);
    await this.deps.prLink.stop();
    await this.queue.stop();
    await Promise.allSettled([...this.inFlight]);
    await this.gateway?.close();
    this.db.close();
  }
}
