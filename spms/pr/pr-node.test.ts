import { request } from 'node:https';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import mqtt from 'mqtt';
import { pack } from 'tar-stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateStrKeyPair, signStr, strHash, strToJson, ZERO_HASH, type SignedStr } from '../core/index.ts';
import { LabCa, type Issued } from '../../certs/lab-ca.ts';
import { packPluginArchive } from '../verifier/archive/pack-archive.ts';
import { loadPrConfig, type PrConfig } from './config.ts';
import { PrEvents } from './pr-events.ts';
import { PrNode } from './pr-node.ts';

interface Who {
  cert: string;
  key: string;
}

interface Reply {
  status: number;
  json: Record<string, unknown>;
  body: Buffer;
  headers: Record<string, unknown>;
}

let ca: LabCa;
let foreign: LabCa;
let config: PrConfig;
let node: PrNode;
const events: string[] = [];
const who = {} as Record<'pv1' | 'pv2' | 'alice' | 'bob' | 'carol' | 'daemon' | 'stranger', Who>;
const pv1Key = generateStrKeyPair();
const pv2Key = generateStrKeyPair();
let s0: SignedStr;
let s1: SignedStr;

const asWho = (i: Issued): Who => ({ cert: i.certPem, key: i.keyPem });

function call(method: string, path: string, as: Who | undefined, body?: Buffer | string, headers: Record<string, string | number> = {}): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const data = body === undefined ? undefined : Buffer.from(body);
    const req = request(
      `${node.url}${path}`,
      { method, ca: ca.rootPem, ...(as === undefined ? {} : as), headers: { ...(data === undefined ? {} : { 'content-length': data.length }), ...headers } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks);
          let json: Record<string, unknown> = {};
          if (String(res.headers['content-type']).startsWith('application/json')) json = JSON.parse(text.toString('utf8')) as Record<string, unknown>;
          resolve({ status: res.statusCode ?? 0, json, body: text, headers: res.headers });
        });
      },
    );
    req.on('error', reject);
    req.end(data);
  });
}

/**
 * A POST whose body goes out in 1 MiB writes without a declared length
 * (chunked). `busyMs`: after the first write the client is busy (its event
 * loop blocked) for that long, as a loaded client is, so whatever the server
 * does meanwhile reaches a socket nobody reads.
 */
function streamed(path: string, as: Who, body: Buffer, busyMs = 0): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(`${node.url}${path}`, { method: 'POST', ca: ca.rootPem, ...as }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>, body: Buffer.concat(chunks), headers: res.headers }),
      );
    });
    req.on('error', reject);
    req.write(body.subarray(0, 1 << 20), () => {
      const until = Date.now() + busyMs;
      while (Date.now() < until);
      for (let at = 1 << 20; at < body.length; at += 1 << 20) req.write(body.subarray(at, at + (1 << 20)));
      req.end();
    });
  });
}

const postJson = (path: string, as: Who, value: unknown): Promise<Reply> => call('POST', path, as, JSON.stringify(value), { 'content-type': 'application/json' });
const errorCode = (r: Reply): unknown => (r.json.error as { code?: string } | undefined)?.code;

async function plugin(name: string, files: Record<string, string>): Promise<Buffer> {
  return Buffer.from(await packPluginArchive({ name, files: Object.entries(files).map(([path, text]) => ({ path, data: Buffer.from(text) })) }));
}

/** A tar.gz with raw entries, for archives no honest packer would make. */
async function rawTar(entries: { name: string; type?: 'file' | 'symlink' | 'link'; body?: string; linkname?: string }[]): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  p.on('data', (c: unknown) => void chunks.push(c as Buffer));
  const done = new Promise<void>((r) => p.on('end', () => r()));
  for (const e of entries) p.entry({ name: e.name, type: e.type ?? 'file', ...(e.linkname === undefined ? {} : { linkname: e.linkname }) }, e.body ?? '');
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

