// Measures one npm peer tree at one N, in a process of its own (peak RSS per
// peer and N). Prints one JSON line (PeerResult).
//   node --expose-gc --import tsx measures/merkle/run-peer.ts PEER N PROOF_BUDGET_MS
import { runIden3 } from './peer-iden3.ts';
import { runMerkletreejs } from './peer-merkletreejs.ts';
import type { PeerResult } from './peer-result.ts';
import { collectGarbage } from './process-stats.ts';
import { makeWorkload, type Workload } from './workload.ts';

const PEERS: Record<string, (w: Workload, budgetMs: number) => PeerResult | Promise<PeerResult>> = {
  merkletreejs: runMerkletreejs,
  '@iden3/js-merkletree': runIden3,
};

async function main(): Promise<void> {
  const [peer = '', nArg = '', budgetArg = ''] = process.argv.slice(2);
  const run = PEERS[peer];
  const n = Number(nArg);
  const budgetMs = Number(budgetArg);
  if (run === undefined || !Number.isSafeInteger(n) || n <= 0 || !(budgetMs > 0)) {
    throw new Error(`usage: run-peer.ts (${Object.keys(PEERS).join('|')}) N PROOF_BUDGET_MS`);
  }
  const w = makeWorkload(n);
  collectGarbage();
  process.stdout.write(`${JSON.stringify(await run(w, budgetMs))}\n`);
}

await main();
