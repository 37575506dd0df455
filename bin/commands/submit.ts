// spms submit <dir|archive> [--pr URL --cert FILE --key FILE --ca FILE] [--lab-dir DIR]
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { ArchiveError } from '../../spms/verifier/archive/archive-error.ts';
import { packPluginArchive } from '../../spms/verifier/archive/pack-archive.ts';
import { readPluginArchive } from '../../spms/verifier/archive/read-archive.ts';
import { readPluginDirectory } from '../../spms/verifier/archive/read-directory.ts';
import { EXIT, parse, runCommand, UsageError } from '../lib/cli.ts';
import { PR_CLIENT_FLAGS, PR_CLIENT_OPTIONS, prClientFlags, RunningLab } from '../lib/lab-defaults.ts';
import { submitThroughLab, type LocalPlugin, type Submitted } from '../lib/lab-submit.ts';

export const summary = 'submit a plugin folder or archive to a Plugin Repository';

const USAGE = `usage: spms submit <dir|archive> [--pr URL --cert FILE --key FILE --ca FILE] [--lab-dir DIR]
                   [--verifiers ID,...] [--properties NAME,...]

Checks the plugin locally (layout, limits, no links), packs a folder as a
deterministic tar.gz, and submits it with the developer certificate. The
plugin's namespace must be named by the certificate; an unclaimed namespace
is claimed on first submission. --verifiers / --properties also announce it
on those MQTT topics. Prints JSON: name, version, archiveHash, submissionId,
created (false when the same archive was already submitted).

Without --pr, --cert, --key and --ca, the plugin goes through the running
lab's daemon (--lab-dir, else SPMS_LAB_DIR, else ~/.local/share/spms-lab),
which submits it as the lab developer and records the binding the PVs
should build. Given some of them, it goes straight to the PR and the lab
fills in the others (its PR, the lab developer's certificate, its CA).

exit codes: 0 submitted, 1 refused (by the local check or the PR), 2 usage, 3 PR or lab unreachable`;

function post(url: string, body: Uint8Array, tls: { ca: Buffer; cert: Buffer; key: Buffer }): Promise<{ status: number; json: Record<string, unknown> }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', ...tls, headers: { 'content-type': 'application/gzip', 'content-length': body.length }, timeout: 60_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        try {
          resolve({ status: res.statusCode ?? 0, json: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown> });
        } catch {
          reject(Object.assign(new Error(`${url} answered ${res.statusCode} without JSON`), { code: 'failed' }));
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', (e) => reject(Object.assign(new Error(`cannot reach ${url}: ${e.message}`), { code: 'unreachable' })));
    req.end(body);
  });
}

async function readPlugin(target: string): Promise<LocalPlugin> {
  let folder: boolean;
  try {
    folder = statSync(target).isDirectory();
  } catch (e) {
    throw new UsageError(`cannot read ${target}: ${(e as Error).message}\n\n${USAGE}`);
  }
  try {
    if (folder) return { kind: 'folder', tree: await readPluginDirectory(target) };
    const bytes = new Uint8Array(readFileSync(target));
    return { kind: 'archive', name: (await readPluginArchive(bytes)).name, path: target, bytes };
  } catch (e) {
    if (e instanceof ArchiveError) throw new Error(`${target} is not a valid plugin (${e.code}): ${e.message}`, { cause: e });
    throw e;
  }
}

async function submitToPr(values: Record<string, unknown>, plugin: LocalPlugin, query: URLSearchParams): Promise<{ ok: true; submitted: Submitted } | { ok: false; refusal: string }> {
  const flags = await prClientFlags(values, USAGE);
  const tls = { ca: readFileSync(flags.ca), cert: readFileSync(flags.cert), key: readFileSync(flags.key) };
  const archive = plugin.kind === 'folder' ? await packPluginArchive(plugin.tree) : plugin.bytes;
  const url = `${flags.pr.replace(/\/+$/, '')}/v1/plugins${query.size > 0 ? `?${query.toString()}` : ''}`;
  const r = await post(url, archive, tls);
  if (r.status !== 200 && r.status !== 201) {
    const err = r.json.error as { code?: string; message?: string } | undefined;
    return { ok: false, refusal: `${r.status} ${err?.code ?? ''}: ${err?.message ?? JSON.stringify(r.json)}` };
  }
  return { ok: true, submitted: r.json as unknown as Submitted };
}

export async function run(args: string[]): Promise<number> {
  return runCommand('submit', async () => {
    const { values, positionals } = parse(args, { verifiers: { type: 'string' }, properties: { type: 'string' }, ...PR_CLIENT_OPTIONS }, USAGE);
    if (values.help === true) return EXIT.ok;
    const [target, ...extra] = positionals;
    if (target === undefined || extra.length > 0) throw new UsageError(`exactly one <dir|archive> is required\n\n${USAGE}`);
    const plugin = await readPlugin(target);
    const name = plugin.kind === 'folder' ? plugin.tree.name : plugin.name;
    const fields: Record<string, string> = {};
    if (typeof values.verifiers === 'string') fields.verifiers = values.verifiers;
    if (typeof values.properties === 'string') fields.properties = values.properties;
    const direct = PR_CLIENT_FLAGS.some((k) => typeof values[k] === 'string');
    const r = direct ? await submitToPr(values, plugin, new URLSearchParams(fields)) : await submitThroughLab(await RunningLab.connect(values, [...PR_CLIENT_FLAGS]), plugin, fields);
    if (!r.ok) {
      console.error(`spms submit: ${direct ? 'the PR' : 'the lab'} refused ${name} (${r.refusal})`);
      return EXIT.failed;
    }
    const s = r.submitted;
    console.log(JSON.stringify({ name: s.name, version: s.version, archiveHash: s.archiveHash, submissionId: s.submissionId, created: s.created }, null, 2));
    return EXIT.ok;
  });
}
