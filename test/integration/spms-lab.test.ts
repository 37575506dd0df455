// One PR and three PVs as real processes over real TLS and MQTT on loopback:
// submission, verification, epochs, proofs, bundles, monitoring, faults and
// bad input, end to end.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { bindingHash, bundleFromJson, checkBundle, decodeBinding, toHex, verifyChain, type ProofBundle } from '../../spms/core/index.ts';
import { caKeyResolver } from '../../spms/client/ca-trust.ts';
import { fetchBundle } from '../../spms/client/peer.ts';
import { monitorNames } from '../../spms/client/monitor.ts';
import { getJson, type Transport } from '../../spms/client/transport.ts';
import { packPluginArchive, readPluginDirectory } from '../../spms/verifier/archive/index.ts';
import { TestLab, type Developer } from './lab-harness.ts';

const FIXTURES = new URL('../fixtures/plugins/', import.meta.url).pathname;
const HELLO = 'org.example.hello';
const pvSpecs = [
  {
    id: 'PV1',
    verifiers: [
      { id: 'wf', kind: 'wellformed', property: 'wellformed' },
      { id: 'term', kind: 'termination', property: 'termination' },
    ],
    formula: 'wellformed & termination',
  },
  {
    id: 'PV2',
    verifiers: [
      { id: 'wf', kind: 'wellformed', property: 'wellformed' },
      { id: 'se', kind: 'side-effects', property: 'side-effects' },
    ],
    formula: 'wellformed & side-effects',
  },
  {
    id: 'PV3',
    verifiers: [
      { id: 'ok', kind: 'dummy-pass', property: 'ok' },
      { id: 'no', kind: 'dummy-fail', property: 'never' },
    ],
    formula: 'ok & never',
  },
];

let lab: TestLab;
let alice: Developer;
let bob: Developer;

async function post(t: Transport, url: string, body: Uint8Array, contentType: string): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await t.request('POST', url, { body, contentType, accept: 'application/json' });
  const text = new TextDecoder().decode(res.body);
  return { status: res.status, json: text === '' ? {} : (JSON.parse(text) as Record<string, unknown>) };
}

async function archiveOf(name: string): Promise<Uint8Array> {
  return packPluginArchive(await readPluginDirectory(`${FIXTURES}${name}`));
}

beforeAll(async () => {
  lab = await TestLab.create(pvSpecs, 2000);
  await lab.startAll();
  alice = lab.developer('alice', ['org.example']);
  bob = lab.developer('bob', ['org.other']);
  const reg = await post(alice.http, `${lab.pr.url}/v1/namespaces`, new TextEncoder().encode(JSON.stringify({ namespace: 'org.example' })), 'application/json');
  expect(reg.status).toBe(201);
}, 120_000);

afterAll(async () => {
  await lab?.close();
});

