// The PV's public read API over HTTPS (no client certificate needed): its
// STRs and chain, lookup proofs at any epoch, bindings, plugins and monitor
// history. It is how peers and developers reach the PV directly, including
// while the PR is offline. JSON by default; compact binary on request.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { encodeProof, encodeSignedStr, fromHex, proofToJson, strToJson, toHex, validateName, type Policy } from '../core/index.ts';
import type { NodeEvents } from './node-events.ts';
import type { PvDatabase } from './pv-db.ts';
import type { TreeManager } from './tree-manager.ts';

export interface GatewayDeps {
  pvId: string;
  db: PvDatabase;
  trees: TreeManager;
  events: NodeEvents;
  policy: Policy;
  policyHash: Uint8Array;
  strPublicKey: Uint8Array;
  certificatePem: string;
  eventsToken?: string;
}

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

const MAX_RANGE = 1000;
/** Proof answers for one (epoch, name) never change: they are kept, serialised, up to this many. */
const PROOF_CACHE = 20_000;

function json(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function binary(res: ServerResponse, type: string, bytes: Uint8Array, headers: Record<string, string> = {}): void {
  res.writeHead(200, { 'content-type': type, 'content-length': bytes.length, ...headers });
  res.end(bytes);
}

function wantsBinary(req: IncomingMessage): boolean {
  return (req.headers.accept ?? '').includes('application/octet-stream');
}

function intParam(url: URL, name: string, fallback: number | undefined): number {
  const raw = url.searchParams.get(name);
  if (raw === null) {
    if (fallback === undefined) throw new HttpError(400, 'missing-parameter', `query parameter "${name}" is required`);
    return fallback;
  }
  if (!/^\d{1,15}$/.test(raw)) throw new HttpError(400, 'bad-parameter', `query parameter "${name}" must be a non-negative integer`);
  return Number(raw);
}

function nameParam(raw: string): string {
  let name: string;
  try {
    name = decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'bad-name', 'the name is not valid percent-encoding');
  }
  try {
    return validateName(name);
  } catch (e) {
    throw new HttpError(400, 'bad-name', (e as Error).message);
  }
}

export class UserGateway {
  private readonly server: Server;
  private readonly proofCache = new Map<string, { type: string; body: Buffer; epoch: number }>();

  constructor(
    private readonly deps: GatewayDeps,
    tls: { cert: Buffer; key: Buffer; ca: Buffer },
  ) {
    this.server = createServer({ cert: tls.cert, key: tls.key, ca: tls.ca, requestCert: false }, (req, res) => {
      try {
        this.route(req, res);
      } catch (e) {
        if (e instanceof HttpError) json(res, e.status, { error: { code: e.code, message: e.message } });
        else {
          deps.events.emit('error', { where: 'user-gateway', message: (e as Error).message });
          json(res, 500, { error: { code: 'internal', message: 'internal error' } });
        }
      }
    });
    this.server.keepAliveTimeout = 5000;
  }

