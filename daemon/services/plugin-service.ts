// Plugins through the daemon: uploads are submitted to the PR with the lab
// developer's identity (its namespaces extended as needed), recorded, and
// their binding computed here too, so the monitor knows what every PV
// should include. Listing and per-PV status come from the PR.
import { getJson } from '../../spms/client/transport.ts';
import { namespaceOf, toHex, validateName } from '../../spms/core/index.ts';
import { buildBindingFromArchive } from '../../spms/pv/binding-generator.ts';
import { ApiError } from '../http/api-error.ts';
import type { UploadedPlugin } from '../http/plugin-upload.ts';
import type { Lab } from '../lab.ts';
import type { SubmissionRecord } from '../state/lab-state.ts';
import { nodeFailure } from './pv-access.ts';

const LIST = /^[A-Za-z0-9_.,-]*$/;

export async function submitPlugin(lab: Lab, upload: UploadedPlugin): Promise<SubmissionRecord & { created: boolean }> {
  const prUrl = lab.prUrl();
  const transport = await lab.developer.transport(namespaceOf(upload.name));
  const query = new URLSearchParams();
  for (const key of ['verifiers', 'properties'] as const) {
    const v = upload.fields[key];
    if (v === undefined || v === '') continue;
    if (!LIST.test(v)) throw new ApiError(400, 'bad-parameter', `${key} must be a comma-separated list of identifiers`);
    query.set(key, v);
  }
  let res;
  try {
    res = await transport.request('POST', `${prUrl}/v1/plugins${query.size > 0 ? `?${query.toString()}` : ''}`, { body: upload.archive, contentType: 'application/gzip', accept: 'application/json' });
  } catch (e) {
    return nodeFailure(lab.topology.pr.id, e);
  }
  let body: Record<string, unknown>;
  try {
    body = JSON.parse(new TextDecoder().decode(res.body)) as Record<string, unknown>;
  } catch {
    throw new ApiError(502, 'node-error', `the PR answered ${res.status} without JSON`);
  }
  if (res.status !== 200 && res.status !== 201) {
    const err = body.error as { code?: string; message?: string } | undefined;
    throw new ApiError(res.status >= 500 ? 502 : res.status, err?.code ?? 'pr-refused', `the PR refused ${upload.name}: ${err?.message ?? `HTTP ${res.status}`}`);
  }
  const record: SubmissionRecord = {
    name: String(body.name),
    version: Number(body.version),
    archiveHash: String(body.archiveHash),
    submissionId: String(body.submissionId),
    submittedMs: Date.now(),
  };
  const created = body.created !== false;
  await lab.store.update((s) => {
    if (!s.submissions.some((x) => x.submissionId === record.submissionId)) s.submissions.push(record);
  });
  lab.hub.emit({ node: 'daemon', type: 'plugin-submitted', payload: { ...record, form: upload.form, created } });
  void expectBinding(lab, record.submissionId, upload);
  return { ...record, created };
}

/** Computes the binding the PVs should build; its hash is the monitor's expectation. */
async function expectBinding(lab: Lab, submissionId: string, upload: UploadedPlugin): Promise<void> {
  let patch: Partial<SubmissionRecord>;
  try {
    patch = { bindingHash: toHex((await buildBindingFromArchive(upload.archive, upload.name)).hash) };
  } catch (e) {
    patch = { bindingError: (e as Error).message };
  }
  await lab.store.update((s) => {
    const r = s.submissions.find((x) => x.submissionId === submissionId);
    if (r !== undefined) Object.assign(r, patch);
  });
  lab.hub.emit({ node: 'daemon', type: 'binding-expected', payload: { submissionId, name: upload.name, ...patch } });
}

export async function listPlugins(lab: Lab): Promise<unknown> {
  const t = await lab.developer.transport();
  try {
    return await getJson(t, `${lab.prUrl()}/v1/plugins`);
  } catch (e) {
    return nodeFailure(lab.topology.pr.id, e);
  }
}

export async function pluginStatus(lab: Lab, rawName: string): Promise<unknown> {
  let name: string;
  try {
    name = validateName(rawName);
  } catch (e) {
    throw new ApiError(400, 'bad-name', (e as Error).message);
  }
  const t = await lab.developer.transport();
  try {
    const status = (await getJson(t, `${lab.prUrl()}/v1/plugins/${encodeURIComponent(name)}/status`)) as Record<string, unknown>;
    return { ...status, submittedByLab: lab.store.state.submissions.filter((s) => s.name === name) };
  } catch (e) {
    return nodeFailure(lab.topology.pr.id, e);
  }
}
