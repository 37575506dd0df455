// spms proof <name> --pv URL|ID [--ca FILE] [--lab-dir DIR] [--epoch N] [--json]
import { readFileSync } from 'node:fs';
import { proofToJson, strToJson, toHex, verifyLookup, verifyStrSignature } from '../../spms/core/index.ts';
import { nodeTransport } from '../../spms/client/node-transport.ts';
import { PvClient } from '../../spms/client/pv-client.ts';
import { EXIT, optionalInt, parse, requireString, runCommand, UsageError } from '../lib/cli.ts';
import { flagsOrLab, LAB_DIR_OPTION } from '../lib/lab-defaults.ts';

export const summary = 'fetch and verify a lookup proof for a plugin name from a PV';

const USAGE = `usage: spms proof <name> --pv URL|ID [--ca FILE] [--lab-dir DIR] [--epoch N] [--json]

Fetches the PV's lookup proof for <name> (latest epoch unless --epoch),
checks the STR signature with the PV's STR key and recomputes the root.
Prints whether the name is included (with its binding hash and version) or
proven absent.

--pv is the PV's gateway URL, or the id of a PV of the running lab (e.g.
PV1: its URL comes from the lab's daemon). Without --ca, the lab's root CA
is used. The lab is --lab-dir, else SPMS_LAB_DIR, else ~/.local/share/spms-lab.

exit codes: 0 proof verified, 1 proof does not verify, 2 usage, 3 PV or lab unreachable`;

const URL_LIKE = /^[a-z][a-z0-9+.-]*:\/\//i;

export async function run(args: string[]): Promise<number> {
  return runCommand('proof', async () => {
    const { values, positionals } = parse(args, { pv: { type: 'string' }, ca: { type: 'string' }, epoch: { type: 'string' }, json: { type: 'boolean' }, ...LAB_DIR_OPTION }, USAGE);
    if (values.help === true) return EXIT.ok;
    const name = positionals[0];
    if (name === undefined || positionals.length > 1) throw new UsageError(`exactly one <name> is required\n\n${USAGE}`);
    const pv = requireString(values, 'pv', USAGE);
    // An id rather than a URL is a PV of the lab: the lab supplies its URL.
    const flags = await flagsOrLab(
      { ...values, pv: URL_LIKE.test(pv) ? pv : undefined },
      {
        pv: (lab) => lab.pvUrl(pv),
        ca: (lab) => lab.caFile,
      },
    );
    const client = new PvClient(flags.pv, nodeTransport({ ca: readFileSync(flags.ca) }));
    const [info, p] = await Promise.all([client.info(), client.proof(name, optionalInt(values, 'epoch'))]);
    const signed = verifyStrSignature(p.str, info.strPublicKey);
    const t = p.proof.terminal;
    const expected = t.kind === 'leaf' && t.index === null ? t.bindingHash : 'absent';
    const verdict = verifyLookup(p.proof, name, expected, p.str.root, p.str.treeId);
    const ok = signed && verdict.ok;
    if (values.json === true) {
      console.log(JSON.stringify({ name, pvId: info.pvId, epoch: p.epoch, ok, signature: signed, verdict, str: strToJson(p.str), proof: proofToJson(p.proof) }, null, 2));
    } else if (!signed) {
      console.log(`${info.pvId} epoch ${p.epoch}: the STR signature does not verify`);
    } else if (!verdict.ok) {
      console.log(`${info.pvId} epoch ${p.epoch}: proof does not verify (${verdict.code}: ${verdict.message})`);
    } else if (verdict.kind === 'inclusion' && t.kind === 'leaf') {
      console.log(`${info.pvId} epoch ${p.epoch}: ${name} is included, binding ${toHex(t.bindingHash)} version ${t.version} (depth ${verdict.depth})`);
    } else {
      console.log(`${info.pvId} epoch ${p.epoch}: ${name} is proven absent (depth ${verdict.depth})`);
    }
    return ok ? EXIT.ok : EXIT.failed;
  });
}
