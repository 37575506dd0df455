// spms bundle <name> --formula F --pr URL --ca FILE --cert FILE --key FILE --out FILE [--binding HASH]
import { writeFileSync } from 'node:fs';
import { bundleToJson, fromHex } from '../../spms/core/index.ts';
import { fetchBundle } from '../../spms/client/peer.ts';
import { EXIT, parse, requireString, runCommand, UsageError } from '../lib/cli.ts';
import { listPvs } from '../lib/pr-directory.ts';

export const summary = 'build a proof bundle for a plugin from the PVs a formula names';

const USAGE = `usage: spms bundle <name> --formula F --pr URL --ca FILE --cert FILE --key FILE --out FILE [--binding HASH]

Asks the PR where the PVs are, fetches each named PV's latest STR and proof
for <name>, keeps those that include the binding (by default the one the
first answering PV includes), and writes a smallest bundle satisfying the
formula as JSON.

exit codes: 0 written, 1 the formula cannot be satisfied, 2 usage, 3 PR or PVs unreachable`;

export async function run(args: string[]): Promise<number> {
  return runCommand('bundle', async () => {
    const { values, positionals } = parse(args, { formula: { type: 'string' }, pr: { type: 'string' }, ca: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, out: { type: 'string' }, binding: { type: 'string' } }, USAGE);
    if (values.help === true) return EXIT.ok;
    const name = positionals[0];
    if (name === undefined || positionals.length !== 1) throw new UsageError(`exactly one <name> is required\n\n${USAGE}`);
    const formula = requireString(values, 'formula', USAGE);
    const pvs = await listPvs(requireString(values, 'pr', USAGE), { ca: requireString(values, 'ca', USAGE), cert: requireString(values, 'cert', USAGE), key: requireString(values, 'key', USAGE) });
    let binding: Uint8Array | undefined;
    if (typeof values.binding === 'string') {
      if (!/^[0-9a-f]{64}$/.test(values.binding)) throw new UsageError('--binding must be 64 hex digits');
      binding = fromHex(values.binding);
    } else {
      for (const pv of pvs) {
        try {
          const p = await pv.client.proof(name);
          if (p.proof.terminal.kind === 'leaf' && p.proof.terminal.index === null) {
            binding = p.proof.terminal.bindingHash;
            break;
          }
        } catch {
          // try the next PV
        }
      }
      if (binding === undefined) throw new Error(`no PV includes ${name}`);
    }
    const { bundle, skipped } = await fetchBundle(name, binding, pvs.map((p) => ({ pvId: p.pvId, client: p.client })), formula);
    writeFileSync(requireString(values, 'out', USAGE), `${JSON.stringify(bundleToJson(bundle), null, 2)}\n`);
    for (const s of skipped) console.error(`${s.pvId}: ${s.reason}`);
    console.log(JSON.stringify({ name, bindingHash: Buffer.from(binding).toString('hex'), pvs: bundle.entries.map((e) => e.pvId) }));
    return EXIT.ok;
  });
}