function str(key: { secretKey: Uint8Array }, pvId: string, epoch: number, prev: SignedStr | undefined, root = 1): SignedStr {
  return signStr(
    {
      pvId,
      treeId: new Uint8Array(32).fill(9),
      epoch,
      timestampMs: 1_700_000_000_000 + epoch * 1000,
      root: new Uint8Array(32).fill(root),
      prevStrHash: prev === undefined ? ZERO_HASH : strHash(prev),
      policyHash: new Uint8Array(32).fill(3),
    },
    key.secretKey,
  );
}

function snapshot(): unknown {
  const count = (t: string): number => (node.db.prepare(`SELECT COUNT(*) AS n FROM ${t}`).get() as { n: number }).n;
  return { namespaces: count('namespaces'), submissions: count('submissions'), announcements: count('announcements'), strs: count('strs'), failures: count('failures') };
}

const HELLO = { 'hello.plugin': 'org.example.hello\nprocess_frame replace hello.o\n', 'hello.c': 'int x;\n' };

beforeAll(async () => {
  const dir = mkdtempSync(join(tmpdir(), 'spms-pr-'));
  ca = LabCa.init(join(dir, 'ca'), { keyBits: 2048 });
  foreign = LabCa.init(join(dir, 'foreign'), { keyBits: 2048, commonName: 'Another Lab Root' });
  const pr = ca.issue({ role: 'pr', name: 'pr' });
  who.pv1 = asWho(ca.issue({ role: 'pv', name: 'PV1', strPublicKey: pv1Key.publicKey }));
  who.pv2 = asWho(ca.issue({ role: 'pv', name: 'PV2', strPublicKey: pv2Key.publicKey }));
  who.alice = asWho(ca.issue({ role: 'developer', name: 'alice', namespaces: ['org.example'] }));
  who.bob = asWho(ca.issue({ role: 'developer', name: 'bob', namespaces: ['org.example', 'net.bob'] }));
  who.carol = asWho(ca.issue({ role: 'developer', name: 'carol', namespaces: ['net.carol'] }));
  who.daemon = asWho(ca.issue({ role: 'daemon', name: 'daemon' }));
  who.stranger = asWho(foreign.issue({ role: 'developer', name: 'alice', namespaces: ['org.example'] }));
  ca.revoke('developer/carol', 'keyCompromise');
  const file = join(dir, 'pr.json');
  writeFileSync(
    file,
    JSON.stringify({
      dataDir: join(dir, 'data'),
      listen: { port: 0 },
      tls: { cert: pr.certFile, key: pr.keyFile, ca: ca.paths.cert, crl: ca.paths.crl },
      mqtt: { mode: 'embedded', port: 0 },
      limits: { packedBytes: 64 * 1024, unpackedBytes: 256 * 1024, entries: 32, jsonBytes: 4096 },
    }),
  );
  config = loadPrConfig(file);
  node = await PrNode.start(config, { events: new PrEvents('pr', (line) => events.push(line)) });
});

afterAll(async () => {
  await node?.stop();
});

describe('PR gateway: client certificates', () => {
  it('serves /healthz without a certificate', async () => {
    const r = await call('GET', '/healthz', undefined);
    expect(r.status).toBe(200);
    expect(r.json).toMatchObject({ ok: true, id: 'pr' });
  });

  it('refuses no certificate, an unknown CA, a revoked certificate and a wrong role with clear 4xx', async () => {
    const none = await call('GET', '/v1/plugins', undefined);
    expect([none.status, errorCode(none)]).toEqual([401, 'cert-untrusted']);
    const stranger = await call('GET', '/v1/plugins', who.stranger);
    expect([stranger.status, errorCode(stranger)]).toEqual([401, 'cert-untrusted']);
    const revoked = await call('GET', '/v1/plugins', who.carol);
    expect([revoked.status, errorCode(revoked)]).toEqual([401, 'cert-revoked']);
    expect(String((revoked.json.error as { message: string }).message)).toContain('keyCompromise');
    const role = await call('POST', '/v1/plugins', who.pv1, await plugin('org.example.hello', HELLO));
    expect([role.status, errorCode(role)]).toEqual([403, 'cert-role']);
    expect((await call('GET', '/healthz', undefined)).status).toBe(200);
  });
});

