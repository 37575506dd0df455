// End-to-end measures on a real lab (1 PR + 3 PVs as processes on loopback):
// submission-to-inclusion latency, PR submissions/s, user-gateway proof
// lookups/s over HTTPS next to a plain Node HTTPS server, RSS per node.
// Writes measures/results/e2e.json.
import autocannon from 'autocannon';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:https';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { packPluginArchive, readPluginDirectory } from '../../spms/verifier/archive/index.ts';
import { TestLab, type NodeEvent } from '../../test/integration/lab-harness.ts';

const { values } = parseArgs({ options: { plugins: { type: 'string', default: '20' }, epoch: { type: 'string', default: '1000' }, seconds: { type: 'string', default: '10' } } });
const N = Number(values.plugins);
const EPOCH_MS = Number(values.epoch);
const SECONDS = Number(values.seconds);
const ROOT = new URL('../..', import.meta.url).pathname;

const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))] ?? NaN;
};

function rssMb(pid: number | undefined): number {
  if (pid === undefined) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m === null ? NaN : Number(m[1]) / 1024;
}

async function cannon(url: string, ca: string, seconds: number): Promise<number> {
  const result = await autocannon({ url, connections: 16, duration: seconds, tlsOptions: { ca } } as autocannon.Options);
  return result.requests.average;
}

