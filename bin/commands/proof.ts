// spms proof <name> --pv URL [--epoch N] [--ca FILE] [--json]
import { readFileSync } from 'node:fs';
import { proofToJson, strToJson, toHex, verifyLookup, verifyStrSignature } from '../../spms/core/index.ts';
import { nodeTransport } from '../../spms/client/node-transport.ts';
import { PvClient } from '../../spms/client/pv-client.ts';
import { EXIT, optionalInt, parse, requireString, runCommand, UsageError } from '../lib/cli.ts';

export const summary = 'fetch and verify a lookup proof for a plugin name from a PV';

const USAGE = `usage: spms proof <name> --pv URL --ca FILE [--epoch N] [--json]

Fetches the PV's lookup proof for <name> (latest epoch unless --epoch),
checks the STR signature with the PV's STR key and recomputes the root.
Prints whether the name is included (with its binding hash and version) or
proven absent.

exit codes: 0 proof verified, 1 proof does not verify, 2 usage, 3 PV unreachable`;

export async function run(args: string[]): Promise<number> {
  return runCommand('proof', async () => {
    const { values, positionals } = parse(args, { pv: { type: 'string' }, ca: { type: 'string' }, epoch: { type: 'string' }, json: { type: 'boolean' } }, USAGE);
    if (values.help === true) return EXIT.ok;
    const name = positionals[0];
    if (name === undefined || positionals.length > 1) throw new UsageError(`exactly one <name> is required\n\n${USAGE}`);
    const client = new PvClient(requireString(values, 'pv', USAGE), nodeTransport({ ca: readFileSync(requireString(values, 'ca', USAGE)) }));
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
