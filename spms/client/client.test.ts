// The client against a real PV user gateway over real TLS: proofs, bundles
// and the developer monitor, including a binding injected behind the
// developer's back.
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { checkBundle, hash, pinnedKeys, policyHash, utf8, type Policy } from '../core/index.ts';
import { NodeEvents } from '../pv/node-events.ts';
import { openPvDatabase, type PvDatabase } from '../pv/pv-db.ts';
import { loadOrCreateStrKey, type StrKey } from '../pv/str-key.ts';
import { TreeManager } from '../pv/tree-manager.ts';
import { UserGateway } from '../pv/user-gateway.ts';
import { createTestPki, type TestPki } from '../../test/support/openssl-pki.ts';
import { monitorNames } from './monitor.ts';
import { nodeTransport } from './node-transport.ts';
import { fetchBundle } from './peer.ts';
import { PvClient } from './pv-client.ts';

const policy: Policy = { epochLengthMs: 1000, verifiers: [{ id: 'd', kind: 'dummy-pass', property: 'ok' }], formula: 'ok' };
const NAME = 'org.example.fec';
const V1 = hash(utf8('fec v1'));
const EVIL = hash(utf8('someone else'));

interface Pv {
  id: string;
  db: PvDatabase;
  trees: TreeManager;
  gateway: UserGateway;
  key: StrKey;
  client: PvClient;
}

let pki: TestPki;
const pvs: Pv[] = [];

beforeAll(async () => {
  pki = createTestPki();
  const server = pki.issue('pv');
  for (const id of ['PV1', 'PV2', 'PV3']) {
    const dir = join(pki.dir, id);
    const db = openPvDatabase(dir);
    const key = loadOrCreateStrKey(join(dir, 'str.key'));
    const trees = new TreeManager(db, id, key, policyHash(policy));
    const events = new NodeEvents(id, () => undefined);
    const gateway = new UserGateway(
      { pvId: id, db, trees, events, policy, policyHash: policyHash(policy), strPublicKey: key.publicKey, certificatePem: server.certPem },
      { cert: Buffer.from(server.certPem), key: Buffer.from(server.keyPem), ca: Buffer.from(pki.caPem) },
    );
    const port = await gateway.listen(0, '127.0.0.1');
    pvs.push({ id, db, trees, gateway, key, client: new PvClient(`https://127.0.0.1:${port}`, nodeTransport({ ca: pki.caPem })) });
  }
  // PV1 and PV2 include the plugin from epoch 1; PV3 never does.
  for (const pv of pvs) {
    pv.trees.publishEpoch(1000);
    if (pv.id !== 'PV3') pv.trees.queueChange(NAME, V1, 's1', 1500);
    pv.trees.publishEpoch(2000);
  }
});

afterAll(async () => {
  for (const pv of pvs) {
    await pv.gateway.close();
    pv.db.close();
  }
  rmSync(pki.dir, { recursive: true, force: true });
});

describe('client against PV gateways', () => {
  it('builds a minimal bundle a peer accepts, and refuses an unsatisfiable one', async () => {
    const sources = pvs.map((p) => ({ pvId: p.id, client: p.client }));
    const { bundle, skipped } = await fetchBundle(NAME, V1, sources, 'PV1 & (PV2 | PV3)');
    expect(bundle.entries.map((e) => e.pvId)).toEqual(['PV1', 'PV2']);
    expect(skipped.map((s) => s.pvId)).toEqual(['PV3']);
    const keys = pinnedKeys(new Map(pvs.map((p) => [p.id, p.key.publicKey])));
    expect(checkBundle(bundle, { formula: 'PV1 & (PV2 | PV3)', resolveKey: keys, bindingHash: V1, nowMs: 3000, maxAgeMs: 60_000 }).accepted).toBe(true);
    await expect(fetchBundle(NAME, V1, sources, 'PV1 & PV3')).rejects.toThrow(/cannot satisfy/);
  });

  it('serves errors in one shape', async () => {
    await expect(pvs[0]!.client.proof('Not A Name')).rejects.toMatchObject({ code: 'bad-name', status: 400 });
    await expect(pvs[0]!.client.str(99)).rejects.toMatchObject({ code: 'unknown-epoch', status: 404 });
  });

  it('monitors names: quiet when all is expected, alerts on an injected binding and a version jump', async () => {
    const targets = pvs.map((p) => ({ client: p.client, strPublicKey: p.key.publicKey }));
    const expected = new Map([[NAME, [V1]]]);
    const first = await monitorNames(targets, expected);
    expect(first.alerts).toEqual([]);
    expect(first.observations.filter((o) => o.pvId === 'PV1').map((o) => o.state)).toEqual(['absent', 'expected']);
    expect(first.observations.filter((o) => o.pvId === 'PV3').every((o) => o.state === 'absent')).toBe(true);

    // Behind the developer's back: PV2 binds another plugin to the name, then restores it.
    const pv2 = pvs[1]!;
    pv2.trees.queueChange(NAME, EVIL, 'x', 2500);
    pv2.trees.publishEpoch(3000);
    const second = await monitorNames(targets, expected, { states: first.states });
    expect(second.alerts).toEqual([expect.objectContaining({ pvId: 'PV2', code: 'unexpected-binding', epoch: 2, name: NAME })]);

    // The binding is restored; a developer who skipped epoch 2 and only knew version 1
    // still sees that something was bound in between.
    pv2.trees.queueChange(NAME, V1, 'y', 3500);
    pv2.trees.publishEpoch(4000);
    const skipped = await monitorNames([targets[1]!], expected, { states: { PV2: { versions: { [NAME]: 1 } } }, fromEpoch: 3 });
    expect(skipped.alerts).toEqual([expect.objectContaining({ pvId: 'PV2', code: 'version-jump', epoch: 3 })]);
    // Resuming from the second run's state sees only the restored binding: no alert.
    expect((await monitorNames(targets, expected, { states: second.states })).alerts).toEqual([]);
  });

  it('reports a PV whose chain breaks', async () => {
    const targets = [{ client: pvs[0]!.client, strPublicKey: pvs[1]!.key.publicKey }];
    const result = await monitorNames(targets, new Map([[NAME, [V1]]]));
    expect(result.alerts.some((a) => a.code === 'chain-break')).toBe(true);
  });
});
