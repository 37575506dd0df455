// The daemon's API against a real daemon on loopback (no deployment): Host
// and token checks, the one-time login, validation and the error shape of
// every route that needs no running node, the CA routes, the event socket.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Daemon, DaemonError } from '../daemon.ts';
import { DaemonClient, DaemonRequestError } from '../daemon-client.ts';
import { LabStateError } from '../state/lab-state.ts';
import type { LabEvent } from '../events/lab-event.ts';

let dir: string;
let daemon: Daemon;
let client: DaemonClient;

function raw(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; headers: Record<string, unknown>; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${daemon.url}${path}`, { method, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

async function apiError(p: Promise<unknown>): Promise<DaemonRequestError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof DaemonRequestError) return e;
    throw e;
  }
  throw new Error('the request succeeded');
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'spms-daemon-'));
  daemon = await Daemon.start({ labDir: dir, port: 0, caKeyBits: 2048, deploy: 'never' });
  client = new DaemonClient(daemon.url, daemon.token);
});

afterAll(async () => {
  await daemon.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('access', () => {
  it('answers /healthz without a token but checks Host everywhere', async () => {
    const host = `127.0.0.1:${daemon.port}`;
    expect((await raw('/healthz', { host })).status).toBe(200);
    const evil = await raw('/healthz', { host: `attacker.example:${daemon.port}` });
    expect(evil.status).toBe(421);
    expect(JSON.parse(evil.body)).toEqual({ error: { code: 'bad-host', message: expect.any(String) } });
    expect((await raw('/api/lab', { host: `127.0.0.1:${daemon.port}`, authorization: `Bearer ${daemon.token}` })).status).toBe(200);
    expect((await raw('/api/lab', { host: `localhost:${daemon.port + 1}`, authorization: `Bearer ${daemon.token}` })).status).toBe(421);
  });

  it('refuses the API without the token or with a wrong one', async () => {
    const host = `127.0.0.1:${daemon.port}`;
    const none = await raw('/api/lab', { host });
    expect(none.status).toBe(401);
    expect(JSON.parse(none.body).error.code).toBe('unauthorized');
    expect((await raw('/api/lab', { host, authorization: 'Bearer wrong-token-wrong-token-wrong-token' })).status).toBe(401);
    expect((await raw('/', { host })).status).toBe(401);
  });

  it('logs a browser in once through a one-time URL, then by cookie', async () => {
    const host = `127.0.0.1:${daemon.port}`;
    const { path } = await client.post<{ path: string }>('/api/login-url');
    const first = await raw(path, { host });
    expect(first.status).toBe(303);
    const cookie = String((first.headers['set-cookie'] as string[])[0]).split(';')[0] as string;
    expect(String((first.headers['set-cookie'] as string[])[0])).toMatch(/HttpOnly; SameSite=Strict/);
    expect((await raw(path, { host })).status).toBe(401);
    expect((await raw('/api/lab', { host, cookie })).status).toBe(200);
    const page = await raw('/', { host, cookie });
    expect(page.status).toBe(200);
    expect(page.body).toContain('SPMS Lab');
  });

  it('names unknown routes with the error shape', async () => {
    const e = await apiError(client.get('/api/no/such/route'));
    expect([e.status, e.code]).toEqual([404, 'not-found']);
  });
});

describe('topology', () => {
  it('starts with the default topology: PR and three PVs, 5 s epochs', async () => {
    const lab = await client.get<{ topology: { pr: { id: string }; pvs: { id: string; epochLengthMs: number; formula: string }[] }; deployment: { status: string } }>('/api/lab');
    expect(lab.topology.pr.id).toBe('PR');
    expect(lab.topology.pvs.map((p) => p.id)).toEqual(['PV1', 'PV2', 'PV3']);
    expect(lab.topology.pvs.every((p) => p.epochLengthMs === 5000)).toBe(true);
    expect(lab.deployment.status).toBe('none');
  });

  it('refuses invalid topologies naming each field at fault, and keeps the stored one', async () => {
    const before = readFileSync(join(dir, 'lab.json'), 'utf8');
    const dup = await apiError(
      client.put('/api/lab/topology', {
        topology: {
          pr: { id: 'PR' },
          pvs: [
            { id: 'PV1', verifiers: [{ id: 'a', kind: 'dummy-pass', property: 'ok' }], formula: 'ok & missing', epochLengthMs: 1000 },
            { id: 'PV1', verifiers: [{ id: 'a', kind: 'dummy-pass', property: 'ok' }], formula: 'ok', epochLengthMs: 1000 },
          ],
        },
      }),
    );
    expect(dup.status).toBe(400);
    expect(dup.code).toBe('topology-invalid');
    const paths = (dup.details as { issues: { path: string }[] }).issues.map((i) => i.path);
    expect(paths).toEqual(['pvs[0].formula', 'pvs[1].id']);
    const shape = await apiError(client.put('/api/lab/topology', { topology: { pr: { id: 'PR' }, pvs: [], extra: 1 } }));
    expect(shape.code).toBe('topology-invalid');
    expect(shape.message).toMatch(/pvs/);
    const syntax = await apiError(
      client.put('/api/lab/topology', { topology: { pr: { id: 'PR' }, pvs: [{ id: 'PV1', verifiers: [{ id: 'a', kind: 'dummy-pass', property: 'ok' }], formula: 'ok &', epochLengthMs: 1000 }] } }),
    );
    expect(syntax.code).toBe('topology-invalid');
    expect(readFileSync(join(dir, 'lab.json'), 'utf8')).toBe(before);
  });

  it('refuses a body that is not JSON', async () => {
    const res = await fetch(`${daemon.url}/api/lab/topology`, { method: 'PUT', headers: { authorization: `Bearer ${daemon.token}`, 'content-type': 'application/json' }, body: '{"topology": ' });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('bad-json');
  });

  it('stores a valid topology in the lab file', async () => {
    const topology = { pr: { id: 'PR' }, pvs: [{ id: 'PVX', verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'accepted' }], formula: 'accepted', epochLengthMs: 1000 }] };
    await client.put('/api/lab/topology', { topology });
    expect(JSON.parse(readFileSync(join(dir, 'lab.json'), 'utf8')).topology).toEqual(topology);
    const { topology: def } = await client.get<{ topology: unknown }>('/api/lab/topology/default');
    await client.put('/api/lab/topology', { topology: def });
  });
});

describe('routes that need a deployed lab', () => {
  it('answer 409 not-deployed, after validating their input', async () => {
    const calls = [
      () => client.get('/api/plugins'),
      () => client.get('/api/pvs/PV1/epochs'),
      () => client.get('/api/proofs/org.example.x?pv=PV1'),
      () => client.post('/api/bundles/check', { name: 'org.example.x', formula: 'PV1' }),
      () => client.post('/api/monitor', { names: ['org.example.x'] }),
    ];
    for (const call of calls) {
      const e = await apiError(call());
      expect([e.status, e.code]).toEqual([409, 'not-deployed']);
    }
    expect((await apiError(client.get('/api/proofs/org.example.x'))).code).toBe('bad-parameter');
    expect((await apiError(client.get('/api/proofs/Not A Name?pv=PV1'))).status).toBe(400);
    expect((await apiError(client.post('/api/bundles/check', { name: 'org.example.x', formula: 'PV1 &' }))).code).toBe('bad-formula');
    expect((await apiError(client.post('/api/monitor', { names: [] }))).code).toBe('bad-parameter');
    expect((await apiError(client.get('/api/pvs/PV1/epochs?from=-1'))).code).toBe('bad-parameter');
    expect((await apiError(client.get('/api/nodes/PV9/logs'))).code).toBe('unknown-node');
    expect((await apiError(client.get('/api/nodes/PV1/logs?tail=0'))).code).toBe('bad-parameter');
  });

  it('refuses an upload when the lab is not deployed', async () => {
    const e = await apiError(client.upload([{ path: 'org.example.x/x.plugin', data: new TextEncoder().encode('org.example.x\n') }]));
    expect([e.status, e.code]).toEqual([409, 'not-deployed']);
  });
});

describe('tasks', () => {
  it('404s unknown tasks', async () => {
    expect((await client.get<{ tasks: unknown[] }>('/api/tasks')).tasks).toEqual([]);
    expect((await apiError(client.get('/api/tasks/nope'))).code).toBe('unknown-task');
    expect((await apiError(client.post('/api/tasks/nope/cancel'))).code).toBe('unknown-task');
  });
});

describe('CA', () => {
  it('serves the root and CRL as PEM', async () => {
    const root = await client.get<string>('/api/ca/root');
    expect(root).toBe(readFileSync(join(dir, 'ca', 'ca.crt'), 'utf8'));
    expect(await client.get<string>('/api/ca/crl')).toMatch(/BEGIN X509 CRL/);
  });

  it('issues developer certificates, lists them with status, revokes them', async () => {
    const bad = await apiError(client.post('/api/ca/developers', { name: 'alice', namespaces: ['not a namespace'] }));
    expect([bad.status, bad.code]).toEqual([400, 'bad-request']);
    expect((await apiError(client.post('/api/ca/developers', { name: 'alice' }))).message).toMatch(/namespaces/);
    const issued = await client.post<{ certificate: { serial: string; namespaces: string[] }; certPem: string; keyPem: string }>('/api/ca/developers', { name: 'alice', namespaces: ['org.alice'] });
    expect(issued.certificate.namespaces).toEqual(['org.alice']);
    expect(issued.keyPem).toMatch(/PRIVATE KEY/);
    expect((await apiError(client.post('/api/ca/developers', { name: 'alice', namespaces: ['org.alice'] }))).status).toBe(409);
    const pem = await client.get<string>(`/api/ca/certificates/${issued.certificate.serial}`);
    expect(pem).toBe(issued.certPem);
    const list = await client.get<{ certificates: { serial: string; status: string }[] }>('/api/ca/certificates');
    expect(list.certificates.find((c) => c.serial === issued.certificate.serial)?.status).toBe('valid');
    await client.post(`/api/ca/certificates/${issued.certificate.serial}/revoke`, { reason: 'keyCompromise' });
    const after = await client.get<{ certificates: { serial: string; status: string }[] }>('/api/ca/certificates');
    expect(after.certificates.find((c) => c.serial === issued.certificate.serial)?.status).toBe('revoked');
    expect((await apiError(client.post(`/api/ca/certificates/${issued.certificate.serial}/revoke`))).status).toBe(409);
    expect((await apiError(client.post('/api/ca/certificates/abcdef/revoke'))).status).toBe(404);
    expect((await apiError(client.post(`/api/ca/certificates/${issued.certificate.serial}/revoke`, { reason: 'because' }))).code).toBe('bad-request');
  });
});

describe('measures', () => {
  it('lists result files and serves them, nothing else', async () => {
    const { files } = await client.get<{ files: { file: string }[] }>('/api/measures');
    expect(files.map((f) => f.file)).toContain('e2e.json');
    const e2e = await client.get<Record<string, unknown>>('/api/measures/e2e.json');
    expect(typeof e2e).toBe('object');
    expect((await apiError(client.get('/api/measures/..%2Fpackage.json'))).status).toBe(404);
  });
});

describe('event socket', () => {
  it('requires the token and a same-origin page, then replays history and streams live', async () => {
    const url = `${daemon.url.replace('http', 'ws')}/api/events?after=0`;
    const refused = (headers: Record<string, string>): Promise<number> =>
      new Promise((resolve) => {
        const ws = new WebSocket(url, { headers });
        ws.on('unexpected-response', (_req, res) => resolve(res.statusCode ?? 0));
        ws.on('open', () => resolve(101));
      });
    expect(await refused({})).toBe(401);
    expect(await refused({ authorization: `Bearer ${daemon.token}`, origin: 'http://attacker.example' })).toBe(403);
    const seen: LabEvent[] = [];
    let onEvent: (e: LabEvent) => void = () => undefined;
    const stream = client.events(0, (e) => {
      seen.push(e);
      onEvent(e);
    });
    await stream.ready;
    const live = new Promise<LabEvent>((resolve) => (onEvent = (e) => e.type === 'certificate-issued' && resolve(e)));
    await client.post('/api/ca/developers', { name: 'bob', namespaces: ['org.bob'] });
    const e = await live;
    expect(e.payload).toMatchObject({ name: 'bob', namespaces: ['org.bob'] });
    expect(seen[0]?.type).toBe('daemon-started');
    expect(seen.map((x) => x.seq)).toEqual([...seen.map((x) => x.seq)].sort((a, b) => a - b));
    stream.close();
  });
});

describe('terraform', () => {
  it('exports the lab as terraform.tfvars.json, and refuses a lab terraform/ cannot describe', async () => {
    const { tfvars, notes } = await client.get<{ tfvars: { hosts: Record<string, string>; nodes: Record<string, { role: string; host: string }> }; notes: string[] }>('/api/lab/terraform');
    expect(tfvars.hosts).toEqual({ local: 'qemu:///system' });
    expect(Object.entries(tfvars.nodes).map(([id, n]) => `${id} ${n.role} ${n.host}`)).toEqual(['PR pr local', 'PV1 pv local', 'PV2 pv local', 'PV3 pv local']);
    expect(notes.join('\n')).toMatch(/images not built yet/);
    const { topology } = await client.get<{ topology: { pvs: { id: string; vm?: { host: string } }[] } }>('/api/lab/topology');
    const spread = structuredClone(topology);
    spread.pvs.push({ ...structuredClone(topology.pvs[0]!), id: 'PV4' });
    spread.pvs.forEach((pv, i) => (pv.vm = { host: `qemu+ssh://lab${i + 2}/system` }));
    await client.put('/api/lab/topology', { topology: spread });
    const refused = await apiError(client.get('/api/lab/terraform'));
    expect([refused.status, refused.code]).toEqual([409, 'too-many-hosts']);
    await client.put('/api/lab/topology', { topology });
  });
});

describe('start', () => {
  it('refuses a second daemon for the same lab', async () => {
    await expect(Daemon.start({ labDir: dir, port: 0, deploy: 'never' })).rejects.toBeInstanceOf(DaemonError);
  });

  it('refuses a damaged lab file without touching it', async () => {
    const other = mkdtempSync(join(tmpdir(), 'spms-daemon-bad-'));
    try {
      writeFileSync(join(other, 'lab.json'), '{"version": 1, "topology": 42}');
      await expect(Daemon.start({ labDir: other, port: 0, deploy: 'never' })).rejects.toBeInstanceOf(LabStateError);
      expect(readFileSync(join(other, 'lab.json'), 'utf8')).toBe('{"version": 1, "topology": 42}');
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
  });
});
