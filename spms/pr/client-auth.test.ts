import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { CertError } from '../../certs/cert-error.ts';
import { LabCa } from '../../certs/lab-ca.ts';
import { parseCertificate } from '../../certs/parse.ts';
import { ClientAuth } from './client-auth.ts';

let ca: LabCa;

const codeOf = (f: () => unknown): string | undefined => {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!(e instanceof CertError)) throw e;
    return e.code;
  }
};

beforeAll(() => {
  ca = LabCa.init(join(mkdtempSync(join(tmpdir(), 'spms-client-auth-')), 'ca'), { keyBits: 2048 });
});

afterEach(() => {
  vi.useRealTimers();
});

// A certificate is checked in full once per CRL; these are the checks that must still hold on every request after that.
describe('ClientAuth on a certificate it has already accepted', () => {
  it('refuses it once the CA revokes it', () => {
    const auth = new ClientAuth(ca.rootPem, ca.paths.crl);
    const cert = parseCertificate(ca.issue({ role: 'developer', name: 'dana', namespaces: ['org.dana'] }).certPem);
    expect(auth.verify(cert, ['developer'])).toBe(cert);
    expect(auth.verify(cert, ['developer'])).toBe(cert);
    ca.revoke(cert.serial, 'keyCompromise');
    expect(codeOf(() => auth.verify(cert, ['developer']))).toBe('cert-revoked');
    // The same bytes parsed again, as a new connection would: still refused.
    expect(codeOf(() => auth.verify(parseCertificate(cert.der), ['developer']))).toBe('cert-revoked');
  });

  it('refuses it for a role it does not have', () => {
    const auth = new ClientAuth(ca.rootPem, ca.paths.crl);
    const cert = parseCertificate(ca.issue({ role: 'developer', name: 'erin', namespaces: ['org.erin'] }).certPem);
    expect(auth.verify(cert, ['developer', 'pv'])).toBe(cert);
    expect(codeOf(() => auth.verify(cert, ['pv']))).toBe('cert-role');
    expect(auth.verify(cert, ['developer'])).toBe(cert);
  });

  it('refuses it once it has expired', () => {
    const auth = new ClientAuth(ca.rootPem, ca.paths.crl);
    const cert = parseCertificate(ca.issue({ role: 'developer', name: 'fay', namespaces: ['org.fay'], validityDays: 1 }).certPem);
    expect(auth.verify(cert, ['developer'])).toBe(cert);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(cert.notAfter.getTime() + 1000);
    expect(codeOf(() => auth.verify(cert, ['developer']))).toBe('cert-expired');
  });
});
