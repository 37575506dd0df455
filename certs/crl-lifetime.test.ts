// The CRL's lifetime: chosen when the CA is created or later, kept in the
// registry, and the CRL re-signed once less than a third of it is left. Every
// CRL is read back by our parser and by openssl.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertError } from './cert-error.ts';
import { parseCrl } from './crl.ts';
import { LabCa } from './lab-ca.ts';
import { verifyCertificate } from './verify.ts';

const DAY = 86_400_000;

function openssl(args: string[]): { status: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8' });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
}

/** The CRL's dates as openssl prints them, parsed. */
function opensslDates(file: string): { lastUpdate: number; nextUpdate: number } {
  const text = openssl(['crl', '-in', file, '-noout', '-text']).out;
  const date = (label: string): number => Date.parse(new RegExp(`${label}: (.+)`).exec(text)?.[1] ?? '');
  return { lastUpdate: date('Last Update'), nextUpdate: date('Next Update') };
}

function days(ms: number): number {
  return ms / DAY;
}

function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(CertError);
    return (e as CertError).code;
  }
  throw new Error('expected a CertError');
}

let root: string;
let ca: LabCa;

beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'spms-crl-life-'));
  ca = LabCa.init(join(root, 'ca'), { keyBits: 2048, crlValidityDays: 7 });
});