describe('PR gateway: namespaces and submissions', () => {
  it('first registration wins; squatting and overlaps are refused', async () => {
    const first = await postJson('/v1/namespaces', who.alice, { namespace: 'org.example' });
    expect(first.status).toBe(201);
    expect(first.json).toMatchObject({ namespace: 'org.example', owner: 'alice' });
    expect((await postJson('/v1/namespaces', who.alice, { namespace: 'org.example' })).status).toBe(200);
    const squat = await postJson('/v1/namespaces', who.bob, { namespace: 'org.example' });
    expect([squat.status, errorCode(squat)]).toEqual([409, 'namespace-taken']);
    const inside = await postJson('/v1/namespaces', who.bob, { namespace: 'org.example.sub' });
    expect([inside.status, errorCode(inside)]).toEqual([409, 'namespace-taken']);
    const notMine = await postJson('/v1/namespaces', who.alice, { namespace: 'net.bob' });
    expect([notMine.status, errorCode(notMine)]).toEqual([403, 'namespace-not-in-certificate']);
    const bad = await postJson('/v1/namespaces', who.alice, { namespace: 'Not Valid' });
    expect([bad.status, errorCode(bad)]).toEqual([400, 'bad-namespace']);
  });

  it('announces a submission over MQTT to a PV subscribed with its certificate, and over HTTP with a cursor', async () => {
    const sub = await mqtt.connectAsync(node.mqttUrl!, { ca: ca.rootPem, cert: who.pv1.cert, key: who.pv1.key, reconnectPeriod: 0 });
    const granted = await sub.subscribeAsync(['spms/v1/plugins/all', 'spms/v1/plugins/property/termination'], { qos: 1 });
    expect(granted.map((g) => g.qos)).toEqual([1, 1]);
    await expect(sub.subscribeAsync('private/topic', { qos: 1 })).rejects.toThrow(/Subscribe error/);
    const received: { topic: string; body: Record<string, unknown> }[] = [];
    const two = new Promise<void>((resolve) =>
      sub.on('message', (topic, payload) => {
        received.push({ topic, body: JSON.parse(payload.toString('utf8')) as Record<string, unknown> });
        if (received.length === 2) resolve();
      }),
    );
    const archive = await plugin('org.example.hello', HELLO);
    const r = await call('POST', '/v1/plugins?properties=termination', who.alice, archive, { 'content-type': 'application/gzip' });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ name: 'org.example.hello', version: 1, files: 2, created: true });
    await two;
    expect(received.map((m) => m.topic).sort()).toEqual(['spms/v1/plugins/all', 'spms/v1/plugins/property/termination']);
    expect(received[0]!.body).toMatchObject({ id: r.json.submissionId, cursor: r.json.cursor, name: 'org.example.hello', archiveHash: r.json.archiveHash });
    await sub.endAsync();

    // The same bytes again are the same submission, not a new version.
    const again = await call('POST', '/v1/plugins', who.alice, archive);
    expect(again.status).toBe(200);
    expect(again.json.submissionId).toBe(r.json.submissionId);

    const ann = await call('GET', '/v1/announcements?after=0', who.pv2);
    expect(ann.status).toBe(200);
    expect(ann.json.announcements).toEqual([expect.objectContaining({ id: r.json.submissionId, cursor: r.json.cursor })]);
    const later = await call('GET', `/v1/announcements?after=${String(r.json.cursor)}`, who.pv2);
    expect(later.json.announcements).toEqual([]);

    const fetched = await call('GET', `/v1/plugins/org.example.hello/archives/${String(r.json.archiveHash)}`, who.pv1);
    expect(fetched.status).toBe(200);
    expect(fetched.body.equals(archive)).toBe(true);
    const status = await call('GET', '/v1/plugins/org.example.hello/status', who.alice);
    const pvs = (status.json.versions as { pvs: { pvId: string; state: string }[] }[])[0]!.pvs;
    expect(pvs).toEqual(expect.arrayContaining([expect.objectContaining({ pvId: 'PV1', state: 'fetched' })]));
  });

  it('only the PR publishes: a PV publishing is cut off and nobody receives it', async () => {
    const listener = await mqtt.connectAsync(node.mqttUrl!, { ca: ca.rootPem, cert: who.pv1.cert, key: who.pv1.key, reconnectPeriod: 0 });
    await listener.subscribeAsync('spms/v1/plugins/all', { qos: 1 });
    const got: string[] = [];
    listener.on('message', (_t, p) => got.push(p.toString('utf8')));
    const rogue = await mqtt.connectAsync(node.mqttUrl!, { ca: ca.rootPem, cert: who.pv2.cert, key: who.pv2.key, reconnectPeriod: 0 });
    const closed = new Promise<void>((r) => rogue.once('close', () => r()));
    rogue.publish('spms/v1/plugins/all', '{"forged":true}', { qos: 0 });
    await closed;
    // A genuine announcement after the forged one arrives alone.
    const next = new Promise<void>((r) => listener.once('message', () => r()));
    expect((await call('POST', '/v1/plugins', who.alice, await plugin('org.example.second', { 's.plugin': 'org.example.second\n' }))).status).toBe(201);
    await next;
    expect(got.some((g) => g.includes('forged'))).toBe(false);
    await listener.endAsync();
  });

  it('refuses MQTT clients from an unknown CA or revoked', async () => {
    // Resolves with how the connection attempt ended.
    const attempt = (as: Who): Promise<string> =>
      new Promise((resolve) => {
        const c = mqtt.connect(node.mqttUrl!, { ca: ca.rootPem, cert: as.cert, key: as.key, reconnectPeriod: 0, connectTimeout: 5000 });
        c.once('connect', () => {
          c.end(true);
          resolve('connected');
        });
        c.once('error', (e) => {
          c.end(true);
          resolve(`error: ${e.message}`);
        });
        c.once('close', () => resolve('closed'));
      });
    expect(await attempt(who.stranger)).not.toBe('connected');
    const revokedPv = ca.issue({ role: 'pv', name: 'PV9', strPublicKey: pv2Key.publicKey });
    ca.revoke('pv/PV9');
    expect(await attempt({ cert: revokedPv.certPem, key: revokedPv.keyPem })).toMatch(/Not authorized/i);
    expect(await attempt(who.pv2)).toBe('connected');
  });

  it('accepts a folder uploaded as multipart files', async () => {
    const boundary = 'spms-boundary-7';
    const parts = Object.entries({ 'org.example.folder/f.plugin': 'org.example.folder\n', 'org.example.folder/src/f.c': 'int f;\n' }).map(
      ([path, text]) => `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${path}"\r\ncontent-type: application/octet-stream\r\n\r\n${text}\r\n`,
    );
    const r = await call('POST', '/v1/plugins', who.alice, `${parts.join('')}--${boundary}--\r\n`, { 'content-type': `multipart/form-data; boundary=${boundary}` });
    expect(r.status).toBe(201);
    expect(r.json).toMatchObject({ name: 'org.example.folder', files: 2 });
  });

  it('refuses bad input with clear 4xx, stays healthy and changes nothing', async () => {
    const before = snapshot();
    const good = await plugin('org.example.hello', { ...HELLO, 'hello.c': 'int y;\n' });
    const cases: [string, Promise<Reply>, number, string][] = [
      ['truncated', call('POST', '/v1/plugins', who.alice, good.subarray(0, good.length - 20)), 400, 'corrupt'],
      ['garbage', call('POST', '/v1/plugins', who.alice, Buffer.from('this is not an archive at all, just text')), 400, 'not-an-archive'],
      ['traversal', call('POST', '/v1/plugins', who.alice, await rawTar([{ name: 'org.example.hello/../../etc/passwd', body: 'x' }])), 400, 'path-traversal'],
      [
        'symlink',
        call(
          'POST',
          '/v1/plugins',
          who.alice,
          await rawTar([
            { name: 'org.example.hello/h.plugin', body: 'x' },
            { name: 'org.example.hello/l', type: 'symlink', linkname: '/etc/passwd' },
          ]),
        ),
        400,
        'link',
      ],
      [
        'hardlink',
        call(
          'POST',
          '/v1/plugins',
          who.alice,
          await rawTar([
            { name: 'org.example.hello/h.plugin', body: 'x' },
            { name: 'org.example.hello/l', type: 'link', linkname: 'org.example.hello/h.plugin' },
          ]),
        ),
        400,
        'link',
      ],
      ['absolute', call('POST', '/v1/plugins', who.alice, await rawTar([{ name: '/org.example.hello/h.plugin', body: 'x' }])), 400, 'absolute-path'],
      ['no manifest', call('POST', '/v1/plugins', who.alice, await plugin('org.example.hello', { 'hello.c': 'x' })), 400, 'layout'],
      ['two manifests', call('POST', '/v1/plugins', who.alice, await plugin('org.example.hello', { 'a.plugin': 'x', 'b.plugin': 'y' })), 400, 'layout'],
      ['oversized', call('POST', '/v1/plugins', who.alice, Buffer.alloc(65 * 1024, 1)), 413, 'too-large'],
      [
        'too many entries',
        call('POST', '/v1/plugins', who.alice, await plugin('org.example.hello', Object.fromEntries([['h.plugin', 'x'], ...Array.from({ length: 40 }, (_, i) => [`f${i}.c`, 'x'])]))),
        413,
        'too-many-entries',
      ],
      ['bomb', call('POST', '/v1/plugins', who.alice, await plugin('org.example.hello', { 'h.plugin': 'x', 'zeros.c': '\0'.repeat(1024 * 1024) })), 413, 'unpacked-too-large'],
      ['squatting', call('POST', '/v1/plugins', who.bob, await plugin('org.example.evil', { 'e.plugin': 'x' })), 403, 'namespace-not-owned'],
      ['unnamed namespace', call('POST', '/v1/plugins', who.alice, await plugin('net.bob.p', { 'p.plugin': 'x' })), 403, 'namespace-not-owned'],
      ['malformed JSON', call('POST', '/v1/namespaces', who.alice, '{"namespace": ', { 'content-type': 'application/json' }), 400, 'malformed-json'],
      ['JSON too large', postJson('/v1/namespaces', who.alice, { namespace: 'x'.repeat(5000) }), 413, 'too-large'],
      ['not JSON', call('POST', '/v1/namespaces', who.alice, 'namespace=x', { 'content-type': 'text/plain' }), 415, 'unsupported-media-type'],
      ['bad name', call('GET', '/v1/plugins/Bad..Name', who.alice), 400, 'bad-name'],
      ['bad hash', call('GET', '/v1/plugins/org.example.hello/archives/xyz', who.pv1), 400, 'bad-hash'],
      ['unknown archive', call('GET', `/v1/plugins/org.example.hello/archives/${'0'.repeat(64)}`, who.pv1), 404, 'unknown-archive'],
      ['bad cursor', call('GET', '/v1/announcements?after=-1', who.pv1), 400, 'bad-parameter'],
    ];
    for (const [label, pending, status, code] of cases) {
      const r = await pending;
      expect([label, r.status, errorCode(r)]).toEqual([label, status, code]);
      expect(typeof (r.json.error as { message?: unknown }).message).toBe('string');
    }
    expect(snapshot()).toEqual(before);
    expect((await call('GET', '/healthz', undefined)).json.ok).toBe(true);
  });

  it('answers a refused large upload after reading it, so a client still sending gets the refusal, not a reset', async () => {
    // Far over the 64 KiB limit, with and without a declared length, several times: closing on unread bytes would reset some of these.
    const big = Buffer.alloc(24 * 1024 * 1024, 7);
    for (let i = 0; i < 4; i++) {
      const declared = await call('POST', '/v1/plugins', who.alice, big);
      expect([declared.status, errorCode(declared)]).toEqual([413, 'too-large']);
      const chunked = await streamed('/v1/plugins', who.alice, big);
      expect([chunked.status, errorCode(chunked)]).toEqual([413, 'too-large']);
      const busy = await streamed('/v1/plugins', who.alice, big, 300);
      expect([busy.status, errorCode(busy)]).toEqual([413, 'too-large']);
    }
    expect((await call('GET', '/healthz', undefined)).json.ok).toBe(true);
  });
});

