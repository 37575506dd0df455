// `spms ca` and the CRL lifetime, as a user runs it (the command's entry point, in this process): chosen at init, changed
// with `ca crl --crl-days`, refused when out of range; each CRL read back by openssl.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { run } from './ca.ts';

const DAY = 86_400_000;

/** Runs `spms ca …` in this process, with what it prints. */
async function runCli(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = vi.spyOn(console, 'log').mockImplementation(() => undefined);
  const err = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const code = await run(args);
    const text = (spy: typeof out): string => spy.mock.calls.map((c) => `${c.map(String).join(' ')}\n`).join('');
    return { code, stdout: text(out), stderr: text(err) };
  } finally {
    out.mockRestore();
    err.mockRestore();
  }
}

/** The CRL's lifetime in days, as openssl reads it. */
function opensslLifetimeDays(file: string): number {
  const text = spawnSync('openssl', ['crl', '-in', file, '-noout', '-text'], { encoding: 'utf8' }).stdout;
  const date = (label: string): number => Date.parse(new RegExp(`${label}: (.+)`).exec(text)?.[1] ?? '');
  return (date('Next Update') - date('Last Update')) / DAY;
}

let lab: string;

beforeAll(async () => {
  lab = join(mkdtempSync(join(tmpdir(), 'spms-cli-ca-')), 'lab');
  const init = await runCli(['init', '--dir', lab, '--crl-days', '5']);
  expect(init.stderr).toBe('');
  expect(init.code).toBe(0);
  expect(JSON.parse(init.stdout)).toMatchObject({ crl: join(lab, 'ca', 'crl.pem'), crlValidityDays: 5 });
}, 60_000);

describe('spms ca and the CRL lifetime', { timeout: 30_000 }, () => {
  it('signs the first CRL with the lifetime chosen at init', () => {
    expect(opensslLifetimeDays(join(lab, 'ca', 'crl.pem'))).toBe(5);
    expect(JSON.parse(readFileSync(join(lab, 'ca', 'registry.json'), 'utf8')).crlValidityDays).toBe(5);
  });

  it('changes the lifetime with crl --crl-days, and keeps it for the next CRLs', async () => {
    const changed = await runCli(['crl', '--dir', lab, '--crl-days', '2']);
    expect(changed.code).toBe(0);
    const out = JSON.parse(changed.stdout) as { crlNumber: number; thisUpdate: string; nextUpdate: string; crlValidityDays: number };
    expect(out.crlValidityDays).toBe(2);
    expect((Date.parse(out.nextUpdate) - Date.parse(out.thisUpdate)) / DAY).toBe(2);
    expect(opensslLifetimeDays(join(lab, 'ca', 'crl.pem'))).toBe(2);
    const again = await runCli(['crl', '--dir', lab]);
    expect(JSON.parse(again.stdout)).toMatchObject({ crlNumber: out.crlNumber + 1, crlValidityDays: 2 });
    expect(opensslLifetimeDays(join(lab, 'ca', 'crl.pem'))).toBe(2);
  });

  it('refuses a lifetime out of range, one that is not a number, and one given to another action', async () => {
    const before = readFileSync(join(lab, 'ca', 'crl.pem'), 'utf8');
    const zero = await runCli(['crl', '--dir', lab, '--crl-days', '0']);
    expect([zero.code, zero.stderr.trim()]).toEqual([1, 'spms ca: the CRL lifetime must be a whole number of days from 1 to 3650, not 0']);
    const word = await runCli(['crl', '--dir', lab, '--crl-days', 'week']);
    expect([word.code, word.stderr.trim()]).toEqual([2, 'spms ca: --crl-days must be a non-negative integer']);
    const list = await runCli(['list', '--dir', lab, '--crl-days', '3']);
    expect(list.code).toBe(2);
    expect(list.stderr).toContain('--crl-days goes with init or crl');
    expect(readFileSync(join(lab, 'ca', 'crl.pem'), 'utf8')).toBe(before);
  });
});