describe('CRL lifetime', () => {
  it('is chosen at init, kept in the registry and used for the first CRL', () => {
    expect(JSON.parse(readFileSync(ca.paths.registry, 'utf8')).crlValidityDays).toBe(7);
    expect(LabCa.open(ca.dir).crlValidityDays).toBe(7);
    const crl = parseCrl(ca.crlPem());
    expect(days((crl.nextUpdate?.getTime() ?? 0) - crl.thisUpdate.getTime())).toBe(7);
    const seen = opensslDates(ca.paths.crl);
    // openssl prints whole seconds.
    expect(Math.round(days(seen.nextUpdate - seen.lastUpdate))).toBe(7);
    expect(openssl(['crl', '-in', ca.paths.crl, '-noout', '-CAfile', ca.paths.cert]).out).toContain('verify OK');
  });

  it('defaults to 90 days, also for a registry written before it could be chosen', () => {
    const plain = LabCa.init(join(root, 'plain'), { keyBits: 2048 });
    expect(plain.crlValidityDays).toBe(90);
    const state = plain.crlState();
    expect(days(state.nextUpdateMs - state.thisUpdateMs)).toBe(90);
    const reg = JSON.parse(readFileSync(plain.paths.registry, 'utf8')) as Record<string, unknown>;
    delete reg.crlValidityDays;
    writeFileSync(plain.paths.registry, JSON.stringify(reg));
    expect(plain.crlValidityDays).toBe(90);
    plain.writeCrl();
    expect(days(plain.crlState().nextUpdateMs - plain.crlState().thisUpdateMs)).toBe(90);
  });

  it('refuses a lifetime that is not 1 to 3650 whole days, and changes nothing', () => {
    for (const bad of [0, -1, 1.5, 3651, Number.NaN]) {
      expect(codeOf(() => LabCa.init(join(root, `bad-${String(bad)}`), { keyBits: 2048, crlValidityDays: bad }))).toBe('issue-invalid');
    }
    const before = ca.crlPem();
    expect(codeOf(() => ca.setCrlValidityDays(0))).toBe('issue-invalid');
    expect(() => ca.setCrlValidityDays(4000)).toThrow(/from 1 to 3650/);
    expect(ca.crlPem()).toBe(before);
    expect(ca.crlValidityDays).toBe(7);
  });

  it('is kept until less than a third of it is left, then the CRL is re-signed with fresh dates', () => {
    // CRL dates are whole seconds.
    const now = Math.floor(Date.now() / 1000) * 1000;
    ca.writeCrl(now);
    const first = ca.crlState();
    expect(first.renewAfterMs).toBe(now + 7 * DAY - (7 * DAY) / 3);
    expect(ca.refreshCrl(now + DAY)).toBeUndefined();
    expect(ca.refreshCrl(first.renewAfterMs - 1)).toBeUndefined();
    expect(ca.crlState()).toEqual(first);
    const at = first.renewAfterMs + 1;
    const renewed = ca.refreshCrl(at);
    expect(renewed).toMatchObject({ crlNumber: first.crlNumber + 1, thisUpdateMs: Math.floor(at / 1000) * 1000, validityDays: 7 });
    const crl = parseCrl(ca.crlPem());
    expect(crl.crlNumber).toBe(first.crlNumber + 1);
    expect(crl.nextUpdate?.getTime()).toBe(Math.floor((at + 7 * DAY) / 1000) * 1000);
    expect(opensslDates(ca.paths.crl).nextUpdate).toBe(crl.nextUpdate?.getTime());
    expect(openssl(['crl', '-in', ca.paths.crl, '-noout', '-CAfile', ca.paths.cert]).out).toContain('verify OK');
  });

  it('replaces an expired CRL that openssl and the verifier refuse with one they accept', () => {
    const holder = ca.issue({ role: 'daemon', name: 'holder' });
    ca.writeCrl(Date.now() - 8 * DAY);
    expect(openssl(['verify', '-crl_check', '-CAfile', ca.paths.cert, '-CRLfile', ca.paths.crl, holder.certFile]).out).toContain('CRL has expired');
    expect(codeOf(() => verifyCertificate(holder.certPem, { root: ca.rootPem, crl: ca.crlPem() }))).toBe('crl-expired');
    const renewed = ca.refreshCrl();
    expect(renewed).toBeDefined();
    expect(days((renewed?.nextUpdateMs ?? 0) - Date.now())).toBeGreaterThan(6.99);
    expect(openssl(['verify', '-crl_check', '-CAfile', ca.paths.cert, '-CRLfile', ca.paths.crl, holder.certFile]).out).toContain(': OK');
    expect(verifyCertificate(holder.certPem, { root: ca.rootPem, crl: ca.crlPem() }).commonName).toBe('holder');
  });

  it('re-signs a CRL that is missing or damaged, keeping the revocations', () => {
    const revoked = ca.issue({ role: 'daemon', name: 'revoked' });
    ca.revoke(revoked.record.serial, 'keyCompromise');
    writeFileSync(ca.paths.crl, 'garbage');
    expect(codeOf(() => ca.crlState())).toBe('crl-malformed');
    expect(ca.refreshCrl()).toBeDefined();
    expect(parseCrl(ca.crlPem()).revoked.get(revoked.record.serial)?.reason).toBe('keyCompromise');
    expect(openssl(['crl', '-in', ca.paths.crl, '-noout', '-text']).out).toContain(revoked.record.serial.toUpperCase());
  });

  it('can be changed later: kept, used at once, and a shorter one brings the next renewal forward', () => {
    const now = Date.now();
    ca.setCrlValidityDays(30);
    expect(LabCa.open(ca.dir).crlValidityDays).toBe(30);
    const state = ca.crlState();
    expect(Math.round(days(state.nextUpdateMs - state.thisUpdateMs))).toBe(30);
    expect(Math.round(days(opensslDates(ca.paths.crl).nextUpdate - now))).toBe(30);
    // The registry now says 3 days while the CRL on disk still runs 30: it is due after 2 days, not 20.
    const reg = JSON.parse(readFileSync(ca.paths.registry, 'utf8')) as Record<string, unknown>;
    writeFileSync(ca.paths.registry, JSON.stringify({ ...reg, crlValidityDays: 3 }));
    expect(ca.crlState().renewAfterMs).toBe(state.thisUpdateMs + 2 * DAY);
    expect(ca.refreshCrl(state.thisUpdateMs + 2 * DAY + 1)?.validityDays).toBe(3);
  });
});
