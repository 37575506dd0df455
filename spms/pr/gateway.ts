// The PR's HTTPS gateway. Every /v1 route requires a client certificate
// issued by the lab CA, not revoked, with a role the route allows; answers
// are JSON, and every refusal is a 4xx with a stable code and a message.
// docs/pr-api.md describes each route.
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { timingSafeEqual } from 'node:crypto';
import { SpmsError, strToJson, validateName } from '../core/index.ts';
import { CertError } from '../../certs/cert-error.ts';
import { isValidNamespace, type CertRole } from '../../certs/extensions.ts';
import type { ParsedCertificate } from '../../certs/parse.ts';
import { ArchiveError } from '../verifier/archive/archive-error.ts';
import { packPluginArchive } from '../verifier/archive/pack-archive.ts';
import { toPluginTree } from '../verifier/archive/plugin-tree.ts';
import { readPluginArchive } from '../verifier/archive/read-archive.ts';
import type { ArchiveLimits } from '../verifier/archive/limits.ts';
import { ARCHIVE_HASH, type ArchiveStore } from './archive-store.ts';
import { drainRest, readBody, readFolderUpload, readJson } from './body.ts';
import { bundleFor } from './bundle-service.ts';
import { TOPIC_ALL, TOPIC_SEGMENT, topicForProperty, topicForVerifier, type Announcer } from './broker.ts';
import type { ClientAuth } from './client-auth.ts';
import { HttpError } from './http-error.ts';
import type { PrEvents } from './pr-events.ts';
import type { PvRecords } from './pv-records.ts';
import type { Registry } from './registry.ts';

export interface GatewayDeps {
  id: string;
  registry: Registry;
  pvs: PvRecords;
  archives: ArchiveStore;
  auth: ClientAuth;
  events: PrEvents;
  announcer: () => Announcer | undefined;
  limits: ArchiveLimits & { jsonBytes: number };
  eventsToken?: string;
}

interface Ctx {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  params: string[];
  cert: ParsedCertificate;
}

interface Route {
  method: 'GET' | 'POST';
  path: RegExp;
  roles: readonly CertRole[];
  handle(ctx: Ctx): Promise<unknown> | unknown;
}

const ANY: readonly CertRole[] = ['developer', 'pv', 'daemon', 'pr'];
const ARCHIVE_STATUS: Partial<Record<ArchiveError['code'], number>> = { 'packed-too-large': 413, 'unpacked-too-large': 413, 'too-many-entries': 413 };

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), 'cache-control': 'no-store' });
  res.end(text);
}

function decodeSegment(raw: string, what: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw new HttpError(400, 'bad-path', `the ${what} in the path is not valid percent-encoding`);
  }
}

function nameParam(raw: string): string {
  const name = decodeSegment(raw, 'name');
  try {
    return validateName(name);
  } catch (e) {
    throw new HttpError(400, 'bad-name', (e as Error).message);
  }
}

function intParam(url: URL, key: string, fallback: number, max = Number.MAX_SAFE_INTEGER): number {
  const raw = url.searchParams.get(key);
  if (raw === null) return fallback;
  if (!/^\d{1,15}$/.test(raw) || Number(raw) > max) throw new HttpError(400, 'bad-parameter', `query parameter "${key}" must be an integer from 0 to ${max}`);
  return Number(raw);
}

function listParam(url: URL, key: string): string[] {
  const raw = url.searchParams.get(key);
  if (raw === null || raw === '') return [];
  const items = raw.split(',');
  for (const item of items) if (!TOPIC_SEGMENT.test(item)) throw new HttpError(400, 'bad-parameter', `"${item}" in "${key}" is not a valid identifier`);
  return items;
}

