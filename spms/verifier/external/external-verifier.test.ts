import { describe, expect, it } from 'vitest';
import { resolveExternalOptions, runExternalVerifier, type ExternalInput } from './external-verifier.ts';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const input: ExternalInput = {
  name: 'org.example.ext',
  manifest: enc('org.example.ext\nupdate_rtt post pluglet.o\n'),
  pluglets: { 'pluglet.o': enc('not really an object') },
  sources: [
    { path: 'pluglet.c', data: enc('int f(void) { return 0; }\n') },
    { path: 'bad.c', data: enc('BROKEN\n') },
    { path: 'api.h', data: enc('') },
  ],
};

describe('external-command verifier', () => {
  it('passes on the expected exit code, once per source, with the plugin mounted read-only', async () => {
    const r = await runExternalVerifier('style', { per: 'source', command: ['sh', '-c', 'test -r "$0" && ! touch "$0.new" 2>/dev/null', '{source}'] }, input);
    expect(r).toMatchObject({ verdict: 'pass', property: 'style' });
    expect(r.log).toContain('pluglet.c');
    expect(r.log).not.toContain('api.h');
  });

  it('fails with a finding naming the file that failed', async () => {
    const r = await runExternalVerifier('style', { per: 'source', command: ['grep', '-q', 'return', '{source}'] }, input);
    expect(r.verdict).toBe('fail');
    expect(r.findings).toEqual([expect.objectContaining({ message: expect.stringMatching(/grep refused bad\.c: exit code 1/) })]);
  });

  it('honours success and failure patterns', async () => {
    const ok = await runExternalVerifier('p', { command: ['sh', '-c', 'echo VERIFICATION SUCCESSFUL'], success: { pattern: '^VERIFICATION SUCCESSFUL$' } }, input);
    expect(ok.verdict).toBe('pass');
    const missing = await runExternalVerifier('p', { command: ['sh', '-c', 'echo maybe'], success: { pattern: 'SUCCESSFUL' } }, input);
    expect(missing.findings[0]!.message).toMatch(/lacked the success pattern/);
    const alarm = await runExternalVerifier('p', { command: ['sh', '-c', 'echo ALARM: overflow'], success: { failPattern: '^ALARM' } }, input);
    expect(alarm.verdict).toBe('fail');
  });

  it('stops a tool at its timeout and reports an error', async () => {
    const r = await runExternalVerifier('slow', { command: ['sleep', '30'], timeoutMs: 300 }, input);
    expect(r.verdict).toBe('error');
    expect(r.findings[0]!.message).toMatch(/exceeded 300 ms/);
    expect(r.durationMs).toBeLessThan(10_000);
  });

  it('caps memory', async () => {
    const r = await runExternalVerifier('mem', { command: ['python3', '-c', 'x = bytearray(400 * 1024 * 1024)'], memoryMb: 64 }, input);
    expect(r.verdict).toBe('fail');
    expect(r.log).toMatch(/MemoryError|Cannot allocate|memory/i);
  });

  it('has no network inside the sandbox', async () => {
    const r = await runExternalVerifier('net', { command: ['sh', '-c', 'cat /proc/net/dev | grep -c : '], sandbox: 'bwrap', success: { pattern: '^1$' } }, input);
    expect(r.verdict).toBe('pass');
  });

  it('reports a missing tool and bad options as errors, not crashes', async () => {
    expect(await runExternalVerifier('t2', { preset: 't2' }, input)).toMatchObject({
      verdict: 'error',
      findings: [expect.objectContaining({ message: expect.stringMatching(/"t2-llvm" is not installed/) })],
    });
    expect(() => resolveExternalOptions({ preset: 'nope' })).toThrow(/unknown preset "nope"; known presets: cppcheck/);
    expect(() => resolveExternalOptions({ command: [] })).toThrow(/command/);
    expect(() => resolveExternalOptions({ command: ['x'], success: { pattern: '(' } })).toThrow(/invalid pattern/);
    expect(resolveExternalOptions({ preset: 'cppcheck', timeoutMs: 5000 })).toMatchObject({ per: 'source', timeoutMs: 5000 });
  });
});