describe('SPMS end to end', () => {
  let submittedHash: Uint8Array;

  it('takes a good plugin into every accepting PV within two epochs, with proofs a peer accepts', async () => {
    const archive = await archiveOf(HELLO);
    const included = ['PV1', 'PV2'].map((id) => lab.waitForEvent(id, (e) => e.type === 'epoch-published' && JSON.stringify(e.payload).includes(HELLO), 30_000));
    const epochsAtSubmission = await Promise.all(['PV1', 'PV2'].map(async (id) => (await lab.pvClient(id).latestStr()).epoch));
    const res = await post(alice.http, `${lab.pr.url}/v1/plugins`, archive, 'application/octet-stream');
    expect(res.status).toBe(201);
    expect(res.json.name).toBe(HELLO);
    const inclusions = await Promise.all(included);
    // Within two epochs of the submission, in every accepting PV.
    inclusions.forEach((e, i) => expect((e.payload.epoch as number) - epochsAtSubmission[i]!).toBeLessThanOrEqual(2));
    const e1 = inclusions[0]!;
    const p1 = await lab.pvClient('PV1').proof(HELLO);
    expect(p1.proof.terminal.kind).toBe('leaf');
    submittedHash = (p1.proof.terminal as { bindingHash: Uint8Array }).bindingHash;
    expect(toHex(submittedHash)).toBe((e1.payload.changes as { bindingHash: string }[])[0]!.bindingHash);

    const sources = ['PV1', 'PV2', 'PV3'].map((id) => ({ pvId: id, client: lab.pvClient(id) }));
    const { bundle } = await fetchBundle(HELLO, submittedHash, sources, 'PV1 & (PV2 | PV3)');
    expect(bundle.entries.map((e) => e.pvId)).toEqual(['PV1', 'PV2']);
    const trust = caKeyResolver({ root: lab.readCaCert() });
    const check = (b: ProofBundle, hash = submittedHash) => checkBundle(b, { formula: 'PV1 & (PV2 | PV3)', resolveKey: trust, bindingHash: hash, nowMs: Date.now(), maxAgeMs: 60_000 });
    expect(check(bundle)).toMatchObject({ accepted: true, verified: ['PV1', 'PV2'] });
    // The same bundle, served by the PR from the PVs' registered gateways.
    const fromPr = (await getJson(alice.http, `${lab.pr.url}/v1/bundle/${HELLO}?formula=${encodeURIComponent('PV1 & (PV2 | PV3)')}`)) as { bundle: unknown; skipped: { pvId: string }[] };
    const prBundle = bundleFromJson(fromPr.bundle);
    expect(prBundle.entries.map((e) => e.pvId)).toEqual(['PV1', 'PV2']);
    expect(check(prBundle)).toMatchObject({ accepted: true });
    await expect(getJson(alice.http, `${lab.pr.url}/v1/bundle/${HELLO}?formula=${encodeURIComponent('PV1 & PV3')}`)).rejects.toMatchObject({ status: 409, code: 'unsatisfiable' });
    await expect(getJson(alice.http, `${lab.pr.url}/v1/bundle/${HELLO}?formula=${encodeURIComponent('PV1 &')}`)).rejects.toMatchObject({ status: 400, code: 'bad-formula' });

    // One byte of the plugin, of a proof or of an STR changed: refused, with the reason.
    const binding = decodeBinding(await lab.pvClient('PV1').binding(submittedHash));
    const first = Object.keys(binding.pluglets)[0]!;
    const tampered = { ...binding, pluglets: { ...binding.pluglets, [first]: Uint8Array.from(binding.pluglets[first]!, (b, i) => (i === 100 ? b ^ 1 : b)) } };
    expect(check(bundle, bindingHash(tampered))).toMatchObject({ accepted: false, bindingMatches: false });
    const e0 = bundle.entries[0]!;
    // The proof's leaf claims another version: the recomputed root no longer matches.
    const leaf = e0.proof.terminal as { kind: 'leaf'; index: null; version: number; bindingHash: Uint8Array };
    const badProof = { ...bundle, entries: [{ ...e0, proof: { ...e0.proof, terminal: { ...leaf, version: leaf.version + 1 } } }, bundle.entries[1]!] };
    expect(check(badProof).pvs[0]).toMatchObject({ ok: false, step: 'proof' });
    const badStr = { ...bundle, entries: [{ ...e0, str: { ...e0.str, timestampMs: e0.str.timestampMs + 1 } }, bundle.entries[1]!] };
    expect(check(badStr).pvs[0]).toMatchObject({ ok: false, step: 'signature' });
  });

  it('keeps a plugin out of a PV whose formula fails, proves its absence and reports the failure to the PR', async () => {
    await lab.waitForEvent('PV3', (e) => e.type === 'failure-reported' && e.payload.name === HELLO);
    const pv3 = lab.pvClient('PV3');
    const latest = await pv3.latestStr();
    const p = await pv3.proof(HELLO);
    expect(p.proof.terminal.kind === 'leaf' && p.proof.terminal.index === null).toBe(false);
    expect(p.epoch).toBeGreaterThanOrEqual(latest.epoch);
    const status = (await getJson(alice.http, `${lab.pr.url}/v1/plugins/${HELLO}/status`)) as Record<string, unknown>;
    expect(JSON.stringify(status)).toMatch(/dummy-fail|refuses every plugin|never/);
  });

  it('refuses namespace squatting', async () => {
    const res = await post(bob.http, `${lab.pr.url}/v1/plugins`, await archiveOf(HELLO), 'application/octet-stream');
    expect(res.status).toBe(403);
    const reg = await post(bob.http, `${lab.pr.url}/v1/namespaces`, new TextEncoder().encode(JSON.stringify({ namespace: 'org.example' })), 'application/json');
    expect([403, 409]).toContain(reg.status);
  });

  it('keeps every PV chain valid and monitorable, and the developer monitor quiet', async () => {
    const targets = [];
    for (const id of ['PV1', 'PV2', 'PV3']) {
      const c = lab.pvClient(id);
      const info = await c.info();
      const strs = await c.strs(0);
      expect(verifyChain(strs, info.strPublicKey).ok).toBe(true);
      targets.push({ client: c, strPublicKey: info.strPublicKey });
    }
    const r = await monitorNames(targets, new Map([[HELLO, [submittedHash]]]));
    expect(r.alerts).toEqual([]);
  });
});

