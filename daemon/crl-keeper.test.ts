// The daemon keeps the lab's CRL current: a lab created with a chosen CRL
// lifetime keeps it, and a CRL near its end is re-signed when the daemon
// starts and before a deploy (which then brings real nodes up with it).
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCrl } from '../certs/crl.ts';
import { LabCa } from '../certs/lab-ca.ts';
import { Lab } from './lab.ts';

const DAY = 86_400_000;
const topology = {
  pr: { id: 'PR' },
  pvs: [{ id: 'PV1', verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'accepted' }], formula: 'accepted', epochLengthMs: 1000 }],
};

function crlDays(file: string): { sinceSigned: number; left: number; number: number } {
  const crl = parseCrl(readFileSync(file, 'utf8'));
  return { sinceSigned: (Date.now() - crl.thisUpdate.getTime()) / DAY, left: ((crl.nextUpdate?.getTime() ?? 0) - Date.now()) / DAY, number: crl.crlNumber ?? 0 };
}

function opensslAccepts(ca: LabCa): boolean {
  const r = spawnSync('openssl', ['crl', '-in', ca.paths.crl, '-noout', '-CAfile', ca.paths.cert], { encoding: 'utf8' });
  return `${r.stdout}${r.stderr}`.includes('verify OK');
}

let dir: string;
let lab: Lab | undefined;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'spms-crl-keeper-'));
});

afterAll(async () => {
  await lab?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('the daemon and the CRL', { timeout: 60_000 }, () => {
  it('creates the lab CA with the chosen CRL lifetime', async () => {
    lab = await Lab.open(dir, { caKeyBits: 2048, crlValidityDays: 3 });
    expect(lab.ca.crlValidityDays).toBe(3);
    expect(crlDays(lab.ca.paths.crl).left).toBeGreaterThan(2.99);
    // A fresh CRL is left alone.
    expect(lab.hub.since(0).filter((e) => e.type === 'crl-renewed')).toEqual([]);
    await lab.close();
  });

  it('re-signs a CRL with less than a third of its lifetime left when it starts', async () => {
    LabCa.open(join(dir, 'ca')).writeCrl(Date.now() - 2.1 * DAY);
    const before = crlDays(join(dir, 'ca', 'crl.pem'));
    expect(before.left).toBeLessThan(1);
    // The lifetime is the CA's own: a daemon started with another one keeps it.
    lab = await Lab.open(dir, { caKeyBits: 2048, crlValidityDays: 50 });
    const after = crlDays(lab.ca.paths.crl);
    expect(after.number).toBe(before.number + 1);
    expect(after.sinceSigned).toBeLessThan(0.01);
    expect(after.left).toBeGreaterThan(2.99);
    expect(after.left).toBeLessThan(3);
    expect(opensslAccepts(lab.ca)).toBe(true);
    const renewed = lab.hub.since(0).filter((e) => e.type === 'crl-renewed');
    expect(renewed.map((e) => [e.node, e.payload.crlNumber, e.payload.validityDays])).toEqual([['daemon', after.number, 3]]);
  });

  it('re-signs it before a deploy, and the nodes come up with it', async () => {
    if (lab === undefined) throw new Error('no lab');
    await lab.setTopology(topology);
    // Expired already: every node would refuse every peer with it.
    lab.ca.writeCrl(Date.now() - 4 * DAY);
    expect(crlDays(lab.ca.paths.crl).left).toBeLessThan(0);
    const task = await lab.tasks.finished(lab.deploy().id);
    expect(task?.error).toBeUndefined();
    expect(task?.status).toBe('succeeded');
    expect(task?.logTail.some((l) => /CRL renewed, valid until \d{4}-/.test(l))).toBe(true);
    expect(crlDays(lab.ca.paths.crl).left).toBeGreaterThan(2.99);
    expect(lab.status().nodes.map((n) => [n.id, n.health])).toEqual([
      ['PR', 'healthy'],
      ['PV1', 'healthy'],
    ]);
    // The PR takes the PV's STRs only from a client certificate it checked against the CRL.
    const hub = lab.hub;
    await new Promise<void>((resolve) => {
      const off = hub.subscribe((e) => {
        if (e.node !== 'PV1' || e.type !== 'str-pushed') return;
        off();
        resolve();
      });
    });
  });
});