export class Gateway {
  private server: Server | undefined;
  private readonly routes: Route[];
  /** Publications in cursor order, behind the answers to the developers. */
  private announcing: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: GatewayDeps,
    private readonly tls: { cert: Buffer; key: Buffer; ca: Buffer },
  ) {
    const d = deps;
    this.routes = [
      { method: 'GET', path: /^\/v1\/namespaces$/, roles: ANY, handle: () => ({ namespaces: d.registry.namespaces() }) },
      { method: 'POST', path: /^\/v1\/namespaces$/, roles: ['developer'], handle: (c) => this.registerNamespace(c) },
      { method: 'GET', path: /^\/v1\/plugins$/, roles: ANY, handle: () => ({ plugins: d.registry.plugins() }) },
      { method: 'POST', path: /^\/v1\/plugins$/, roles: ['developer'], handle: (c) => this.submit(c) },
      { method: 'GET', path: /^\/v1\/plugins\/([^/]+)$/, roles: ANY, handle: (c) => this.versions(c) },
      { method: 'GET', path: /^\/v1\/plugins\/([^/]+)\/status$/, roles: ANY, handle: (c) => this.pluginStatus(c) },
      { method: 'GET', path: /^\/v1\/plugins\/([^/]+)\/archives\/([^/]+)$/, roles: ANY, handle: (c) => this.archive(c) },
      { method: 'GET', path: /^\/v1\/submissions\/([^/]+)$/, roles: ANY, handle: (c) => this.submission(c) },
      { method: 'GET', path: /^\/v1\/announcements$/, roles: ['pv', 'daemon', 'pr'], handle: (c) => this.announcements(c) },
      { method: 'GET', path: /^\/v1\/pvs$/, roles: ANY, handle: () => ({ pvs: d.pvs.pvs() }) },
      { method: 'POST', path: /^\/v1\/pvs\/register$/, roles: ['pv'], handle: (c) => this.registerPv(c) },
      { method: 'POST', path: /^\/v1\/strs$/, roles: ['pv'], handle: (c) => this.postStr(c) },
      { method: 'GET', path: /^\/v1\/strs$/, roles: ANY, handle: () => this.latestStrs() },
      { method: 'GET', path: /^\/v1\/strs\/([^/]+)$/, roles: ANY, handle: (c) => this.strRange(c) },
      { method: 'POST', path: /^\/v1\/failures$/, roles: ['pv'], handle: (c) => this.postFailure(c) },
      {
        method: 'GET',
        path: /^\/v1\/bundle\/([^/]+)$/,
        roles: ANY,
        handle: (c) => bundleFor(c.params[0] ?? '', c.url.searchParams.get('formula'), c.url.searchParams.get('binding'), d.pvs.pvs(), this.tls.ca),
      },
      { method: 'GET', path: /^\/v1\/evidence$/, roles: ANY, handle: () => ({ evidence: d.pvs.evidence() }) },
    ];
  }

  async listen(port: number, host: string): Promise<number> {
    // Client certificates are requested but checked here rather than in the
    // handshake, so a wrong certificate gets a 401 that says what is wrong.
    this.server = createServer({ ...this.tls, requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' }, (req, res) => void this.dispatch(req, res));
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 300_000;
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(port, host, () => resolve());
    });
    return (this.server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    if (server === undefined) return;
    await new Promise<void>((resolve) => {
      server.close(() => resolve());
      server.closeAllConnections();
    });
    await this.announcing;
  }

  private async dispatch(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'https://pr.invalid');
    } catch {
      return send(res, 400, { error: { code: 'bad-path', message: 'the request target is not a valid path' } });
    }
    try {
      if (req.method === 'GET' && url.pathname === '/healthz') return send(res, 200, this.health());
      if (req.method === 'GET' && url.pathname === '/v1/events') return this.eventStream(req, res, url);
      const candidates = this.routes.filter((r) => r.path.test(url.pathname));
      if (candidates.length === 0) throw new HttpError(404, 'not-found', `no route ${url.pathname}`);
      const route = candidates.find((r) => r.method === req.method);
      if (route === undefined) {
        res.setHeader('allow', candidates.map((r) => r.method).join(', '));
        throw new HttpError(405, 'method-not-allowed', `${req.method} is not allowed on ${url.pathname}`);
      }
      const cert = this.authenticate(req, route.roles);
      const params = route.path.exec(url.pathname)!.slice(1);
      const body = await route.handle({ req, res, url, params, cert });
      if (!res.headersSent) send(res, (body as { status?: number } | undefined)?.status ?? 200, body);
    } catch (e) {
      this.fail(req, res, e);
    }
  }

  private authenticate(req: IncomingMessage, roles: readonly CertRole[]): ParsedCertificate {
    try {
      const cert = this.deps.auth.verifySocket(req.socket as TLSSocket, roles);
      if (cert.role === 'pv') this.deps.pvs.seen(cert);
      return cert;
    } catch (e) {
      if (!(e instanceof CertError)) throw e;
      this.deps.events.emit('client-refused', { via: 'https', path: req.url, code: e.code, reason: e.message });
      throw new HttpError(e.code === 'cert-role' ? 403 : 401, e.code, e.message);
    }
  }

  private fail(req: IncomingMessage, res: ServerResponse, e: unknown): void {
    let error: HttpError;
    if (e instanceof HttpError) error = e;
    else if (e instanceof ArchiveError) error = new HttpError(ARCHIVE_STATUS[e.code] ?? 400, e.code, e.message);
    else if (e instanceof SpmsError) error = new HttpError(400, e.code, e.message);
    else {
      this.deps.events.emit('error', { path: req.url, message: (e as Error).message });
      error = new HttpError(500, 'internal', 'the PR failed to handle this request; see its log');
    }
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const answer = (bodyRead: boolean): void => {
      if (res.headersSent || res.destroyed) return;
      // A body past the drain bound is not read further: the connection closes.
      if (!bodyRead) res.setHeader('connection', 'close');
      send(res, error.status, { error: { code: error.code, message: error.message } });
      if (!bodyRead) res.on('finish', () => req.destroy());
    };
    // A body not read to its end (too large, refused early) is drained first, so the client can read the answer.
    if (req.readableEnded) answer(true);
    else void drainRest(req).then(answer);
  }

  private health(): unknown {
    return {
      ok: true,
      id: this.deps.id,
      plugins: this.deps.registry.plugins().length,
      announcements: this.deps.registry.announcementsAfter(0, 1).length > 0,
      mqtt: this.deps.announcer()?.url ?? null,
    };
  }

  private eventStream(req: IncomingMessage, res: ServerResponse, url: URL): void {
    const token = this.deps.eventsToken;
    const auth = req.headers.authorization ?? '';
    const bearer = auth.startsWith('Bearer ') ? Buffer.from(auth.slice(7)) : undefined;
    const tokenOk = token !== undefined && bearer !== undefined && bearer.length === Buffer.byteLength(token) && timingSafeEqual(bearer, Buffer.from(token));
    if (!tokenOk) this.authenticate(req, ['daemon']);
    const last = Number(req.headers['last-event-id'] ?? url.searchParams.get('after') ?? 0);
    this.deps.events.serveSse(res, Number.isSafeInteger(last) && last >= 0 ? last : 0);
  }

  private async registerNamespace(c: Ctx): Promise<unknown> {
    const body = await readJson(c.req, this.deps.limits.jsonBytes);
    const ns = (body as { namespace?: unknown } | null)?.namespace;
    if (typeof body !== 'object' || body === null || Array.isArray(body) || Object.keys(body).some((k) => k !== 'namespace'))
      throw new HttpError(400, 'bad-request', 'send {"namespace": "org.example"}');
    if (!isValidNamespace(ns)) throw new HttpError(400, 'bad-namespace', `"${String(ns)}" is not a valid namespace (a reverse-DNS prefix such as org.example)`);
    const { record, created } = this.deps.registry.registerNamespace(ns, c.cert);
    if (created) this.deps.events.emit('namespace-registered', { namespace: ns, owner: record.owner });
    return { status: created ? 201 : 200, ...record };
  }

  private async submit(c: Ctx): Promise<unknown> {
    const limits = this.deps.limits;
    const topics = [...listParam(c.url, 'verifiers').map(topicForVerifier), ...listParam(c.url, 'properties').map(topicForProperty)];
    const multipart = String(c.req.headers['content-type'] ?? '').startsWith('multipart/form-data');
    let archive: Uint8Array;
    let tree;
    try {
      if (multipart) {
        const upload = await readFolderUpload(c.req, limits);
        tree = toPluginTree(upload.files, upload.directories);
        archive = await packPluginArchive(tree);
      } else {
        archive = await readBody(c.req, limits.packedBytes, 'archive');
        tree = await readPluginArchive(archive, limits);
      }
    } catch (e) {
      this.deps.events.emit('submission-refused', { submitter: c.cert.commonName, code: (e as { code?: string }).code, reason: (e as Error).message });
      throw e;
    }
    const archiveHash = this.deps.archives.put(archive);
    let result;
    try {
      result = this.deps.registry.submit({ name: tree.name, archiveHash, size: archive.length, files: tree.files.length, topics, cert: c.cert });
    } catch (e) {
      this.deps.events.emit('submission-refused', { submitter: c.cert.commonName, name: tree.name, code: (e as { code?: string }).code, reason: (e as Error).message });
      throw e;
    }
    const { submission, announcement, created, claimed } = result;
    if (claimed !== null) this.deps.events.emit('namespace-registered', { namespace: claimed, owner: c.cert.commonName });
    if (created) {
      this.deps.events.emit('submission', { id: submission.id, name: submission.name, version: submission.version, archiveHash, submitter: submission.submitter });
      // The announcement is committed: the answer does not wait for the broker to hand it to every
      // subscriber (a slow PV would hold up developers); PVs that miss it catch up by cursor.
      this.announcing = this.announcing.then(() => this.announce(announcement));
    }
    return {
      status: created ? 201 : 200,
      submissionId: submission.id,
      name: submission.name,
      version: submission.version,
      archiveHash,
      size: submission.size,
      files: submission.files,
      cursor: announcement.cursor,
      created,
    };
  }

  private async announce(a: ReturnType<Registry['announcementsAfter']>[number]): Promise<void> {
    const announcer = this.deps.announcer();
    const topics = [TOPIC_ALL, ...a.topics];
    try {
      if (announcer === undefined) throw new Error('no MQTT broker');
      await announcer.publish(topics, a);
      this.deps.events.emit('announced', { id: a.id, cursor: a.cursor, topics });
    } catch (e) {
      // The announcement is stored: PVs catch up over HTTP.
      this.deps.events.emit('error', { stage: 'announce', id: a.id, message: (e as Error).message });
    }
  }

  private versions(c: Ctx): unknown {
    const name = nameParam(c.params[0]!);
    const versions = this.deps.registry.versions(name);
    if (versions.length === 0) throw new HttpError(404, 'unknown-plugin', `no plugin "${name}"`);
    return { name, versions };
  }

  private pluginStatus(c: Ctx): unknown {
    const { name, versions } = this.versions(c) as { name: string; versions: ReturnType<Registry['versions']> };
    return { name, versions: versions.map((v) => ({ ...v, pvs: this.deps.pvs.status(v.id) })) };
  }

  private submission(c: Ctx): unknown {
    const id = decodeSegment(c.params[0]!, 'submission id');
    const sub = this.deps.registry.submission(id);
    if (sub === undefined) throw new HttpError(404, 'unknown-submission', `no submission "${id}"`);
    return { ...sub, pvs: this.deps.pvs.status(id) };
  }

  private archive(c: Ctx): unknown {
    const name = nameParam(c.params[0]!);
    const hash = decodeSegment(c.params[1]!, 'archive hash');
    if (!ARCHIVE_HASH.test(hash)) throw new HttpError(400, 'bad-hash', 'the archive hash must be 64 lowercase hex digits');
    const sub = this.deps.registry.byArchive(name, hash);
    const bytes = sub === undefined ? undefined : this.deps.archives.get(hash);
    if (sub === undefined || bytes === undefined) throw new HttpError(404, 'unknown-archive', `no archive ${hash} for "${name}"`);
    if (c.cert.role === 'pv') {
      this.deps.pvs.fetched(c.cert.commonName, sub.id);
      this.deps.events.emit('archive-fetched', { pv: c.cert.commonName, submission: sub.id, name });
    }
    c.res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': bytes.length, 'x-archive-hash': hash, 'x-submission-id': sub.id });
    c.res.end(bytes);
    return undefined;
  }

  private announcements(c: Ctx): unknown {
    const after = intParam(c.url, 'after', 0);
    const limit = intParam(c.url, 'limit', 500, 1000);
    const list = this.deps.registry.announcementsAfter(after, limit);
    return { announcements: list, next: list.length > 0 ? list[list.length - 1]!.cursor : after, more: list.length === limit };
  }

  private async postStr(c: Ctx): Promise<unknown> {
    const body = await readJson(c.req, this.deps.limits.jsonBytes);
    try {
      const { str, duplicate } = this.deps.pvs.acceptStr(c.cert, body);
      if (!duplicate) this.deps.events.emit('str-accepted', { pv: str.pvId, epoch: str.epoch });
      return { status: duplicate ? 200 : 201, accepted: true, duplicate, pvId: str.pvId, epoch: str.epoch };
    } catch (e) {
      this.deps.events.emit('str-refused', { pv: c.cert.commonName, code: (e as { code?: string }).code, reason: (e as Error).message });
      throw e;
    }
  }

  private latestStrs(): unknown {
    return {
      strs: this.deps.pvs.pvs().flatMap((p) => {
        const s = this.deps.pvs.latestStr(p.pvId);
        return s === undefined ? [] : [{ pvId: p.pvId, certificate: p.certificate, str: strToJson(s) }];
      }),
    };
  }

  private strRange(c: Ctx): unknown {
    const pvId = decodeSegment(c.params[0]!, 'PV id');
    const latest = this.deps.pvs.latestStr(pvId);
    if (latest === undefined) throw new HttpError(404, 'unknown-pv', `no STR from "${pvId}"`);
    const to = intParam(c.url, 'to', latest.epoch);
    const from = intParam(c.url, 'from', Math.max(0, to - 99));
    if (from > to || to - from >= 1000) throw new HttpError(400, 'bad-range', 'from must be at most to, and a range covers at most 1000 epochs');
    return { pvId, latestEpoch: latest.epoch, strs: this.deps.pvs.strRange(pvId, from, to).map(strToJson) };
  }

  private async registerPv(c: Ctx): Promise<unknown> {
    const body = await readJson(c.req, this.deps.limits.jsonBytes);
    const registered = this.deps.pvs.register(c.cert, body);
    this.deps.events.emit('pv-registered', registered);
    return registered;
  }

  private async postFailure(c: Ctx): Promise<unknown> {
    const body = await readJson(c.req, this.deps.limits.jsonBytes);
    const { report, replaced } = this.deps.pvs.recordFailure(c.cert, body, (id) => this.deps.registry.submission(id));
    this.deps.events.emit('failure-reported', { pv: report.pvId, submission: report.submissionId, name: report.name, reason: report.reason });
    return { status: replaced ? 200 : 201, recorded: true, replaced };
  }
}
