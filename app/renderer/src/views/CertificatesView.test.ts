import { flushSync, mount, unmount } from 'svelte';
import { afterEach, describe, expect, it } from 'vitest';
import { createRootCertificate } from '../../../../certs/issue.ts';
import { generateRsaKeyPair } from '../../../../certs/keys.ts';
import type { IssuedCertificate } from '../lib/api-types.ts';
import { fakeDaemon, settle } from '../lib/testing/fake-daemon.ts';
import CertificatesView from './CertificatesView.svelte';

const ROOT_PEM = createRootCertificate(generateRsaKeyPair(2048), { commonName: 'SPMS Lab Root CA' });
const DAY = 86_400_000;
const now = Date.now();

function record(serial: string, role: string, name: string, extra: Partial<IssuedCertificate> = {}): IssuedCertificate {
  return { serial, role, name, issuedMs: now - DAY, notAfterMs: now + 365 * DAY, fingerprint: 'f'.repeat(64), dnsNames: [], ipAddresses: [], status: 'valid', ...extra };
}

let certs: IssuedCertificate[];
let calls: URL[];
let component: ReturnType<typeof mount> | undefined;
let root: HTMLElement;

async function open(): Promise<void> {
  certs = [
    record('0a1b', 'pr', 'PR'),
    record('2c3d', 'pv', 'PV1'),
    record('4e5f', 'developer', 'lab', { namespaces: ['org.example'] }),
    record('6071', 'developer', 'old', { status: 'revoked', revoked: { revokedMs: now, reason: 'superseded' } }),
  ];
  calls = fakeDaemon({
    '/api/lab': () => ({ labDeveloper: { name: 'lab', namespaces: ['org.example'] } }),
    '/api/ca/root': () => ROOT_PEM,
    '/api/ca/certificates': (url) => {
      const m = /^\/api\/ca\/certificates\/([0-9a-f]+)\/revoke$/.exec(url.pathname);
      if (m === null) return { certificates: certs };
      const c = certs.find((x) => x.serial === m[1])!;
      c.status = 'revoked';
      c.revoked = { revokedMs: Date.now(), reason: 'unspecified' };
      return { certificate: c };
    },
    '/api/ca/developers': () => {
      const c = record('8899', 'developer', 'alice', { namespaces: ['com.alice'] });
      certs.push(c);
      return { certificate: c, certPem: '-----BEGIN CERTIFICATE-----\nCERT\n-----END CERTIFICATE-----\n', keyPem: '-----BEGIN PRIVATE KEY-----\nSECRET\n-----END PRIVATE KEY-----\n' };
    },
  });
  root = document.createElement('div');
  document.body.replaceChildren(root);
  component = mount(CertificatesView, { target: root });
  await settle();
  flushSync();
}

const q = (testid: string): HTMLElement | null => root.querySelector(`[data-testid="${testid}"]`);
const button = (text: string): HTMLButtonElement | undefined => [...root.querySelectorAll('button')].find((b) => b.textContent?.trim() === text);

function type(label: string, text: string): void {
  const l = [...root.querySelectorAll('label')].find((x) => x.firstChild?.textContent?.trim() === label)!;
  const el = l.querySelector('input')!;
  el.value = text;
  el.dispatchEvent(new Event('input', { bubbles: true }));
  flushSync();
}

afterEach(() => {
  if (component !== undefined) unmount(component);
  component = undefined;
});

describe('CertificatesView', () => {
  it('shows the root CA and every certificate with its status, valid first', async () => {
    await open();
    expect(q('root-subject')!.textContent).toContain('CN=SPMS Lab Root CA');
    const link = [...root.querySelectorAll('a')].find((a) => a.textContent === 'Download root certificate')!;
    expect(link.getAttribute('href')).toBe('/api/ca/root');
    const rows = [...root.querySelectorAll('tr[data-testid^="cert-"]')] as HTMLElement[];
    expect(rows.map((r) => [r.dataset.testid, r.dataset.status])).toEqual([
      ['cert-0a1b', 'valid'],
      ['cert-2c3d', 'valid'],
      ['cert-4e5f', 'valid'],
      ['cert-6071', 'revoked'],
    ]);
    expect(q('cert-4e5f')!.textContent).toContain('lab developer');
    expect(q('cert-4e5f')!.querySelector('a[download]')!.getAttribute('href')).toBe('/api/ca/certificates/4e5f');
    expect(q('cert-6071')!.querySelector('button')).toBeNull();
  });

  it('revokes after a confirm step that asks for the reason and warns what breaks', async () => {
    await open();
    (q('cert-2c3d')!.querySelector('button') as HTMLButtonElement).click();
    flushSync();
    expect(root.textContent).toContain('bundles that rely on PV1 are refused');
    const select = root.querySelector('select[id="revoke-reason-2c3d"]') as HTMLSelectElement;
    select.value = 'keyCompromise';
    select.dispatchEvent(new Event('change', { bubbles: true }));
    button('Cancel')!.click();
    flushSync();
    expect(root.querySelector('select[id="revoke-reason-2c3d"]')).toBeNull();
    expect(calls.some((u) => u.pathname.endsWith('/revoke'))).toBe(false);
    (q('cert-2c3d')!.querySelector('button') as HTMLButtonElement).click();
    flushSync();
    button('Confirm revocation')!.click();
    await settle();
    flushSync();
    expect(calls.some((u) => u.pathname === '/api/ca/certificates/2c3d/revoke')).toBe(true);
    expect(q('cert-2c3d')!.dataset.status).toBe('revoked');
  });

  it('issues a developer certificate and shows its key once', async () => {
    await open();
    type('Developer name', 'lab');
    expect(root.textContent).toContain('already has a valid developer certificate');
    type('Developer name', 'alice');
    type('Namespaces', 'com.alice, Not..Valid');
    expect(root.textContent).toContain('not a namespace: Not..Valid');
    type('Namespaces', 'com.alice');
    button('Issue certificate')!.click();
    await settle();
    flushSync();
    const secret = q('issued-certificate')!;
    expect(secret.textContent).toContain('The private key is shown only once.');
    expect(q('issued-key-pem')!.textContent).toContain('SECRET');
    expect(q('cert-8899')!.dataset.status).toBe('valid');
    button('Done, the key is saved elsewhere')!.click();
    flushSync();
    expect(q('issued-certificate')).toBeNull();
    expect(root.textContent).not.toContain('SECRET');
  });
});