const lab = await TestLab.create(
  [
    {
      id: 'PV1',
      verifiers: [
        { id: 'wf', kind: 'wellformed', property: 'wellformed' },
        { id: 'term', kind: 'termination', property: 'termination' },
      ],
      formula: 'wellformed & termination',
    },
    {
      id: 'PV2',
      verifiers: [
        { id: 'wf', kind: 'wellformed', property: 'wellformed' },
        { id: 'se', kind: 'side-effects', property: 'side-effects' },
      ],
      formula: 'wellformed & side-effects',
    },
    { id: 'PV3', verifiers: [{ id: 'ok', kind: 'dummy-pass', property: 'ok' }], formula: 'ok' },
  ],
  EPOCH_MS,
);
try {
  await lab.startAll();
  const dev = lab.developer('bench', ['org.bench']);
  const enc = (v: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(v));
  const reg = await dev.http.request('POST', `${lab.pr.url}/v1/namespaces`, { body: enc({ namespace: 'org.bench' }), contentType: 'application/json' });
  if (reg.status !== 201) throw new Error(`namespace registration: HTTP ${reg.status}`);
  const base = await readPluginDirectory(join(ROOT, 'test/fixtures/plugins/org.example.hello'));
  const archives: { name: string; bytes: Uint8Array }[] = [];
  for (let i = 0; i < N; i++) {
    const name = `org.bench.p${i}`;
    const files = base.files.map((f) =>
      f.path.endsWith('.plugin') ? { path: `p${i}.plugin`, data: new TextEncoder().encode(new TextDecoder().decode(f.data).replace('org.example.hello', name)) } : f,
    );
    archives.push({ name, bytes: await packPluginArchive({ name, files }) });
  }
  // Inclusion: each PV's epoch-published events, collected as they come; the
  // epochs seen so far tell which epoch was current when a plugin was submitted.
  const included = new Map<string, Map<string, { epoch: number; time: number }>>();
  const epochsSeen = new Map<string, { epoch: number; time: number }[]>();
  const watchers = ['PV1', 'PV2', 'PV3'].map((pv) => {
    const seen = new Map<string, { epoch: number; time: number }>();
    const timeline: { epoch: number; time: number }[] = [];
    included.set(pv, seen);
    epochsSeen.set(pv, timeline);
    return lab.waitForEvent(
      pv,
      (e: NodeEvent) => {
        if (e.type !== 'epoch-published') return false;
        const at = { epoch: e.payload.epoch as number, time: e.time };
        timeline.push(at);
        for (const c of e.payload.changes as { name: string }[]) if (!seen.has(c.name)) seen.set(c.name, at);
        return seen.size >= N;
      },
      120_000 + N * 2000,
    );
  });
  const submitted = new Map<string, number>();
  const t0 = performance.now();
  for (const a of archives) {
    const sent = Date.now();
    const res = await dev.http.request('POST', `${lab.pr.url}/v1/plugins`, { body: a.bytes, contentType: 'application/octet-stream' });
    if (res.status !== 201) throw new Error(`submission of ${a.name}: HTTP ${res.status}`);
    submitted.set(a.name, sent);
  }
  const submitSeconds = (performance.now() - t0) / 1000;
  await Promise.all(watchers);
  const latS: number[] = [];
  const latEpochs: number[] = [];
  for (const [pv, seen] of included) {
    const timeline = epochsSeen.get(pv) ?? [];
    for (const [name, inc] of seen) {
      const sent = submitted.get(name);
      if (sent === undefined) continue;
      const current = timeline.filter((t) => t.time <= sent).pop()?.epoch ?? 0;
      latS.push((inc.time - sent) / 1000);
      latEpochs.push(inc.epoch - current);
    }
  }

  // Proof lookups/s against PV1's user gateway, and a plain HTTPS server with a fixed 1 KB body.
  const ca = lab.readCaCert();
  const proofRps = await cannon(`${lab.pvs.get('PV1')!.url}/v1/proof/org.bench.p0`, ca, SECONDS);
  const pvTls = JSON.parse(readFileSync(lab.pvs.get('PV1')!.config, 'utf8')) as { tls: { cert: string; key: string } };
  const body = Buffer.alloc(1024, 'x');
  const plain = createServer({ cert: readFileSync(pvTls.tls.cert), key: readFileSync(pvTls.tls.key) }, (_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': body.length });
    res.end(body);
  });
  await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
  const port = (plain.address() as { port: number }).port;
  const plainRps = await cannon(`https://127.0.0.1:${port}/`, ca, SECONDS);
  plain.close();

  const rss = Object.fromEntries(['PR', 'PV1', 'PV2', 'PV3'].map((id) => [id, Number(rssMb(lab.pid(id)).toFixed(1))]));

  // The PR's own rate: a burst of submissions with the PVs stopped, so their
  // compilation and verification do not compete for the same cores.
  for (const pv of ['PV1', 'PV2', 'PV3']) await lab.stop(pv);
  const burst: Uint8Array[] = [];
  for (let i = 0; i < N * 5; i++) {
    const name = `org.bench.burst${i}`;
    const files = base.files.map((f) =>
      f.path.endsWith('.plugin') ? { path: `b${i}.plugin`, data: new TextEncoder().encode(new TextDecoder().decode(f.data).replace('org.example.hello', name)) } : f,
    );
    burst.push(await packPluginArchive({ name, files }));
  }
  const b0 = performance.now();
  for (const bytes of burst) {
    const res = await dev.http.request('POST', `${lab.pr.url}/v1/plugins`, { body: bytes, contentType: 'application/octet-stream' });
    if (res.status !== 201) throw new Error(`burst submission: HTTP ${res.status}`);
  }
  const prAloneRate = burst.length / ((performance.now() - b0) / 1000);
  const result = {
    machine: { cpus: (await import('node:os')).cpus().length, node: process.version },
    plugins: N,
    epochMs: EPOCH_MS,
    inclusion: {
      seconds: { median: quantile(latS, 0.5), p95: quantile(latS, 0.95) },
      epochs: { median: quantile(latEpochs, 0.5), p95: quantile(latEpochs, 0.95) },
      samples: latS.length,
    },
    prSubmissionsPerSecond: prAloneRate,
    prSubmissionsPerSecondUnderLoad: N / submitSeconds,
    proofLookupsPerSecond: proofRps,
    plainHttpsPerSecond: plainRps,
    ratio: proofRps / plainRps,
    rssMb: rss,
  };
  mkdirSync(join(ROOT, 'measures/results'), { recursive: true });
  writeFileSync(join(ROOT, 'measures/results/e2e.json'), `${JSON.stringify(result, null, 2)}\n`);
  console.log(`plugins ${N}, epoch ${EPOCH_MS} ms`);
  console.log(
    `inclusion latency: median ${result.inclusion.seconds.median.toFixed(2)} s (${result.inclusion.epochs.median} epochs), p95 ${result.inclusion.seconds.p95.toFixed(2)} s (${result.inclusion.epochs.p95} epochs)`,
  );
  console.log(`PR submissions/s: ${result.prSubmissionsPerSecond.toFixed(1)} (PR alone, sequential), ${result.prSubmissionsPerSecondUnderLoad.toFixed(1)} while three PVs compile and verify`);
  console.log(`proof lookups/s: ${proofRps.toFixed(0)} vs plain HTTPS 1 KB ${plainRps.toFixed(0)}: ratio ${result.ratio.toFixed(2)} (target >= 0.5: ${result.ratio >= 0.5 ? 'PASS' : 'MISS'})`);
  console.log(`RSS MB: ${JSON.stringify(rss)}`);
} finally {
  await lab.close();
}
