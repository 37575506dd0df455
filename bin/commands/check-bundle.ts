// spms check-bundle FILE --formula F --plugin <dir|archive|binding.cbor> [--ca FILE] [--crl FILE] [--lab-dir DIR] [--max-age-s N] [--json]
import { readFileSync } from 'node:fs';
import { bundleFromJson, checkBundle } from '../../spms/core/index.ts';
import { caKeyResolver } from '../../spms/client/ca-trust.ts';
import { EXIT, optionalInt, parse, requireString, runCommand, UsageError } from '../lib/cli.ts';
import { RunningLab, LAB_DIR_OPTION } from '../lib/lab-defaults.ts';
import { pluginBindingHash } from '../lib/plugin-binding.ts';

export const summary = 'check a proof bundle against a formula, the lab CA and the plugin received';

const USAGE = `usage: spms check-bundle FILE --formula F --plugin <dir|archive|binding.cbor> [--ca FILE] [--crl FILE]
                         [--lab-dir DIR] [--max-age-s N] [--json]

Checks, for every PV in the bundle: its certificate chains to the CA (and is
not revoked when --crl is given), its STR is signed by the certificate's STR
key and fresh (default: at most 300 s old), and its proof includes the binding
of the plugin received. Then whether the formula holds over the PVs that
passed. Prints which PV failed which step.

Without --ca, the running lab's root CA is used, and its CRL unless --crl is
given (--lab-dir, else SPMS_LAB_DIR, else ~/.local/share/spms-lab).

exit codes: 0 accepted, 1 refused, 2 usage or unreadable input, 3 no lab running to take the CA from`;

export async function run(args: string[]): Promise<number> {
  return runCommand('check-bundle', async () => {
    const { values, positionals } = parse(
      args,
      {
        formula: { type: 'string' },
        ca: { type: 'string' },
        crl: { type: 'string' },
        plugin: { type: 'string' },
        'max-age-s': { type: 'string' },
        json: { type: 'boolean' },
        ...LAB_DIR_OPTION,
      },
      USAGE,
    );
    if (values.help === true) return EXIT.ok;
    const file = positionals[0];
    if (file === undefined || positionals.length !== 1) throw new UsageError(`exactly one bundle FILE is required\n\n${USAGE}`);
    let bundle;
    try {
      bundle = bundleFromJson(JSON.parse(readFileSync(file, 'utf8')));
    } catch (e) {
      throw new UsageError(`cannot read the bundle ${file}: ${(e as Error).message}`);
    }
    const formula = requireString(values, 'formula', USAGE);
    const plugin = await pluginBindingHash(requireString(values, 'plugin', USAGE));
    // An explicit --ca keeps the CRL optional; the lab's CA comes with the lab's CRL.
    const lab = typeof values.ca === 'string' ? undefined : await RunningLab.connect(values, ['ca']);
    const caFile = lab === undefined ? (values.ca as string) : lab.caFile;
    const crlFile = typeof values.crl === 'string' ? values.crl : lab?.crlFile;
    const crl = crlFile === undefined ? undefined : readFileSync(crlFile, 'utf8');
    const verdict = checkBundle(bundle, {
      formula,
      resolveKey: caKeyResolver({ root: readFileSync(caFile, 'utf8'), ...(crl === undefined ? {} : { crl }) }),
      bindingHash: plugin.hash,
      nowMs: Date.now(),
      maxAgeMs: (optionalInt(values, 'max-age-s') ?? 300) * 1000,
    });
    if (values.json === true) console.log(JSON.stringify(verdict, null, 2));
    else {
      console.log(verdict.reason);
      for (const pv of verdict.pvs) console.log(`  ${pv.pvId}: ${pv.ok ? `ok (epoch ${pv.epoch})` : `failed at ${pv.step}: ${pv.reason}`}`);
    }
    return verdict.accepted ? EXIT.ok : EXIT.failed;
  });
}
