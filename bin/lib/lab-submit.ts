// Submitting through a lab's daemon instead of straight to the PR: the
// daemon submits with the lab developer's identity and records the binding
// every PV should build, which the lab's monitor then expects.
import { basename } from 'node:path';
import { DaemonRequestError } from '../../daemon/daemon-client.ts';
import type { PluginTree } from '../../spms/verifier/archive/index.ts';
import { LabUnavailableError, type RunningLab } from './lab-defaults.ts';

/** What `spms submit` prints, whichever way it submitted. */
export interface Submitted {
  name: string;
  version: number;
  archiveHash: string;
  submissionId: string;
  created: boolean;
}

/** The plugin as read locally: a folder's files, or an archive's bytes. */
export type LocalPlugin = { kind: 'folder'; tree: PluginTree } | { kind: 'archive'; name: string; path: string; bytes: Uint8Array };

/** The daemon tells an archive from a folder's single file by its extension (then reads it by its magic bytes). */
const ARCHIVE_NAME = /\.(tar\.gz|tgz|tar|tar\.bz2|tbz2)$/i;

/** The upload's parts: an archive as one file, a folder's files under the plugin's folder name, as a dropped folder arrives. */
export function pluginUploadFiles(plugin: LocalPlugin): { path: string; data: Uint8Array }[] {
  if (plugin.kind === 'archive') {
    const name = basename(plugin.path);
    return [{ path: ARCHIVE_NAME.test(name) ? name : `${name}.tar`, data: plugin.bytes }];
  }
  return plugin.tree.files.map((f) => ({ path: `${plugin.tree.name}/${f.path}`, data: f.data }));
}

/** Resolves with the submission, or with the daemon's refusal; a lab it cannot reach keeps code 'unreachable'. */
export async function submitThroughLab(lab: RunningLab, plugin: LocalPlugin, fields: Record<string, string>): Promise<{ ok: true; submitted: Submitted } | { ok: false; refusal: string }> {
  try {
    return { ok: true, submitted: await lab.client.upload<Submitted>(pluginUploadFiles(plugin), fields) };
  } catch (e) {
    if (!(e instanceof DaemonRequestError)) throw e;
    if (e.status === 0 || e.code === 'not-deployed' || e.code === 'node-unreachable') {
      throw new LabUnavailableError(e.code === 'not-deployed' ? `the lab in ${lab.dir} is not deployed: run "spms lab up"` : e.message);
    }
    return { ok: false, refusal: `${e.status} ${e.code}: ${e.message}` };
  }
}
