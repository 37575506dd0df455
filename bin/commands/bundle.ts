// spms bundle <name> --formula F --out FILE [--pr URL] [--ca FILE] [--cert FILE --key FILE] [--lab-dir DIR] [--binding HASH]
import { writeFileSync } from 'node:fs';
import { bundleFromJson, bundleToJson } from '../../spms/core/index.ts';
import { getJson } from '../../spms/client/transport.ts';
import { EXIT, parse, requireString, runCommand, UsageError } from '../lib/cli.ts';
import { PR_CLIENT_OPTIONS, prClientFlags } from '../lib/lab-defaults.ts';
import { transportFor } from '../lib/pr-directory.ts';

export const summary = 'fetch from the PR a proof bundle for a plugin that satisfies a formula';

const USAGE = `usage: spms bundle <name> --formula F --out FILE [--pr URL] [--ca FILE] [--cert FILE --key FILE]
                   [--lab-dir DIR] [--binding HASH]

Asks the PR for a bundle: it fetches, from each PV the formula names, the
latest STR and proof for <name>, keeps those that include the binding (by
default the one the first answering PV includes) and picks a smallest set
satisfying the formula. The bundle is written as JSON.

Left out, --pr, --ca and --cert/--key come from the running lab (--lab-dir,
else SPMS_LAB_DIR, else ~/.local/share/spms-lab): its PR, its root CA and
the lab developer's certificate.

exit codes: 0 written, 1 refused (unsatisfiable formula, not included), 2 usage, 3 PR or lab unreachable`;

export async function run(args: string[]): Promise<number> {
  return runCommand('bundle', async () => {
    const { values, positionals } = parse(args, { formula: { type: 'string' }, out: { type: 'string' }, binding: { type: 'string' }, ...PR_CLIENT_OPTIONS }, USAGE);
    if (values.help === true) return EXIT.ok;
    const name = positionals[0];
    if (name === undefined || positionals.length !== 1) throw new UsageError(`exactly one <name> is required\n\n${USAGE}`);
    const query = new URLSearchParams({ formula: requireString(values, 'formula', USAGE) });
    if (typeof values.binding === 'string') query.set('binding', values.binding);
    const out = requireString(values, 'out', USAGE);
    const flags = await prClientFlags(values, USAGE);
    const t = transportFor({ ca: flags.ca, cert: flags.cert, key: flags.key });
    const answer = (await getJson(t, `${flags.pr.replace(/\/$/, '')}/v1/bundle/${encodeURIComponent(name)}?${query}`)) as {
      bundle: unknown;
      skipped: { pvId: string; reason: string }[];
    };
    // Parsed before writing, so a malformed answer never lands in the file.
    const bundle = bundleFromJson(answer.bundle);
    writeFileSync(out, `${JSON.stringify(bundleToJson(bundle), null, 2)}\n`);
    for (const s of answer.skipped) console.error(`${s.pvId}: ${s.reason}`);
    console.log(JSON.stringify({ name, bindingHash: bundleToJson(bundle).bindingHash, pvs: bundle.entries.map((e) => e.pvId) }));
    return EXIT.ok;
  });
}
