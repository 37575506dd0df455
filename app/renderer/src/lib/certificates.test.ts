import { describe, expect, it } from 'vitest';
import type { IssuedCertificate } from './api-types.ts';
import { developerNameProblem, isValidNamespace, parseNamespaces, relativeTime, revocationImpact, sortCertificates } from './certificates.ts';

function cert(serial: string, role: string, name: string, status: IssuedCertificate['status'], issuedMs: number): IssuedCertificate {
  return { serial, role, name, status, issuedMs, notAfterMs: issuedMs + 1000, fingerprint: '', dnsNames: [], ipAddresses: [] };
}

describe('namespaces', () => {
  it('accepts reverse-DNS prefixes and says which are not', () => {
    expect(isValidNamespace('org.example')).toBe(true);
    expect(isValidNamespace('org')).toBe(true);
    expect(isValidNamespace('Org.Example')).toBe(false);
    expect(parseNamespaces('org.example, com.acme.sub  org.example bad..ns')).toEqual({ namespaces: ['org.example', 'com.acme.sub'], invalid: ['bad..ns'] });
  });

  it('checks developer names as the daemon does', () => {
    expect(developerNameProblem('alice@example')).toBeNull();
    expect(developerNameProblem('')).toContain('required');
    expect(developerNameProblem('a b')).toContain('letters');
    expect(developerNameProblem('x'.repeat(65))).not.toBeNull();
  });
});

describe('sortCertificates', () => {
  it('puts valid first, then PR, PVs, daemon, developers, names in numeric order, newest first', () => {
    const sorted = sortCertificates([
      cert('1', 'developer', 'bob', 'valid', 5),
      cert('2', 'pv', 'PV10', 'valid', 1),
      cert('3', 'pv', 'PV2', 'valid', 1),
      cert('4', 'pr', 'PR', 'revoked', 1),
      cert('5', 'pr', 'PR', 'valid', 2),
      cert('6', 'developer', 'bob', 'valid', 9),
      cert('7', 'daemon', 'daemon', 'expired', 1),
    ]);
    expect(sorted.map((c) => c.serial)).toEqual(['5', '3', '2', '6', '1', '7', '4']);
  });
});

describe('relativeTime', () => {
  it('says how far away a time is in its largest unit', () => {
    const now = 1_000_000_000_000;
    expect(relativeTime(now + 3 * 86_400_000 + 5, now)).toBe('in 3 days');
    expect(relativeTime(now + 86_400_000, now)).toBe('in 1 day');
    expect(relativeTime(now - 2 * 3_600_000, now)).toBe('2 h ago');
    expect(relativeTime(now + 400 * 86_400_000, now)).toBe('in 1 year');
    expect(relativeTime(now + 10_000, now)).toBe('in less than a minute');
  });
});

describe('revocationImpact', () => {
  it('warns when revoking takes part of the lab down', () => {
    expect(revocationImpact({ role: 'pr', name: 'PR' })).toContain('PR');
    expect(revocationImpact({ role: 'pv', name: 'PV2' })).toContain('PV2');
    expect(revocationImpact({ role: 'developer', name: 'lab' }, 'lab')).toContain('lab developer');
    expect(revocationImpact({ role: 'developer', name: 'alice' }, 'lab')).toBeNull();
  });
});