describe('updates and monitoring', () => {
  it('updates a binding on resubmission, increments its version, and the monitor follows', async () => {
    const tree = await readPluginDirectory(`${FIXTURES}${HELLO}`);
    const v2 = {
      name: HELLO,
      files: tree.files.map((f) => (f.path === 'wake.c' ? { path: f.path, data: new TextEncoder().encode(new TextDecoder().decode(f.data).replace('> 3', '> 2')) } : f)),
    };
    const before = await lab.pvClient('PV1').proof(HELLO);
    const v1Hash = (before.proof.terminal as { bindingHash: Uint8Array }).bindingHash;
    const updated = lab.waitForEvent(
      'PV1',
      (e) => e.type === 'epoch-published' && e.seq > 0 && (e.payload.changes as { name: string; bindingHash: string }[]).some((c) => c.name === HELLO && c.bindingHash !== toHex(v1Hash)),
    );
    const res = await post(alice.http, `${lab.pr.url}/v1/plugins`, await packPluginArchive(v2), 'application/octet-stream');
    expect(res.status).toBe(201);
    await updated;
    const after = await lab.pvClient('PV1').proof(HELLO);
    expect(after.proof.terminal).toMatchObject({ kind: 'leaf', version: 2 });
    const v2Hash = (after.proof.terminal as { bindingHash: Uint8Array }).bindingHash;
    const c = lab.pvClient('PV1');
    const target = [{ client: c, strPublicKey: (await c.info()).strPublicKey }];
    expect((await monitorNames(target, new Map([[HELLO, [v1Hash, v2Hash]]]))).alerts).toEqual([]);
    const stale = await monitorNames(target, new Map([[HELLO, [v1Hash]]]));
    expect(stale.alerts.map((a) => a.code)).toContain('unexpected-binding');
  });

  it('reports a binding injected into a PV tree behind the developer back', async () => {
    const pv2 = lab.pvClient('PV2');
    const info = await pv2.info();
    const honest = (await pv2.proof(HELLO)).proof.terminal as { bindingHash: Uint8Array };
    await lab.stop('PV2');
    const { default: Database } = await import('better-sqlite3');
    const db = new Database(`${lab.dir}/PV2/pv.sqlite`);
    db.prepare("INSERT INTO submissions (id, name, archive_hash, state, announced_ms) VALUES ('evil', ?, 'x', 'valid', 0)").run(HELLO);
    db.prepare('INSERT OR REPLACE INTO pending_changes (name, binding_hash, submission_id, decided_ms) VALUES (?, ?, ?, ?)').run(HELLO, Buffer.alloc(32, 7), 'evil', Date.now());
    db.close();
    const injected = lab.waitForEvent('PV2', (e) => e.type === 'epoch-published' && (e.payload.changes as { submission: string }[]).some((c) => c.submission === 'evil'));
    await lab.start('PV2');
    await injected;
    const r = await monitorNames([{ client: pv2, strPublicKey: info.strPublicKey }], new Map([[HELLO, [honest.bindingHash]]]));
    expect(r.alerts).toContainEqual(expect.objectContaining({ pvId: 'PV2', code: 'unexpected-binding', name: HELLO }));
  });
});

describe('faults', () => {
  it('a PV killed during an epoch restarts with its chain and its jobs', async () => {
    const pv1 = lab.pvClient('PV1');
    const info = await pv1.info();
    const name = 'org.example.crash';
    const tree = await readPluginDirectory(`${FIXTURES}${HELLO}`);
    const files = tree.files.map((f) => (f.path.endsWith('.plugin') ? { path: 'crash.plugin', data: new TextEncoder().encode(new TextDecoder().decode(f.data).replace(HELLO, name)) } : f));
    const announced = lab.waitForEvent('PV1', (e) => e.type === 'announcement' && e.payload.name === name);
    const res = await post(alice.http, `${lab.pr.url}/v1/plugins`, await packPluginArchive({ name, files }), 'application/octet-stream');
    expect(res.status).toBe(201);
    await announced;
    await lab.stop('PV1', 'SIGKILL');
    const included = lab.waitForEvent('PV1', (e) => e.type === 'epoch-published' && JSON.stringify(e.payload).includes(name), 60_000);
    await lab.start('PV1');
    await included;
    const strs = await pv1.strs(0);
    expect(verifyChain(strs, info.strPublicKey)).toMatchObject({ ok: true });
    expect((await pv1.proof(name)).proof.terminal).toMatchObject({ kind: 'leaf', index: null });
  }, 90_000);

  it('PVs keep publishing while the PR is down, then catch up on what was announced while they were down', async () => {
    const pv2 = lab.pvClient('PV2');
    const epochBefore = (await pv2.latestStr()).epoch;
    await lab.stop('PR');
    await lab.waitForEvent('PV2', (e) => e.type === 'epoch-published' && (e.payload.epoch as number) >= epochBefore + 3);
    expect((await pv2.latestStr()).epoch).toBeGreaterThanOrEqual(epochBefore + 3);
    await lab.start('PR');
    // PV3 is down while a plugin is announced; it processes it when it comes back.
    await lab.stop('PV3');
    const name = 'org.example.late';
    const tree = await readPluginDirectory(`${FIXTURES}${HELLO}`);
    const files = tree.files.map((f) => (f.path.endsWith('.plugin') ? { path: 'late.plugin', data: new TextEncoder().encode(new TextDecoder().decode(f.data).replace(HELLO, name)) } : f));
    const res = await post(alice.http, `${lab.pr.url}/v1/plugins`, await packPluginArchive({ name, files }), 'application/octet-stream');
    expect(res.status).toBe(201);
    const seen = lab.waitForEvent('PV3', (e) => e.type === 'announcement' && e.payload.name === name, 60_000);
    await lab.start('PV3');
    await seen;
    // STRs published while the PR was down reach it.
    const pushed = lab.waitForEvent('PV2', (e) => e.type === 'str-pushed' && (e.payload.epoch as number) > epochBefore + 3, 60_000);
    await pushed;
  }, 120_000);
});

