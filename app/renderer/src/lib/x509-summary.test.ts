import { describe, expect, it } from 'vitest';
import { createRootCertificate } from '../../../../certs/issue.ts';
import { generateRsaKeyPair } from '../../../../certs/keys.ts';
import { parseCertificate } from '../../../../certs/parse.ts';
import { pemToDer, summarizeCertificate, X509Error } from './x509-summary.ts';

describe('summarizeCertificate', () => {
  const nowMs = Date.UTC(2026, 0, 2, 3, 4, 5);
  const pem = createRootCertificate(generateRsaKeyPair(2048), { commonName: 'SPMS Lab Root CA', validityDays: 3650, nowMs });

  it('reads what the CA library reads: subject, serial, validity, fingerprint', () => {
    const s = summarizeCertificate(pem);
    const ref = parseCertificate(pem);
    expect(s.subject).toContain('CN=SPMS Lab Root CA');
    expect(s.issuer).toBe(s.subject);
    expect(s.selfSigned).toBe(true);
    expect(s.serial).toBe(ref.serial);
    expect(s.fingerprint).toBe(ref.fingerprint);
    expect(s.notBeforeMs).toBe(Math.floor(ref.notBefore.getTime() / 1000) * 1000);
    expect(s.notAfterMs).toBe(Math.floor(ref.notAfter.getTime() / 1000) * 1000);
    expect(s.notAfterMs - s.notBeforeMs).toBeGreaterThanOrEqual(3649 * 86_400_000);
  });

  it('refuses what is not a certificate', () => {
    expect(() => summarizeCertificate('hello')).toThrow(X509Error);
    expect(() => summarizeCertificate('-----BEGIN CERTIFICATE-----\n!!!\n-----END CERTIFICATE-----')).toThrow(X509Error);
    expect(() => summarizeCertificate('-----BEGIN CERTIFICATE-----\nMAMCAQE=\n-----END CERTIFICATE-----')).toThrow(X509Error);
    const der = pemToDer(pem);
    const cut = btoa(String.fromCharCode(...der.subarray(0, 40)));
    expect(() => summarizeCertificate(`-----BEGIN CERTIFICATE-----\n${cut}\n-----END CERTIFICATE-----`)).toThrow(X509Error);
  });
});