describe('PR gateway: STRs and failure reports', () => {
  it('keeps a PV chain, acknowledges replays, and refuses forks keeping the evidence', async () => {
    s0 = str(pv1Key, 'PV1', 0, undefined);
    s1 = str(pv1Key, 'PV1', 1, s0);
    expect((await postJson('/v1/strs', who.pv1, strToJson(s0))).status).toBe(201);
    expect((await postJson('/v1/strs', who.pv1, strToJson(s1))).status).toBe(201);
    const replay = await postJson('/v1/strs', who.pv1, strToJson(s1));
    expect([replay.status, replay.json.duplicate]).toEqual([200, true]);
    const fork = await postJson('/v1/strs', who.pv1, strToJson(str(pv1Key, 'PV1', 1, s0, 7)));
    expect([fork.status, errorCode(fork)]).toEqual([409, 'equivocation']);
    const broken = await postJson('/v1/strs', who.pv1, strToJson(str(pv1Key, 'PV1', 2, s0)));
    expect([broken.status, errorCode(broken)]).toEqual([409, 'prev-hash-mismatch']);
    const unsigned = await postJson('/v1/strs', who.pv1, strToJson(str(pv2Key, 'PV1', 2, s1)));
    expect([unsigned.status, errorCode(unsigned)]).toEqual([400, 'bad-signature']);
    const impostor = await postJson('/v1/strs', who.pv1, strToJson(str(pv2Key, 'PV2', 0, undefined)));
    expect([impostor.status, errorCode(impostor)]).toEqual([403, 'pv-id-mismatch']);
    const junk = await postJson('/v1/strs', who.pv1, { epoch: 'x' });
    expect([junk.status, errorCode(junk)]).toEqual([400, 'bad-str']);
    const evidence = await call('GET', '/v1/evidence', who.alice);
    expect((evidence.json.evidence as { code: string }[]).map((e) => e.code)).toEqual(['equivocation', 'prev-hash-mismatch']);
    const latest = await call('GET', '/v1/strs', who.alice);
    expect(latest.json.strs).toEqual([expect.objectContaining({ pvId: 'PV1', str: strToJson(s1), certificate: expect.stringContaining('BEGIN CERTIFICATE') })]);
    const range = await call('GET', '/v1/strs/PV1?from=0&to=5', who.alice);
    expect(range.json.strs).toEqual([strToJson(s0), strToJson(s1)]);
  });

  it('records a PV failure report with its log, shown in the per-PV status', async () => {
    const versions = (await call('GET', '/v1/plugins/org.example.hello', who.alice)).json.versions as { id: string; archiveHash: string }[];
    const sub = versions[0]!;
    const report = {
      pvId: 'PV2',
      submissionId: sub.id,
      name: 'org.example.hello',
      archiveHash: sub.archiveHash,
      bindingHash: null,
      reason: 'formula does not hold',
      verifiers: [{ id: 'df', property: 'always', verdict: 'fail', findings: [{ message: 'no' }], log: 'dummy-fail says no' }],
    };
    expect((await postJson('/v1/failures', who.pv2, report)).status).toBe(201);
    expect((await postJson('/v1/failures', who.pv2, report)).status).toBe(200);
    const wrongPv = await postJson('/v1/failures', who.pv1, report);
    expect([wrongPv.status, errorCode(wrongPv)]).toEqual([403, 'pv-id-mismatch']);
    const unknown = await postJson('/v1/failures', who.pv2, { ...report, submissionId: 'nope' });
    expect([unknown.status, errorCode(unknown)]).toEqual([404, 'unknown-submission']);
    const malformed = await postJson('/v1/failures', who.pv2, { ...report, verifiers: 'x' });
    expect([malformed.status, errorCode(malformed)]).toEqual([400, 'bad-failure-report']);
    const status = await call('GET', `/v1/submissions/${sub.id}`, who.alice);
    expect(status.json.pvs).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          pvId: 'PV2',
          state: 'failed',
          failure: expect.objectContaining({ reason: 'formula does not hold', verifiers: [expect.objectContaining({ log: 'dummy-fail says no' })] }),
        }),
      ]),
    );
  });

  it('streams its events to the daemon only', async () => {
    const denied = await call('GET', '/v1/events', who.alice);
    expect([denied.status, errorCode(denied)]).toEqual([403, 'cert-role']);
    const text = await new Promise<string>((resolve, reject) => {
      const req = request(`${node.url}/v1/events?after=0`, { ca: ca.rootPem, ...who.daemon }, (res) => {
        let seen = '';
        res.on('data', (c: Buffer) => {
          seen += c.toString('utf8');
          if (seen.includes('event: str-accepted')) {
            req.destroy();
            resolve(seen);
          }
        });
      });
      req.on('error', reject);
      req.end();
    });
    expect(text).toContain('event: submission');
    expect(events.some((l) => JSON.parse(l).type === 'client-refused')).toBe(true);
  });
});

