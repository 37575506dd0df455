// spms monitor <name…> --pr URL --ca FILE --cert FILE --key FILE --expect HASH[,HASH…] [--from-epoch N] [--json]
import { readFileSync } from 'node:fs';
import { fromHex, toHex } from '../../spms/core/index.ts';
import { caKeyResolver } from '../../spms/client/ca-trust.ts';
import { monitorNames } from '../../spms/client/monitor.ts';
import { EXIT, optionalInt, parse, requireString, runCommand, UsageError } from '../lib/cli.ts';
import { listPvs } from '../lib/pr-directory.ts';

export const summary = 'check that every PV binds your names only to the bindings you submitted';

const USAGE = `usage: spms monitor <name…> --pr URL --ca FILE --cert FILE --key FILE --expect HASH[,HASH…] [--from-epoch N] [--json]

For every PV the PR knows, verifies its STR chain (keys from certificates
checked against the CA) and, at every epoch, the proof for each name: only
the expected binding hashes (or absence) may appear. Reports unexpected
bindings, version jumps, chain breaks and equivocation with evidence.

exit codes: 0 no alert, 1 alerts, 2 usage, 3 PR unreachable`;

export async function run(args: string[]): Promise<number> {
  return runCommand('monitor', async () => {
    const { values, positionals } = parse(
      args,
      { pr: { type: 'string' }, ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, expect: { type: 'string' }, 'from-epoch': { type: 'string' }, json: { type: 'boolean' } },
      USAGE,
    );
    if (values.help === true) return EXIT.ok;
    if (positionals.length === 0) throw new UsageError(`at least one <name> is required\n\n${USAGE}`);
    const hashes = requireString(values, 'expect', USAGE).split(',');
    if (!hashes.every((h) => /^[0-9a-f]{64}$/.test(h))) throw new UsageError('--expect takes 64-hex-digit binding hashes separated by commas');
    const ca = requireString(values, 'ca', USAGE);
    const pvs = await listPvs(requireString(values, 'pr', USAGE), { ca, cert: requireString(values, 'cert', USAGE), key: requireString(values, 'key', USAGE) });
    const resolve = caKeyResolver({ root: readFileSync(ca, 'utf8') });
    const targets = [];
    for (const pv of pvs) {
      const info = await pv.client.info();
      const key = resolve({ pvId: pv.pvId, certificate: info.certificate, str: await pv.client.latestStr(), proof: { depth: 0, terminal: { kind: 'empty' }, siblings: [] } });
      if (!key.ok) {
        console.error(`${pv.pvId}: not monitored: ${key.reason}`);
        continue;
      }
      targets.push({ client: pv.client, strPublicKey: key.publicKey });
    }
    const expected = new Map(positionals.map((n) => [n, hashes.map(fromHex)]));
    const fromEpoch = optionalInt(values, 'from-epoch');
    const result = await monitorNames(targets, expected, fromEpoch === undefined ? {} : { fromEpoch });
    if (values.json === true) {
      // Evidence holds STRs and proofs: their byte fields print as hex.
      console.log(JSON.stringify({ alerts: result.alerts, observations: result.observations }, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v), 2));
    } else {
      for (const a of result.alerts) console.log(`ALERT ${a.pvId} ${a.code}${a.epoch === undefined ? '' : ` epoch ${a.epoch}`}: ${a.message}`);
      const latest = new Map<string, string>();
      for (const o of result.observations) latest.set(`${o.pvId} ${o.name}`, `${o.state}${o.bindingHash === undefined ? '' : ` ${o.bindingHash.slice(0, 16)}… v${o.version}`} at epoch ${o.epoch}`);
      for (const [k, v] of latest) console.log(`${k}: ${v}`);
      if (result.alerts.length === 0) console.log(`no alert over ${targets.length} PV(s); expected ${hashes.map((h) => toHex(fromHex(h)).slice(0, 16)).join(', ')}…`);
    }
    return result.alerts.length === 0 ? EXIT.ok : EXIT.failed;
  });
}
