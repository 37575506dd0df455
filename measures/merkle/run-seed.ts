// Drives the seed's tree (seed_mt.py, python3) at one N: streams the same
// workload over stdin, reads its timings from stdout.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { toHex } from '../../spms/core/index.ts';
import type { PeerResult } from './peer-result.ts';
import type { Workload } from './workload.ts';

const SCRIPT = fileURLToPath(new URL('./seed_mt.py', import.meta.url));

/** The seed's depth rule: ceil(log2 N) + 4. */
export function seedDepth(n: number): number {
  return Math.ceil(Math.log2(n)) + 4;
}

interface SeedOutput {
  buildMs: number;
  updateMs: number;
  proofGenUs: number;
  verifyUs: number;
  proofBytes: number;
  proofJsonBytes: number;
  proofs: number;
  verifyFailures: number;
  nodes: number;
  rssMb: number;
}

/** The stdin protocol of seed_mt.py, one line at a time. */
function* lines(w: Workload): Generator<string> {
  yield `${JSON.stringify({ depth: seedDepth(w.n), reps: 1 })}\n`;
  for (const e of w.initial) yield `${e.name} ${toHex(e.bindingHash)}\n`;
  yield '--\n';
  for (const c of w.changes) yield 'remove' in c ? `${c.name} -\n` : `${c.name} ${toHex(c.bindingHash)}\n`;
  yield '--\n';
  for (const p of w.inclusion) yield `${p.name} ${toHex(p.bindingHash)}\n`;
  yield '--\n';
}

export async function runSeed(w: Workload): Promise<PeerResult> {
  const child = spawn('python3', [SCRIPT], { stdio: ['pipe', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (out += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (err += d));
  const exited = new Promise<number>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve(code ?? -1));
  });
  let chunk = '';
  for (const line of lines(w)) {
    chunk += line;
    if (chunk.length < 1 << 20) continue;
    if (!child.stdin.write(chunk)) await new Promise((resolve) => child.stdin.once('drain', resolve));
    chunk = '';
  }
  child.stdin.end(chunk);
  const code = await exited;
  if (code !== 0) throw new Error(`seed_mt.py exited with ${code}: ${err.trim()}`);
  const r = JSON.parse(out) as SeedOutput;
  const failed = r.verifyFailures > 0 ? `; ${r.verifyFailures} of ${r.proofs} proofs fail its own verification (names not first in a shared position)` : '';
  return {
    buildMs: r.buildMs,
    updateMs: r.updateMs,
    proofGenUs: r.proofGenUs,
    verifyUs: r.verifyUs,
    proofBytes: r.proofBytes,
    rssMb: r.rssMb,
    proofs: { inclusion: r.proofs, absence: 0 },
    note:
      `fixed depth ${seedDepth(w.n)}, ${r.nodes} nodes materialised; no absence proofs; every epoch rebuilds the whole tree; ` +
      `proofs as it sends them (JSON of hex) average ${Math.round(r.proofJsonBytes)} bytes${failed}`,
  };
}
