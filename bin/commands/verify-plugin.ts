// spms verify-plugin — runs the eBPF checks over a plugin (folder or archive)
// or a single pluglet object, the way a Plugin Validator does: C sources are
// compiled with the PV's recipe and replace the submitted objects.
import { readFile, stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { compileFiles } from '../../spms/verifier/compile.ts';
import type { Finding } from '../../spms/verifier/finding.ts';
import { sortFindings } from '../../spms/verifier/finding.ts';
import { lintManifest } from '../../spms/verifier/manifest-lint.ts';
import type { Manifest } from '../../spms/verifier/manifest.ts';
import { parseManifest, plugletEntries } from '../../spms/verifier/manifest.ts';
import type { CheckName, CheckPolicy, PlugletReport } from '../../spms/verifier/pluglet-report.ts';
import { CHECK_NAMES, verifyPluglet } from '../../spms/verifier/pluglet-report.ts';
import { loadSpecs } from '../../spms/verifier/specs.ts';
import { readPluginArchive, readPluginDirectory } from '../../spms/verifier/archive/index.ts';
import { EXIT, parse, runCommand, UsageError } from '../lib/cli.ts';

export const summary = 'check a plugin or pluglet object: wellformed, termination, side-effects, memory';

const USAGE = `usage: spms verify-plugin <plugin dir | archive | object.o> [options]

  Runs the eBPF checks of a Plugin Validator. A plugin (a folder, or a tar,
  tar.gz or tar.bz2 archive) is checked pluglet by pluglet as its .plugin
  manifest anchors them; C sources next to an object are compiled first
  (clang/LLVM 14) and their objects are the ones checked.

options:
  --checks LIST     comma-separated checks (default: ${CHECK_NAMES.join(',')})
  --protoop NAME    protocol operation a lone object is anchored on (for side-effects)
  --spec-dir DIR    side-effect specs to use (default: the bundled PQUIC specs)
  --stack N         stack profile: 2048 (PQUIC) or 512 (strict) (default 2048)
  --deny LIST       helpers this policy forbids (e.g. socket,write)
  --no-list-assumption  do not accept walks of core linked lists as terminating
  --json            machine-readable report

exit codes: 0 every requested check passes, 1 a check fails (or the input is unusable), 2 usage`;

const OPTIONS = {
  checks: { type: 'string' },
  protoop: { type: 'string' },
  'spec-dir': { type: 'string' },
  stack: { type: 'string' },
  deny: { type: 'string' },
  'no-list-assumption': { type: 'boolean' },
  json: { type: 'boolean' },
} as const;

interface Report {
  input: string;
  plugin?: string;
  verdict: 'pass' | 'fail';
  checks: CheckName[];
  /** Plugin-level findings (manifest, compile). */
  findings: Finding[];
  pluglets: PlugletReport[];
}

function parseChecks(v: unknown): CheckName[] {
  if (v === undefined) return [...CHECK_NAMES];
  const list = String(v)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '');
  if (list.length === 0) throw new UsageError(`--checks needs at least one of ${CHECK_NAMES.join(', ')}`);
  for (const c of list) if (!(CHECK_NAMES as readonly string[]).includes(c)) throw new UsageError(`unknown check "${c}" (checks: ${CHECK_NAMES.join(', ')})`);
  return [...new Set(list)] as CheckName[];
}