describe('PR gateway: what it keeps about PVs', () => {
  it('writes a PV record when its certificate changes, not on every request', async () => {
    const writes = (): number => (node.db.prepare('SELECT total_changes() AS n').get() as { n: number }).n;
    const record = (): { certificate: string; last_seen_ms: number } =>
      node.db.prepare("SELECT certificate, last_seen_ms FROM pvs WHERE pv_id = 'PV2'").get() as { certificate: string; last_seen_ms: number };
    expect((await call('GET', '/v1/announcements', who.pv2)).status).toBe(200);
    const before = writes();
    const first = record();
    for (let i = 0; i < 3; i++) expect((await call('GET', '/v1/announcements', who.pv2)).status).toBe(200);
    expect(writes()).toBe(before);
    expect(record()).toEqual(first);
    // A reissued certificate (same PV, same STR key) is recorded on its first request.
    const rotated = asWho(ca.rotate('pv', 'PV2'));
    expect((await call('GET', '/v1/announcements', rotated)).status).toBe(200);
    expect(record().certificate).not.toBe(first.certificate);
  });
});

describe('PR restart', () => {
  it('keeps namespaces, plugins, announcements, STRs and evidence on the same data directory', async () => {
    const before = snapshot();
    const plugins = (await call('GET', '/v1/plugins', who.alice)).json;
    await node.stop();
    node = await PrNode.start(config, { events: new PrEvents('pr', () => undefined) });
    expect(snapshot()).toEqual(before);
    expect((await call('GET', '/v1/plugins', who.alice)).json).toEqual(plugins);
    const squat = await postJson('/v1/namespaces', who.bob, { namespace: 'org.example' });
    expect(squat.status).toBe(409);
    const v = ((await call('GET', '/v1/plugins/org.example.hello', who.alice)).json.versions as { archiveHash: string }[])[0]!;
    expect((await call('GET', `/v1/plugins/org.example.hello/archives/${v.archiveHash}`, who.pv1)).status).toBe(200);
    const s2 = str(pv1Key, 'PV1', 2, s1);
    expect((await postJson('/v1/strs', who.pv1, strToJson(s2))).status).toBe(201);
    const r = await call('POST', '/v1/plugins', who.alice, await plugin('org.example.hello', { ...HELLO, 'hello.c': 'int v2;\n' }));
    expect(r.json).toMatchObject({ version: 2 });
    expect(r.json.cursor).toBeGreaterThan(3);
  });
});
