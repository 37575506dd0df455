// End-to-end measures on a real lab (1 PR + 3 PVs as processes on loopback):
// submission-to-inclusion latency and the time until every PV holds every
// plugin, PR submissions/s (alone, and while the PVs verify), user-gateway proof
// lookups/s over HTTPS next to a plain Node HTTPS server, RSS per node.
// Writes measures/results/e2e.json.
import autocannon from 'autocannon';
import { readFileSync, writeFileSync, mkdirSync } from 'node:fs';
import { createServer } from 'node:https';
import { cpus, loadavg } from 'node:os';
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

// Other work on the machine slows every figure here; the load average says how much there was.
const loadAtStart = loadavg()[0]!;
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
  // The PR while the PVs compile and verify: the same archives again (each answered 200 with the
  // existing submission, so the PVs get no more work), four a second so the probe itself takes
  // little CPU from the PVs, until every PV holds every plugin.
  let verifying = true;
  const allIncluded = Promise.all(watchers).finally(() => (verifying = false));
  const probeMs: number[] = [];
  while (verifying) {
    const a = archives[probeMs.length % archives.length]!;
    const sent = performance.now();
    const res = await dev.http.request('POST', `${lab.pr.url}/v1/plugins`, { body: a.bytes, contentType: 'application/octet-stream' });
    if (res.status !== 200) throw new Error(`resubmission of ${a.name}: HTTP ${res.status}`);
    probeMs.push(performance.now() - sent);
    await new Promise((r) => setTimeout(r, Math.max(0, 250 - (performance.now() - sent))));
  }
  await allIncluded;
  const latS: number[] = [];
  const latEpochs: number[] = [];
  // From the first submission until every PV holds every plugin: the PVs' throughput, which the
  // per-plugin latency hides when submissions come slowly (and then seem to be included sooner).
  const firstSent = Math.min(...submitted.values());
  const allIncludedSeconds = (Math.max(...[...included.values()].flatMap((seen) => [...seen.values()].map((i) => i.time))) - firstSent) / 1000;
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
    machine: { cpus: cpus().length, node: process.version, loadAverage1m: { start: loadAtStart, end: loadavg()[0]! } },
    plugins: N,
    epochMs: EPOCH_MS,
    inclusion: {
      seconds: { median: quantile(latS, 0.5), p95: quantile(latS, 0.95) },
      epochs: { median: quantile(latEpochs, 0.5), p95: quantile(latEpochs, 0.95) },
      samples: latS.length,
      allIncludedSeconds,
    },
    submissionSeconds: submitSeconds,
    prSubmissionsPerSecond: prAloneRate,
    prSubmissionsPerSecondUnderLoad: N / submitSeconds,
    prResubmissionMsWhileVerifying: { median: quantile(probeMs, 0.5), p95: quantile(probeMs, 0.95), max: Math.max(...probeMs), samples: probeMs.length },
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
  console.log(`all ${N} plugins in every PV ${allIncludedSeconds.toFixed(2)} s after the first submission (submissions took ${submitSeconds.toFixed(2)} s)`);
  console.log(
    `PR submissions/s: ${result.prSubmissionsPerSecond.toFixed(1)} (PR alone, sequential), ${result.prSubmissionsPerSecondUnderLoad.toFixed(1)} for the ${N} submissions that set the three PVs to work`,
  );
  const probe = result.prResubmissionMsWhileVerifying;
  console.log(`PR answer to a resubmission while the PVs verify: median ${probe.median.toFixed(0)} ms, p95 ${probe.p95.toFixed(0)} ms, max ${probe.max.toFixed(0)} ms (${probe.samples} samples)`);
  console.log(`proof lookups/s: ${proofRps.toFixed(0)} vs plain HTTPS 1 KB ${plainRps.toFixed(0)}: ratio ${result.ratio.toFixed(2)} (target >= 0.5: ${result.ratio >= 0.5 ? 'PASS' : 'MISS'})`);
  console.log(`RSS MB: ${JSON.stringify(rss)}`);
} finally {
  await lab.close();
}