  listen(port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => {
        this.server.off('error', reject);
        const addr = this.server.address();
        resolve(typeof addr === 'object' && addr !== null ? addr.port : port);
      });
    });
  }

  close(): Promise<void> {
    return new Promise((resolve) => {
      this.server.close(() => resolve());
      this.server.closeAllConnections();
    });
  }

  private latestEpoch(): number {
    const latest = this.deps.trees.latestStr();
    if (latest === undefined) throw new HttpError(404, 'no-epoch', 'this PV has not published an epoch yet');
    return latest.epoch;
  }

  private route(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'https://pv.invalid');
    const path = url.pathname;
    if (req.method !== 'GET') throw new HttpError(405, 'method-not-allowed', 'the user gateway is read-only');
    const { trees, pvId } = this.deps;
    if (path === '/healthz') {
      const latest = trees.latestStr();
      return json(res, 200, { ok: true, pvId, epoch: latest?.epoch ?? null, time: Date.now() });
    }
    if (path === '/v1/info') {
      return json(res, 200, {
        pvId,
        treeId: toHex(trees.tree.treeId),
        strPublicKey: toHex(this.deps.strPublicKey),
        policy: this.deps.policy,
        policyHash: toHex(this.deps.policyHash),
        certificate: this.deps.certificatePem,
      });
    }
    if (path === '/v1/certificate') {
      res.writeHead(200, { 'content-type': 'application/x-pem-file' });
      return void res.end(this.deps.certificatePem);
    }
    if (path === '/v1/events') return this.events(req, res, url);
    if (path === '/v1/str/latest' || /^\/v1\/str\/\d+$/.test(path)) {
      const epoch = path.endsWith('/latest') ? this.latestEpoch() : Number(path.slice('/v1/str/'.length));
      const str = trees.str(epoch);
      if (str === undefined) throw new HttpError(404, 'unknown-epoch', `epoch ${epoch} is not published`);
      return wantsBinary(req) ? binary(res, 'application/octet-stream', encodeSignedStr(str)) : json(res, 200, strToJson(str));
    }
    if (path === '/v1/strs') {
      const latest = this.latestEpoch();
      const from = intParam(url, 'from', Math.max(0, latest - 99));
      const to = Math.min(intParam(url, 'to', latest), from + MAX_RANGE - 1);
      return json(res, 200, { pvId, from, to, strs: trees.strRange(from, to).map(strToJson) });
    }
    const proof = /^\/v1\/proof\/([^/]+)$/.exec(path);
    if (proof !== null) return this.proof(req, res, url, proof[1] as string);
    const monitor = /^\/v1\/monitor\/([^/]+)$/.exec(path);
    if (monitor !== null) {
      const name = nameParam(monitor[1] as string);
      const latest = this.latestEpoch();
      const from = intParam(url, 'from', 0);
      const to = Math.min(intParam(url, 'to', latest), latest, from + MAX_RANGE - 1);
      const strs = trees.strRange(from, to);
      return json(res, 200, {
        pvId,
        name,
        from,
        to,
        epochs: strs.map((s) => ({ epoch: s.epoch, str: strToJson(s), proof: proofToJson(trees.tree.prove(name, s.epoch)) })),
      });
    }
    const binding = /^\/v1\/bindings\/([0-9a-f]{64})$/.exec(path);
    if (binding !== null) {
      const row = this.deps.db.prepare<[Buffer], { bytes: Buffer }>('SELECT bytes FROM bindings WHERE binding_hash = ?').get(Buffer.from(fromHex(binding[1] as string)));
      if (row === undefined) throw new HttpError(404, 'unknown-binding', 'no binding with that hash');
      return binary(res, 'application/cbor', new Uint8Array(row.bytes));
    }
    if (path === '/v1/plugins') return json(res, 200, { pvId, plugins: this.plugins() });
    if (path === '/v1/submissions') {
      const name = url.searchParams.get('name');
      return json(res, 200, { pvId, submissions: this.submissions(name === null ? undefined : nameParam(name)) });
    }
    throw new HttpError(404, 'not-found', `no route for ${path}`);
  }

  private proof(req: IncomingMessage, res: ServerResponse, url: URL, rawName: string): void {
    const { trees, pvId } = this.deps;
    const epoch = intParam(url, 'epoch', this.latestEpoch());
    const bin = wantsBinary(req);
    const key = `${epoch}|${bin ? 'b' : 'j'}|${rawName}`;
    let hit = this.proofCache.get(key);
    if (hit === undefined) {
      const name = nameParam(rawName);
      const str = trees.str(epoch);
      if (str === undefined) throw new HttpError(404, 'unknown-epoch', `epoch ${epoch} is not published`);
      const p = trees.tree.prove(name, epoch);
      hit = bin
        ? { type: 'application/octet-stream', body: Buffer.from(encodeProof(p)), epoch }
        : { type: 'application/json', body: Buffer.from(JSON.stringify({ pvId, name, epoch, str: strToJson(str), proof: proofToJson(p) })), epoch };
      if (this.proofCache.size >= PROOF_CACHE) this.proofCache.delete(this.proofCache.keys().next().value as string);
      this.proofCache.set(key, hit);
    }
    res.writeHead(200, { 'content-type': hit.type, 'content-length': hit.body.length, 'x-spms-epoch': String(hit.epoch) });
    res.end(hit.body);
  }

  private events(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const token = this.deps.eventsToken;
    const given = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    if (token === undefined || given.length !== token.length || !timingSafeEqual(Buffer.from(given), Buffer.from(token))) {
      throw new HttpError(401, 'unauthorized', 'the event stream needs the bearer token of this PV');
    }
    const last = Number(req.headers['last-event-id'] ?? url.searchParams.get('after') ?? 0);
    this.deps.events.serveSse(res, Number.isFinite(last) ? last : 0);
  }

  private plugins(): unknown[] {
    const latest = this.deps.trees.latestStr();
    const rows = this.deps.db
      .prepare<[], { name: string; state: string; binding_hash: Buffer | null; epoch: number | null; announced_ms: number }>(
        `SELECT s.name, s.state, s.binding_hash, s.epoch, s.announced_ms FROM submissions s
         WHERE s.announced_ms = (SELECT MAX(announced_ms) FROM submissions t WHERE t.name = s.name) ORDER BY s.name`,
      )
      .all();
    return rows.map((r) => {
      const leaf = latest === undefined ? undefined : this.deps.trees.tree.get(r.name, latest.epoch);
      return {
        name: r.name,
        latestSubmission: { state: r.state, bindingHash: r.binding_hash === null ? null : toHex(new Uint8Array(r.binding_hash)), epoch: r.epoch },
        inTree: leaf === undefined ? null : { bindingHash: toHex(leaf.bindingHash), version: leaf.version, epoch: latest!.epoch },
      };
    });
  }

  private submissions(name: string | undefined): unknown[] {
    const subs = this.deps.db
      .prepare<
        [string | null, string | null],
        { id: string; name: string; archive_hash: string; binding_hash: Buffer | null; state: string; detail: string | null; announced_ms: number; decided_ms: number | null; epoch: number | null }
      >('SELECT * FROM submissions WHERE (? IS NULL OR name = ?) ORDER BY announced_ms DESC LIMIT 200')
      .all(name ?? null, name ?? null);
    const jobs = this.deps.db.prepare<
      [string],
      { verifier_id: string; state: string; attempts: number; verdict: string | null; result: string | null; started_ms: number | null; finished_ms: number | null }
    >('SELECT verifier_id, state, attempts, verdict, result, started_ms, finished_ms FROM jobs WHERE submission_id = ? ORDER BY id');
    return subs.map((s) => ({
      id: s.id,
      name: s.name,
      archiveHash: s.archive_hash,
      bindingHash: s.binding_hash === null ? null : toHex(new Uint8Array(s.binding_hash)),
      state: s.state,
      detail: s.detail,
      announcedMs: s.announced_ms,
      decidedMs: s.decided_ms,
      epoch: s.epoch,
      verifiers: jobs.all(s.id).map((j) => ({
        verifier: j.verifier_id,
        state: j.state,
        attempts: j.attempts,
        verdict: j.verdict,
        result: j.result === null ? null : (JSON.parse(j.result) as unknown),
        startedMs: j.started_ms,
        finishedMs: j.finished_ms,
      })),
    }));
  }
}