describe('bad input', () => {
  async function plugins(): Promise<string> {
    return JSON.stringify(await getJson(alice.http, `${lab.pr.url}/v1/plugins`));
  }

  it('refuses hostile and malformed submissions with clear 4xx, and stays healthy with its data unchanged', async () => {
    const before = await plugins();
    const good = await archiveOf(HELLO);
    const cases: [string, Uint8Array, string][] = [
      ['truncated', good.subarray(0, good.length - 30), 'application/octet-stream'],
      ['garbage', new TextEncoder().encode('this is not an archive'), 'application/octet-stream'],
      ['oversized', new Uint8Array(17 * 1024 * 1024), 'application/octet-stream'],
    ];
    for (const [what, body, type] of cases) {
      const res = await post(alice.http, `${lab.pr.url}/v1/plugins`, body, type);
      expect([what, res.status >= 400 && res.status < 500]).toEqual([what, true]);
      expect(res.json.error).toMatchObject({ code: expect.any(String), message: expect.any(String) });
    }
    const bad = await post(alice.http, `${lab.pr.url}/v1/namespaces`, new TextEncoder().encode('{"namespace": '), 'application/json');
    expect(bad.status).toBe(400);
    expect(await plugins()).toBe(before);
  });

  it('refuses clients whose certificate is from another CA', async () => {
    const { LabCa } = await import('../../certs/lab-ca.ts');
    const { nodeTransport } = await import('../../spms/client/node-transport.ts');
    const other = LabCa.init(`${lab.dir}/other-ca`, { keyBits: 2048 });
    const mallory = other.issue({ role: 'developer', name: 'mallory', namespaces: ['org.example'] });
    const t = nodeTransport({ ca: lab.readCaCert(), cert: mallory.certPem, key: mallory.keyPem });
    const outcome = await t.request('GET', `${lab.pr.url}/v1/plugins`).then(
      (r) => r.status,
      () => 'refused',
    );
    expect(outcome === 'refused' || outcome === 401 || outcome === 403).toBe(true);
    const health = await lab.pvClient('PV1').latestStr();
    expect(health.epoch).toBeGreaterThan(0);
  });
});

describe('a misbehaving PV', () => {
  it('has its forked STR refused by the PR, which keeps the evidence', async () => {
    const { readFileSync } = await import('node:fs');
    const { generateStrKeyPair, signStr, strToJson, fromHex } = await import('../../spms/core/index.ts');
    const { nodeTransport } = await import('../../spms/client/node-transport.ts');
    const pv1 = lab.pvClient('PV1');
    const latest = await pv1.latestStr();
    const key = generateStrKeyPair(fromHex(readFileSync(`${lab.dir}/PV1/str-ed25519.key`, 'utf8').trim()));
    const fork = signStr({ ...latest, root: new Uint8Array(32).fill(9) }, key.secretKey);
    const cert = JSON.parse(readFileSync(`${lab.dir}/PV1.json`, 'utf8')) as { tls: { cert: string; key: string } };
    const asPv1 = nodeTransport({ ca: lab.readCaCert(), cert: readFileSync(cert.tls.cert), key: readFileSync(cert.tls.key) });
    // The PR holds PV1's STR for that epoch once PV1 pushed it.
    await lab.waitForEvent('PV1', (e) => e.type === 'str-pushed' && (e.payload.epoch as number) >= latest.epoch);
    const res = await post(asPv1, `${lab.pr.url}/v1/strs`, new TextEncoder().encode(JSON.stringify(strToJson(fork))), 'application/json');
    expect(res.status).toBe(409);
    expect(res.json.error).toMatchObject({ code: 'equivocation' });
    const evidence = (await getJson(alice.http, `${lab.pr.url}/v1/evidence`)) as { evidence: { pvId: string; epoch: number; code: string }[] };
    expect(evidence.evidence).toContainEqual(expect.objectContaining({ pvId: 'PV1', epoch: latest.epoch, code: 'equivocation' }));
  });
});