async function checkPlugin(files: { path: string; data: Uint8Array }[], checks: CheckName[], policy: CheckPolicy, report: Report): Promise<void> {
  const manifests = files.filter((f) => !f.path.includes('/') && f.path.endsWith('.plugin'));
  if (manifests.length !== 1) {
    report.findings.push({ check: 'wellformed', severity: 'error', message: `a plugin holds exactly one .plugin manifest at its top; found ${manifests.length}` });
    return;
  }
  const manifestFile = manifests[0] as { path: string; data: Uint8Array };
  let manifest: Manifest;
  try {
    manifest = parseManifest(new TextDecoder().decode(manifestFile.data));
  } catch (e) {
    report.findings.push({ check: 'wellformed', severity: 'error', message: `${manifestFile.path}: ${(e as Error).message}` });
    return;
  }
  report.plugin = manifest.name;
  const objects = new Map(files.filter((f) => f.path.endsWith('.o')).map((f) => [f.path, f.data]));
  if (files.some((f) => f.path.endsWith('.c'))) {
    const compiled = await compileFiles(files, manifest);
    report.findings.push(...compiled.findings);
    for (const [path, bytes] of Object.entries(compiled.objects)) objects.set(path, bytes);
  }
  if (checks.includes('wellformed')) report.findings.push(...lintManifest(manifest, { files: new Set([...files.map((f) => f.path), ...objects.keys()]) }));
  for (const e of plugletEntries(manifest)) {
    const bytes = objects.get(e.path);
    if (bytes === undefined) {
      if (!checks.includes('wellformed'))
        report.findings.push({ check: 'wellformed', severity: 'error', pluglet: e.path, message: `object "${e.path}" is neither in the plugin nor built from a source` });
      continue;
    }
    report.pluglets.push(verifyPluglet(e.path, bytes, checks, policy, { protoop: e.protoop, anchor: e.anchor, ...(e.param === undefined ? {} : { param: e.param }) }));
  }
}

function printHuman(r: Report): void {
  const line = (f: Finding): string =>
    `    ${f.severity.padEnd(7)} ${f.check}${f.instruction === undefined ? '' : ` @${f.instruction}`}${f.disasm === undefined ? '' : ` [${f.disasm}]`}${f.source === undefined ? '' : ` ${f.source.file}:${f.source.line}`}: ${f.message}`;
  console.log(`${r.plugin ?? r.input}: ${r.verdict.toUpperCase()}`);
  for (const f of r.findings) console.log(line(f));
  for (const p of r.pluglets) {
    const verdicts = r.checks.map((c) => `${c}=${p.verdicts[c] ?? '-'}`).join(' ');
    const ms = Object.values(p.timingsMs).reduce((a, b) => a + (b ?? 0), 0);
    console.log(`  ${p.pluglet}${p.anchoring === undefined ? '' : ` (${p.anchoring.protoop}${p.anchoring.anchor === undefined ? '' : ` ${p.anchoring.anchor}`})`}: ${verdicts}  ${ms.toFixed(1)} ms`);
    for (const f of p.findings) console.log(line(f));
  }
}

export async function run(args: string[]): Promise<number> {
  return runCommand('verify-plugin', async () => {
    const { values, positionals } = parse(args, OPTIONS, USAGE);
    if (values.help === true) return EXIT.ok;
    if (positionals.length !== 1) throw new UsageError(`expected one plugin folder, archive or object\n\n${USAGE}`);
    const input = positionals[0] as string;
    const checks = parseChecks(values.checks);
    const stack = values.stack === undefined ? 2048 : Number(values.stack);
    if (stack !== 2048 && stack !== 512) throw new UsageError('--stack must be 2048 or 512');
    const policy: CheckPolicy = {
      stackSize: stack,
      denyHelpers: new Set(typeof values.deny === 'string' ? values.deny.split(',').filter((s) => s !== '') : []),
      assumeFiniteLists: values['no-list-assumption'] !== true,
      specs: loadSpecs(typeof values['spec-dir'] === 'string' ? values['spec-dir'] : undefined),
      requireSpec: false,
    };
    const report: Report = { input, verdict: 'pass', checks, findings: [], pluglets: [] };
    let info;
    try {
      info = await stat(input);
    } catch {
      throw new UsageError(`cannot read "${input}"`);
    }
    if (info.isDirectory()) {
      await checkPlugin((await readPluginDirectory(input)).files, checks, policy, report);
    } else if (input.endsWith('.o')) {
      const protoop = typeof values.protoop === 'string' ? values.protoop : undefined;
      report.pluglets.push(verifyPluglet(basename(input), new Uint8Array(await readFile(input)), checks, policy, protoop === undefined ? undefined : { protoop }));
    } else {
      await checkPlugin((await readPluginArchive(new Uint8Array(await readFile(input)))).files, checks, policy, report);
    }
    report.findings = sortFindings(report.findings);
    const failed = report.findings.some((f) => f.severity === 'error') || report.pluglets.some((p) => checks.some((c) => p.verdicts[c] !== 'pass'));
    report.verdict = failed ? 'fail' : 'pass';
    if (values.json === true) console.log(JSON.stringify(report, null, 2));
    else printHuman(report);
    return failed ? EXIT.failed : EXIT.ok;
  });
}
