// The peer's check, done by the daemon for the UI: a proof bundle for a name
// and a formula, fetched from the PR and checked against the lab's root CA
// and CRL. (The developer's monitor is in monitor-service.ts.)
import { bundleFromJson, checkBundle, fromHex, parseMonotoneFormula, toHex, validateName } from '../../spms/core/index.ts';
import { caKeyResolver } from '../../spms/client/ca-trust.ts';
import { getJson } from '../../spms/client/transport.ts';
import { ApiError } from '../http/api-error.ts';
import type { Lab } from '../lab.ts';
import { nodeFailure } from './pv-access.ts';

function checkedName(raw: unknown): string {
  try {
    return validateName(raw);
  } catch (e) {
    throw new ApiError(400, 'bad-name', (e as Error).message);
  }
}

function checkedHash(raw: unknown, what: string): Uint8Array {
  if (typeof raw !== 'string' || !/^[0-9a-f]{64}$/.test(raw)) throw new ApiError(400, 'bad-parameter', `${what} must be 64 lowercase hex digits`);
  return fromHex(raw);
}

/** The binding the lab submitted last under `name`, when known. */
function expectedBinding(lab: Lab, name: string): Uint8Array | undefined {
  const mine = lab.store.state.submissions.filter((s) => s.name === name && s.bindingHash !== undefined);
  const last = mine.at(-1)?.bindingHash;
  return last === undefined ? undefined : fromHex(last);
}

export async function checkBundleFor(lab: Lab, body: { name?: unknown; formula?: unknown; bindingHash?: unknown; maxAgeMs?: unknown }): Promise<unknown> {
  const name = checkedName(body.name);
  if (typeof body.formula !== 'string' || body.formula.trim() === '') throw new ApiError(400, 'bad-formula', 'formula is required, e.g. "PV1 & (PV2 | PV3)"');
  try {
    parseMonotoneFormula(body.formula);
  } catch (e) {
    throw new ApiError(400, 'bad-formula', (e as Error).message, { column: (e as { column?: number }).column });
  }
  const maxAgeMs = body.maxAgeMs === undefined ? 300_000 : typeof body.maxAgeMs === 'number' && body.maxAgeMs > 0 ? body.maxAgeMs : undefined;
  if (maxAgeMs === undefined) throw new ApiError(400, 'bad-parameter', 'maxAgeMs must be a positive number of milliseconds');
  const expected = body.bindingHash === undefined ? expectedBinding(lab, name) : checkedHash(body.bindingHash, 'bindingHash');
  const query = new URLSearchParams({ formula: body.formula });
  if (expected !== undefined) query.set('binding', toHex(expected));
  let answer: { bundle: unknown; skipped: unknown };
  try {
    answer = (await getJson(await lab.developer.transport(), `${lab.prUrl()}/v1/bundle/${encodeURIComponent(name)}?${query.toString()}`)) as { bundle: unknown; skipped: unknown };
  } catch (e) {
    return nodeFailure(lab.topology.pr.id, e);
  }
  const bundle = bundleFromJson(answer.bundle);
  const verdict = checkBundle(bundle, {
    formula: body.formula,
    resolveKey: caKeyResolver({ root: lab.ca.rootPem, crl: lab.ca.crlPem() }),
    bindingHash: expected ?? bundle.bindingHash,
    nowMs: Date.now(),
    maxAgeMs,
  });
  return { name, formula: body.formula, expectedBinding: expected === undefined ? null : toHex(expected), bundle: answer.bundle, skipped: answer.skipped, verdict };
}
