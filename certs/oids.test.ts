import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { OID_NAMESPACES, OID_ROLE, OID_STR_PUBLIC_KEY, SPMS_OID_ARC, oidContentBytes } from './oids.ts';

const here = dirname(fileURLToPath(import.meta.url));

describe('SPMS OIDs', () => {
  it('derive from the documented UUID', () => {
    expect(SPMS_OID_ARC).toBe(`2.25.${BigInt('0x18a3d15d15d944c7954885e085cf29f9').toString()}`);
    expect(readFileSync(join(here, '..', 'docs', 'oids.md'), 'utf8')).toContain(SPMS_OID_ARC);
  });

  it('encode exactly as openssl encodes them, arcs beyond 64 bits included', () => {
    const dir = mkdtempSync(join(tmpdir(), 'spms-oid-'));
    for (const oid of [OID_STR_PUBLIC_KEY, OID_NAMESPACES, OID_ROLE, '1.2.840.113549.1.1.11', '2.999.3']) {
      execFileSync('openssl', ['asn1parse', '-genstr', `OID:${oid}`, '-out', join(dir, 'oid.der'), '-noout']);
      const der = readFileSync(join(dir, 'oid.der'));
      expect(Buffer.from(oidContentBytes(oid)).toString('hex')).toBe(der.subarray(2).toString('hex'));
    }
  });

  it('refuses what is not an OID', () => {
    for (const bad of ['', '3.1', '1.40', '1.2.03', '2.25.x']) expect(() => oidContentBytes(bad)).toThrow(/object identifier|second arc/);
  });
});

describe('browser-safe verification', () => {
  it('verify.ts and everything it imports from this folder use no Node built-ins', () => {
    const seen = new Set<string>();
    const visit = (file: string): void => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = readFileSync(join(here, file), 'utf8');
      for (const m of text.matchAll(/^import[^'"]*['"]([^'"]+)['"]/gm)) {
        const spec = m[1]!;
        expect(spec.startsWith('node:'), `${file} imports ${spec}`).toBe(false);
        expect(['fs', 'crypto', 'path', 'net', 'os', 'buffer'].includes(spec), `${file} imports ${spec}`).toBe(false);
        if (spec.startsWith('./')) visit(spec.slice(2));
      }
      expect(text.includes('Buffer.'), `${file} uses Buffer`).toBe(false);
    };
    visit('verify.ts');
    expect([...seen].sort()).toEqual(['binary.ts', 'cert-error.ts', 'crl.ts', 'der.ts', 'extensions.ts', 'forge-extra.ts', 'oids.ts', 'parse.ts', 'verify.ts']);
  });
});
