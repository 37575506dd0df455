import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { CertError } from './cert-error.ts';
import { LabCa } from './lab-ca.ts';
import { parseCertificate } from './parse.ts';
import { verifyCertificate, verifyPvCertificate } from './verify.ts';

function openssl(args: string[], input?: string): { status: number; out: string } {
  const r = spawnSync('openssl', args, { encoding: 'utf8', ...(input === undefined ? {} : { input }) });
  return { status: r.status ?? -1, out: `${r.stdout}${r.stderr}` };
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

const strKey = Uint8Array.from({ length: 32 }, (_, i) => i + 1);
let dir: string;
let ca: LabCa;

beforeAll(() => {
  dir = join(mkdtempSync(join(tmpdir(), 'spms-ca-')), 'lab');
  ca = LabCa.init(dir, { passphrase: 'correct horse', commonName: 'Test Lab Root' });
});

describe('root CA', () => {
  it('is an RSA-3072, SHA-256, 10-year CA with certSign/cRLSign and pathLen 0, as openssl reads it', () => {
    const text = openssl(['x509', '-in', ca.paths.cert, '-noout', '-text']).out;
    expect(text).toContain('Public-Key: (3072 bit)');
    expect(text).toContain('Signature Algorithm: sha256WithRSAEncryption');
    expect(text).toMatch(/CA:TRUE, pathlen:0/);
    expect(text).toMatch(/Certificate Sign, CRL Sign/);
    const root = parseCertificate(ca.rootPem);
    const years = (root.notAfter.getTime() - root.notBefore.getTime()) / (365.25 * 86_400_000);
    expect(years).toBeGreaterThan(9.9);
    expect(years).toBeLessThan(10.1);
  });

  it('keeps its key 0600 and encrypted with the passphrase (PKCS#8)', () => {
    expect(statSync(ca.paths.key).mode & 0o777).toBe(0o600);
    expect(readFileSync(ca.paths.key, 'utf8')).toContain('BEGIN ENCRYPTED PRIVATE KEY');
    expect(openssl(['pkey', '-in', ca.paths.key, '-passin', 'pass:correct horse', '-noout']).status).toBe(0);
    expect(openssl(['pkey', '-in', ca.paths.key, '-passin', 'pass:wrong', '-noout']).status).not.toBe(0);
  });

  it('refuses to sign without the passphrase or with a wrong one, and writes nothing', () => {
    const before = readFileSync(ca.paths.registry, 'utf8');
    expect(codeOf(() => LabCa.open(dir).issue({ role: 'daemon', name: 'nopass' }))).toBe('ca-passphrase');
    expect(codeOf(() => LabCa.open(dir, { passphrase: 'nope' }).issue({ role: 'daemon', name: 'nopass' }))).toBe('ca-passphrase');
    expect(readFileSync(ca.paths.registry, 'utf8')).toBe(before);
  });

  it('is never overwritten', () => {
    const before = readFileSync(ca.paths.cert, 'utf8');
    expect(codeOf(() => LabCa.init(dir))).toBe('ca-exists');
    expect(readFileSync(ca.paths.cert, 'utf8')).toBe(before);
  });

  it('is a clear error where no CA exists', () => {
    expect(codeOf(() => LabCa.open(join(dir, 'nowhere')))).toBe('ca-missing');
  });
});

describe('leaf certificates', () => {
  it('PR server: server and client auth, SANs, accepted by openssl for both purposes', () => {
    const pr = ca.issue({ role: 'pr', name: 'pr', dnsNames: ['localhost', 'pr.lab'], ipAddresses: ['127.0.0.1', '::1'] });
    expect(statSync(pr.keyFile).mode & 0o777).toBe(0o600);
    expect(openssl(['verify', '-purpose', 'sslserver', '-CAfile', ca.paths.cert, pr.certFile]).out).toContain(': OK');
    const text = openssl(['x509', '-in', pr.certFile, '-noout', '-text']).out;
    expect(text).toContain('DNS:localhost, DNS:pr.lab, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1');
    const c = verifyCertificate(pr.certPem, { root: ca.rootPem, crl: ca.crlPem(), roles: ['pr'] });
    expect(c).toMatchObject({ commonName: 'pr', role: 'pr', serverAuth: true, clientAuth: true, dnsNames: ['localhost', 'pr.lab'], ipAddresses: ['127.0.0.1', '::1'] });
    // The key file matches the certificate.
    const certMod = openssl(['x509', '-in', pr.certFile, '-noout', '-modulus']).out;
    const keyMod = openssl(['rsa', '-in', pr.keyFile, '-noout', '-modulus']).out;
    expect(certMod).toBe(keyMod);
  });

  it('PV: server + client auth and its STR key in the non-critical 2.25 extension', () => {
    const pv = ca.issue({ role: 'pv', name: 'PV1', strPublicKey: strKey });
    expect(openssl(['verify', '-purpose', 'sslserver', '-CAfile', ca.paths.cert, pv.certFile]).out).toContain(': OK');
    expect(openssl(['verify', '-purpose', 'sslclient', '-CAfile', ca.paths.cert, pv.certFile]).out).toContain(': OK');
    const text = openssl(['x509', '-in', pv.certFile, '-noout', '-text']).out;
    expect(text).toContain('2.25.32752062685367281790528363211042793977.1: \n');
    expect(text).not.toMatch(/2\.25\.\d+\.1: critical/);
    expect(text).toContain('DNS:localhost, IP Address:127.0.0.1');
    const v = verifyPvCertificate(pv.certPem, { root: ca.rootPem, crl: ca.crlPem() });
    expect(v.pvId).toBe('PV1');
    expect(v.strPublicKey).toEqual(strKey);
    // The extension holds exactly DER OCTET STRING(32 bytes) — what openssl dumps.
    const der = execFileSync('openssl', ['x509', '-in', pv.certFile, '-outform', 'DER']);
    const hexDer = der.toString('hex');
    expect(hexDer).toContain(`04220420${Buffer.from(strKey).toString('hex')}`);
  });

  it('developer: client auth only, its namespaces in the second extension', () => {
    const dev = ca.issue({ role: 'developer', name: 'alice', namespaces: ['org.example', 'be.uclouvain'] });
    expect(openssl(['verify', '-purpose', 'sslclient', '-CAfile', ca.paths.cert, dev.certFile]).out).toContain(': OK');
    expect(openssl(['verify', '-purpose', 'sslserver', '-CAfile', ca.paths.cert, dev.certFile]).status).not.toBe(0);
    const c = verifyCertificate(dev.certPem, { root: ca.rootPem, roles: ['developer'] });
    expect(c.namespaces).toEqual(['org.example', 'be.uclouvain']);
    expect(c.serverAuth).toBe(false);
    expect(openssl(['x509', '-in', dev.certFile, '-noout', '-text']).out).toContain('2.25.32752062685367281790528363211042793977.2');
  });

  it('daemon: client auth', () => {
    const d = ca.issue({ role: 'daemon', name: 'daemon' });
    expect(openssl(['verify', '-purpose', 'sslclient', '-CAfile', ca.paths.cert, d.certFile]).out).toContain(': OK');
    expect(verifyCertificate(d.certPem, { root: ca.rootPem, roles: ['daemon'] }).role).toBe('daemon');
  });

  it('refuses malformed requests with a clear error and records nothing', () => {
    const before = ca.list().length;
    expect(codeOf(() => ca.issue({ role: 'pv', name: 'PVx' }))).toBe('issue-invalid');
    expect(codeOf(() => ca.issue({ role: 'pv', name: 'PVx', strPublicKey: new Uint8Array(31) }))).toBe('issue-invalid');
    expect(codeOf(() => ca.issue({ role: 'developer', name: 'bob' }))).toBe('issue-invalid');
    expect(codeOf(() => ca.issue({ role: 'developer', name: 'bob', namespaces: ['Org.Example'] }))).toBe('issue-invalid');
    expect(codeOf(() => ca.issue({ role: 'developer', name: 'bob', namespaces: ['org'], ipAddresses: ['127.0.0.1'] }))).toBe('issue-invalid');
    expect(codeOf(() => ca.issue({ role: 'daemon', name: '../etc' }))).toBe('issue-invalid');
    expect(codeOf(() => ca.issue({ role: 'pr', name: 'pr2', ipAddresses: ['300.1.1.1'] }))).toBe('issue-invalid');
    expect(codeOf(() => ca.issue({ role: 'pr', name: 'pr' }))).toBe('issue-invalid'); // already holds one
    expect(ca.list().length).toBe(before);
  });
});

describe('revocation and rotation', () => {
  it('a revoked certificate is listed in the CRL and refused by openssl and by verify', () => {
    const bob = ca.issue({ role: 'developer', name: 'bob', namespaces: ['net.bob'] });
    const carol = ca.issue({ role: 'developer', name: 'carol', namespaces: ['net.carol'] });
    ca.revoke('developer/bob', 'keyCompromise');
    const crlText = openssl(['crl', '-in', ca.paths.crl, '-noout', '-text']).out;
    expect(crlText).toContain(bob.record.serial.toUpperCase());
    expect(crlText).toContain('Key Compromise');
    expect(openssl(['crl', '-in', ca.paths.crl, '-noout', '-CAfile', ca.paths.cert]).out).toContain('verify OK');
    const r = openssl(['verify', '-crl_check', '-CAfile', ca.paths.cert, '-CRLfile', ca.paths.crl, bob.certFile]);
    expect(r.status).not.toBe(0);
    expect(r.out).toContain('certificate revoked');
    expect(openssl(['verify', '-crl_check', '-CAfile', ca.paths.cert, '-CRLfile', ca.paths.crl, carol.certFile]).out).toContain(': OK');
    expect(codeOf(() => verifyCertificate(bob.certPem, { root: ca.rootPem, crl: ca.crlPem() }))).toBe('cert-revoked');
    expect(verifyCertificate(carol.certPem, { root: ca.rootPem, crl: ca.crlPem() }).commonName).toBe('carol');
    expect(codeOf(() => ca.revoke(bob.record.serial))).toBe('issue-invalid');
    expect(codeOf(() => ca.revoke('developer/nobody'))).toBe('not-found');
  });

  it('rotation keeps the identity (name, role, STR key, namespaces, SANs) with a new key and serial', () => {
    const old = ca.current('pv', 'PV1')!;
    const oldPem = readFileSync(ca.holderFiles('pv', 'PV1').certFile, 'utf8');
    const rotated = ca.rotate('pv', 'PV1', { revokeOld: true });
    expect(rotated.record.serial).not.toBe(old.serial);
    expect(rotated.record.supersedes).toBe(old.serial);
    const v = verifyPvCertificate(rotated.certPem, { root: ca.rootPem, crl: ca.crlPem() });
    expect(v.pvId).toBe('PV1');
    expect(v.strPublicKey).toEqual(strKey);
    expect(v.certificate.dnsNames).toEqual(['localhost']);
    expect(parseCertificate(oldPem).forge.publicKey).not.toEqual(v.certificate.forge.publicKey);
    expect(codeOf(() => verifyCertificate(oldPem, { root: ca.rootPem, crl: ca.crlPem() }))).toBe('cert-revoked');
    expect(ca.current('pv', 'PV1')!.serial).toBe(rotated.record.serial);
  });
});

describe('verification failures', () => {
  it('refuses a certificate from another CA, also one openssl made', () => {
    const other = LabCa.init(join(dir, '..', 'other'), { keyBits: 2048 });
    const foreign = other.issue({ role: 'pv', name: 'PV1', strPublicKey: strKey });
    expect(codeOf(() => verifyPvCertificate(foreign.certPem, { root: ca.rootPem }))).toBe('cert-untrusted');
    expect(openssl(['verify', '-CAfile', ca.paths.cert, foreign.certFile]).status).not.toBe(0);
    // A CRL signed by the other CA is not ours.
    const mine = ca.issue({ role: 'daemon', name: 'crl-check' });
    expect(codeOf(() => verifyCertificate(mine.certPem, { root: ca.rootPem, crl: other.crlPem() }))).toBe('crl-signature');
  });

  it('refuses expired and not-yet-valid certificates, and an expired CRL', () => {
    const past = ca.issue({ role: 'daemon', name: 'old', nowMs: Date.now() - 10 * 86_400_000, validityDays: 1 });
    expect(codeOf(() => verifyCertificate(past.certPem, { root: ca.rootPem }))).toBe('cert-expired');
    expect(openssl(['verify', '-CAfile', ca.paths.cert, past.certFile]).out).toContain('certificate has expired');
    const future = ca.issue({ role: 'daemon', name: 'future', nowMs: Date.now() + 10 * 86_400_000 });
    expect(codeOf(() => verifyCertificate(future.certPem, { root: ca.rootPem }))).toBe('cert-not-yet-valid');
    const ok = ca.current('daemon', 'daemon')!;
    const pem = readFileSync(ca.holderFiles('daemon', 'daemon').certFile, 'utf8');
    expect(ok).toBeDefined();
    expect(codeOf(() => verifyCertificate(pem, { root: ca.rootPem, crl: ca.crlPem(), nowMs: Date.now() + 200 * 86_400_000 }))).toBe('crl-expired');
  });

  it('refuses a wrong role, a tampered certificate and garbage', () => {
    const pem = readFileSync(ca.holderFiles('daemon', 'daemon').certFile, 'utf8');
    expect(codeOf(() => verifyPvCertificate(pem, { root: ca.rootPem }))).toBe('cert-role');
    const der = Buffer.from(execFileSync('openssl', ['x509', '-in', ca.holderFiles('developer', 'alice').certFile, '-outform', 'DER']));
    // Change one byte of the namespaces ("org.example" -> "org.exbmple"): still parses, no longer signed.
    const at = der.indexOf(Buffer.from('org.example'));
    expect(at).toBeGreaterThan(0);
    der[at + 6] = 'b'.charCodeAt(0);
    const tampered = parseCertificate(new Uint8Array(der));
    expect(tampered.namespaces).toEqual(['org.exbmple', 'be.uclouvain']);
    expect(codeOf(() => verifyCertificate(tampered, { root: ca.rootPem }))).toBe('cert-signature');
    expect(codeOf(() => verifyCertificate('not a certificate', { root: ca.rootPem }))).toBe('cert-malformed');
    expect(codeOf(() => verifyCertificate(new Uint8Array([0x30, 0x82, 0xff]), { root: ca.rootPem }))).toBe('cert-malformed');
    expect(codeOf(() => verifyCertificate(pem, { root: ca.rootPem, crl: 'garbage' }))).toBe('crl-malformed');
    // A leaf is not a trust anchor.
    expect(codeOf(() => verifyCertificate(pem, { root: pem }))).toBe('cert-untrusted');
  });

  it('refuses a CA whose registry was damaged, naming the file', () => {
    const copy = LabCa.init(join(dir, '..', 'damaged'), { keyBits: 2048 });
    writeFileSync(copy.paths.registry, '{"version":1,"crlNumber":"x"}');
    expect(() => copy.list()).toThrow(/registry .* is invalid: crlNumber/);
  });
});
