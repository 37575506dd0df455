// spms submit <dir|archive> --pr URL --cert FILE --key FILE --ca FILE
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:https';
import { ArchiveError } from '../../spms/verifier/archive/archive-error.ts';
import { packPluginArchive } from '../../spms/verifier/archive/pack-archive.ts';
import { readPluginArchive } from '../../spms/verifier/archive/read-archive.ts';
import { readPluginDirectory } from '../../spms/verifier/archive/read-directory.ts';
import { EXIT, parse, requireString, runCommand, UsageError } from '../lib/cli.ts';

export const summary = 'submit a plugin folder or archive to a Plugin Repository';

const USAGE = `usage: spms submit <dir|archive> --pr URL --cert FILE --key FILE --ca FILE
                   [--verifiers ID,...] [--properties NAME,...]

Checks the plugin locally (layout, limits, no links), packs a folder as a
deterministic tar.gz, and submits it with the developer certificate. The
plugin's namespace must be named by the certificate; an unclaimed namespace
is claimed on first submission. --verifiers / --properties also announce it
on those MQTT topics. Prints JSON: name, version, archiveHash, submissionId,
created (false when the same archive was already submitted).

exit codes: 0 submitted, 1 refused (by the local check or the PR), 2 usage, 3 PR unreachable`;

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

export async function run(args: string[]): Promise<number> {
  return runCommand('submit', async () => {
    const { values, positionals } = parse(
      args,
      { pr: { type: 'string' }, cert: { type: 'string' }, key: { type: 'string' }, ca: { type: 'string' }, verifiers: { type: 'string' }, properties: { type: 'string' } },
      USAGE,
    );
    if (values.help === true) return EXIT.ok;
    const [target, ...extra] = positionals;
    if (target === undefined || extra.length > 0) throw new UsageError(`exactly one <dir|archive> is required\n\n${USAGE}`);
    const base = requireString(values, 'pr', USAGE).replace(/\/+$/, '');
    const tls = { ca: readFileSync(requireString(values, 'ca', USAGE)), cert: readFileSync(requireString(values, 'cert', USAGE)), key: readFileSync(requireString(values, 'key', USAGE)) };
    let archive: Uint8Array;
    let name: string;
    try {
      if (statSync(target).isDirectory()) {
        const tree = await readPluginDirectory(target);
        archive = await packPluginArchive(tree);
        name = tree.name;
      } else {
        archive = new Uint8Array(readFileSync(target));
        name = (await readPluginArchive(archive)).name;
      }
    } catch (e) {
      if (e instanceof ArchiveError) throw new Error(`${target} is not a valid plugin (${e.code}): ${e.message}`, { cause: e });
      throw e;
    }
    const query = new URLSearchParams();
    if (typeof values.verifiers === 'string') query.set('verifiers', values.verifiers);
    if (typeof values.properties === 'string') query.set('properties', values.properties);
    const url = `${base}/v1/plugins${query.size > 0 ? `?${query.toString()}` : ''}`;
    const r = await post(url, archive, tls);
    if (r.status !== 200 && r.status !== 201) {
      const err = r.json.error as { code?: string; message?: string } | undefined;
      console.error(`spms submit: the PR refused ${name} (${r.status} ${err?.code ?? ''}): ${err?.message ?? JSON.stringify(r.json)}`);
      return EXIT.failed;
    }
    console.log(JSON.stringify({ name: r.json.name, version: r.json.version, archiveHash: r.json.archiveHash, submissionId: r.json.submissionId, created: r.json.created }, null, 2));
    return EXIT.ok;
  });
}
